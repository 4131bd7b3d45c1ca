"""What of the passages the model reads: the sentences that share the most with the question.

Prompt evaluation is nearly all of an answer's time on a CPU (~165 prompt tokens/s for the
1.5B model on 2 cores), so the model is shown, of the retrieved passages together, the
sentences whose character bigrams with the question weigh most, up to a budget: each
passage keeps its best sentence, then the best of all passages are added, in their own order,
with 「…」 where sentences were left out. A bigram weighs by its rarity among the retrieved
sentences (inverse sentence frequency), so the subject every sentence names counts little
and 「初名」 or 「1973年10月」 counts a lot. A passage whose best sentence weighs less than a
share of the best passage's (`min_share`) is not shown at all: it is about something else,
and its part of the budget goes to the passages that are. Everything that checks the answer (the span's
place, the quote, the scope rules over the article) still reads the whole passage: a span
copied from a window is a span of the passage.
"""

from __future__ import annotations

import math

from rag.services.evidence import normalise, sentence_bounds

GAP = "…"


def sentences(text: str) -> list[tuple[int, int]]:
    """Offsets of the sentences of `text`, in order (a line break also ends one)."""
    spans: list[tuple[int, int]] = []
    at = 0
    while at < len(text):
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            break
        start, end = sentence_bounds(text, at, at + 1)
        end = max(end, at + 1)
        spans.append((start, end))
        at = end
    return spans


def bigrams(text: str) -> set[str]:
    """The character bigrams of `text` after normalisation, letters, digits and Han only."""
    flat = normalise(text)
    return {flat[i : i + 2] for i in range(len(flat) - 1) if flat[i : i + 2].isalnum()}


def rarity(grams: set[str], groups: list[set[str]]) -> dict[str, float]:
    """Each of `grams` weighed by its rarity among `groups` (sentences, phrases): the
    inverse of how many hold it, on a log scale; a gram no group holds weighs most."""
    return {
        g: math.log((len(groups) + 1) / (sum(g in seen for seen in groups) + 0.5)) for g in grams
    }


def windows(question: str, texts: list[str], budget: int, min_share: float = 0.0) -> list[str]:
    """Each of `texts` cut down so that together they hold about `budget` characters per
    text (0: all of them whole). A text's best sentence is kept whole whatever its length.
    A text whose best sentence weighs less than `min_share` of the best text's comes back
    empty (not shown)."""
    if budget <= 0:
        return list(texts)
    spans = [sentences(t) for t in texts]
    grams = [[bigrams(t[s:e]) for s, e in sp] for t, sp in zip(texts, spans, strict=True)]
    every = [g for per_text in grams for g in per_text]
    asked = bigrams(question)
    weight = rarity(asked, every)
    scores = [[sum(weight[g] for g in asked & seen) for seen in per_text] for per_text in grams]
    top = max((max(sc) for sc in scores if sc), default=0.0)
    shown = [not sc or max(sc) >= min_share * top for sc in scores]
    total = budget * len(texts)
    if sum(len(t) for t, keep in zip(texts, shown, strict=True) if keep) <= total:
        return [t if keep else "" for t, keep in zip(texts, shown, strict=True)]
    best = [max(range(len(sc)), key=lambda i: (sc[i], -i)) if sc else -1 for sc in scores]
    chosen: list[set[int]] = [
        {b} if b >= 0 and keep else set() for b, keep in zip(best, shown, strict=True)
    ]
    used = sum(sp[b][1] - sp[b][0] for sp, b, ch in zip(spans, best, chosen, strict=True) if ch)
    candidates = sorted(
        (
            (t, i)
            for t, sc in enumerate(scores)
            if chosen[t]
            for i in range(len(sc))
            if i != best[t]
        ),
        key=lambda ti: (-scores[ti[0]][ti[1]], abs(ti[1] - best[ti[0]]), ti[0], ti[1]),
    )
    for t, i in candidates:
        length = spans[t][i][1] - spans[t][i][0]
        if used + length <= total:
            chosen[t].add(i)
            used += length
    return [
        _joined(text, sp, ch) if keep else ""
        for text, sp, ch, keep in zip(texts, spans, chosen, shown, strict=True)
    ]


def window(question: str, text: str, budget: int) -> str:
    """One text cut to about `budget` characters (see `windows`)."""
    return windows(question, [text], budget)[0]


def _joined(text: str, spans: list[tuple[int, int]], chosen: set[int]) -> str:
    if len(chosen) == len(spans):
        return text
    pieces: list[str] = []
    previous = -1
    for i in sorted(chosen):
        if i != previous + 1:
            pieces.append(GAP)
        # up to the next sentence, so the line breaks and spaces between sentences stay
        end = spans[i + 1][0] if i + 1 < len(spans) else len(text)
        pieces.append(text[spans[i][0] : end])
        previous = i
    if previous < len(spans) - 1:
        pieces.append(GAP)
    return "".join(pieces).strip()
