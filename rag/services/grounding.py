"""Checks an LLM answer against the passages it was given: citations, numbers, refusals.

Small models mislabel citation numbers and sometimes answer a question the passages do
not cover; nothing here trusts the model's own account of where an answer came from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.components.chinese_tokens import content_terms, named_entities, term_support

# "[1]", "[1,2]", "[编号2]", "【资料1】", "根据资料编号[1]"
_MARKER = re.compile(
    r"(?:根据|依据|参见|参考|见)?(?:资料|来源|文档)?(?:编号)?\s*[\[【]\s*(?:资料|编号|来源)?\s*([\d\s,，、]+)\s*[\]】]"
)
_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?")
_REFUSAL_PHRASES = (
    "没有找到",
    "未找到",
    "没有提到",
    "未提及",
    "没有提及",
    "无法回答",
    "不能回答",
    "没有相关",
    "未提供",
    "没有提供",
    "不包含",
    "无法确定",
    "没有给出",
    "无法从",
    "无法得知",
    "没有涉及",
    "未涉及",
)


@dataclass(frozen=True)
class Evidence:
    """Which passages back an answer, and what could not be backed."""

    passages: list[int]  # 0-based indexes into the prompt passages, best first
    unsupported_numbers: list[str]
    # False when the answer states numbers and not one of them is in any passage.
    passages_hold_a_number: bool = True


def cited_numbers(answer: str) -> list[int]:
    """The passage numbers the model wrote, in order, each once (1-based)."""
    found: list[int] = []
    for match in _MARKER.finditer(answer):
        for part in re.split(r"[\s,，、]+", match.group(1)):
            if part.isdigit() and int(part) not in found:
                found.append(int(part))
    return found


# A whole citation phrase: "根据资料编号 [2] 和 [3]", "[编号] [2]", "（资料[1]、[2]）".
_MARKER_PHRASE = re.compile(
    r"[（(]?\s*(?:(?:根据|依据|参见|参考|见|来自)\s*)?(?:资料|来源|文档)?\s*(?:编号)?\s*"
    r"(?:[\[【][\s\d,，、资料编号来源]{0,12}[\]】]\s*(?:和|及|与|、|,|，)?\s*)+[)）]?"
)


def strip_markers(answer: str) -> str:
    text = _MARKER_PHRASE.sub("", answer)
    text = re.sub(r"([。；，,])\s*[。.]", r"\1", text)
    text = re.sub(r"([。；，,])\1+", r"\1", text)
    return re.sub(r"[ \t]+([。，；！？])", r"\1", text).strip()


def is_refusal(answer: str, refusal_text: str) -> bool:
    text = answer.strip()
    if not text:
        return True
    return refusal_text.rstrip("。") in text or any(p in text for p in _REFUSAL_PHRASES)


def significant_numbers(text: str) -> list[str]:
    """Numbers worth checking: decimals and anything of two or more digits."""
    return list(dict.fromkeys(n for n in _NUMBER.findall(text) if len(n) >= 2))


def contains_number(text: str, number: str) -> bool:
    return re.search(rf"(?<![\d.]){re.escape(number)}(?!\d|\.\d)", text) is not None


def find_evidence(answer: str, question: str, passages: Sequence[str]) -> Evidence:
    """Passages backing the answer: the cited ones that hold its numbers; when the model
    cited none of those, every passage that does hold them."""
    cited = [n - 1 for n in cited_numbers(answer) if 1 <= n <= len(passages)]
    body = strip_markers(answer)
    numbers = [n for n in significant_numbers(body) if not contains_number(question, n)]
    unsupported = [n for n in numbers if not any(contains_number(p, n) for p in passages)]
    checkable = [n for n in numbers if n not in unsupported]
    if not checkable:
        return Evidence(_by_wording(body, cited, passages), unsupported, not numbers)

    def holds(i: int) -> int:
        return sum(contains_number(passages[i], n) for n in checkable)

    backing = [i for i in cited if holds(i)]
    if not backing:
        backing = sorted(
            (i for i in range(len(passages)) if holds(i)), key=lambda i: (-holds(i), i)
        )
    return Evidence(backing, unsupported)


def _by_wording(body: str, cited: list[int], passages: Sequence[str]) -> list[int]:
    """With no numbers to go by: the cited passages that share the answer's words, else
    the passage that shares most of them."""
    if not passages:
        return []
    share = {i: question_coverage(body, [passages[i]])[0] for i in range(len(passages))}
    kept = [i for i in cited if share[i] >= 0.5]
    return kept or [max(share, key=lambda i: (share[i], -i))]


def missing_entities(question: str, texts: Sequence[str]) -> list[str]:
    """Proper names in the question (克州, 宿迁, 胡润) that none of `texts` mention: an answer
    drawn from passages about another place or person answers another question."""
    joined = "\n".join(texts).lower()
    return [e for e in named_entities(question) if term_support(e.lower(), joined) < 0.5]


def question_coverage(question: str, texts: Sequence[str]) -> tuple[float, list[str]]:
    """Share of the question's content words found in `texts`, and the words missing."""
    terms = content_terms(question)
    if not terms:
        return 1.0, []
    joined = "\n".join(texts).lower()
    support = {t: term_support(t, joined) for t in terms}
    missing = [t for t, s in support.items() if s < 0.5]
    return sum(support.values()) / len(terms), missing
