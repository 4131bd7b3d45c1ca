"""CMRC 2018's answer metric (official normalisation, character-level EM/F1) and retrieval metrics.

Follows the official evaluation script (ymcui/cmrc2018, cmrc2018_evaluate.py): text is lower-cased,
each CJK character and each mark of its punctuation list is a token, a run of other characters
is split into words (the script uses nltk.word_tokenize; here a run of letters/digits, with
inner decimal points, is one token and any other visible mark is its own token), the
listed punctuation is removed, F1 is computed on the longest common *substring* of the two
token lists, and both scores take the maximum over the gold answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# The official script's punctuation list, in its order ("……" is one entry there and never
# matches a single character; it is kept for fidelity).
PUNCTUATION = frozenset(
    [
        "-", ":", "_", "*", "^", "/", "\\", "~", "`", "+", "=",
        "，", "。", "：", "？", "！", "“", "”", "；", "’", "《", "》", "……", "·", "、",
        "「", "」", "（", "）", "－", "～", "『", "』",
    ]
)  # fmt: skip
_CJK = re.compile(r"[\u4e00-\u9fa5]")
# Stands in for nltk.word_tokenize on the non-CJK runs: a word (letters/digits, with inner
# "." "," "'" as in 3.14, 1,000, it's) or any other single visible mark.
_WORD = re.compile(r"[^\W_]+(?:[.,'][^\W_]+)*|[^\w\s]|_")


def segment(text: str, drop_punctuation: bool = True) -> list[str]:
    """CMRC's mixed segmentation: CJK characters one by one, Latin/digit runs as words."""
    tokens: list[str] = []
    run = ""
    for char in text.lower().strip():
        if drop_punctuation and char in PUNCTUATION:
            continue
        if _CJK.match(char) or char in PUNCTUATION:
            if run:
                tokens.extend(_WORD.findall(run))
                run = ""
            tokens.append(char)
        else:
            run += char
    if run:
        tokens.extend(_WORD.findall(run))
    return tokens


def remove_punctuation(text: str) -> str:
    return "".join(c for c in text.lower().strip() if c not in PUNCTUATION)


def longest_common_substring(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest run of tokens that appears in both, in order and contiguous."""
    best = 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0] * (len(b) + 1)
        for j, y in enumerate(b):
            if x == y:
                current[j + 1] = previous[j] + 1
                best = max(best, current[j + 1])
        previous = current
    return best


def f1_score(prediction: str, answers: Sequence[str]) -> float:
    """Character-level F1, the best over the gold answers; 0 for an empty prediction."""
    predicted = segment(prediction)
    best = 0.0
    for answer in answers:
        gold = segment(answer)
        common = longest_common_substring(gold, predicted)
        if common == 0:
            continue
        precision = common / len(predicted)
        recall = common / len(gold)
        best = max(best, 2 * precision * recall / (precision + recall))
    return best


def exact_match(prediction: str, answers: Sequence[str]) -> float:
    """1.0 when the prediction equals a gold answer once punctuation is removed."""
    predicted = remove_punctuation(prediction)
    return float(any(remove_punctuation(a) == predicted for a in answers))


def first_gold_rank(retrieved: Sequence[str], gold: str) -> int | None:
    """1-based rank of the first retrieved item that is `gold` (a passage id), else None."""
    for rank, item in enumerate(retrieved, start=1):
        if item == gold:
            return rank
    return None


def recall_at(rank: int | None, k: int) -> float:
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank_at(rank: int | None, k: int) -> float:
    return 1.0 / rank if rank is not None and rank <= k else 0.0


def summarise_ranks(ranks: Sequence[int | None]) -> dict[str, float]:
    """R@1, R@5, R@10 and MRR@10 over questions, given each one's first gold rank (None: missed)."""
    n = max(1, len(ranks))
    return {
        "R@1": round(sum(recall_at(r, 1) for r in ranks) / n, 4),
        "R@5": round(sum(recall_at(r, 5) for r in ranks) / n, 4),
        "R@10": round(sum(recall_at(r, 10) for r in ranks) / n, 4),
        "MRR@10": round(sum(reciprocal_rank_at(r, 10) for r in ranks) / n, 4),
    }


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolation percentile (numpy's default), q in [0, 100]; nan when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
