"""Reading an LLM reply: its citation markers, whether it is a refusal, its numbers.

Small models mislabel citation numbers; the markers read here are hints, and nothing
trusts the model's own account of where an answer came from (rag/services/extraction.py
finds that in the passages).
"""

from __future__ import annotations

import re

# "[1]", "[1,2]", "[编号2]", "【资料1】", "根据资料编号[1]"
_MARKER = re.compile(
    r"(?:根据|依据|参见|参考|见)?(?:资料|来源|文档)?(?:编号)?\s*[\[【]\s*(?:资料|编号|来源)?\s*([\d\s,，、]+)\s*[\]】]"
)
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
