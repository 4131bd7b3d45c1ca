"""What of a passage the model reads: the sentences that share the most with the question.

Prompt evaluation is nearly all of an answer's time on a CPU (~165 prompt tokens/s for the
1.5B model on 2 cores), so the model is shown, of each retrieved passage, only the sentences
that share most character bigrams with the question and, budget allowing, their neighbours,
in their own order, with 「…」 where sentences were left out. Everything that checks the
answer (the span's place, the quote, the scope rules over the article) still reads the whole
passage: a span copied from the window is a span of the passage.
"""

from __future__ import annotations

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


def _bigrams(text: str) -> set[str]:
    flat = normalise(text)
    return {flat[i : i + 2] for i in range(len(flat) - 1) if flat[i : i + 2].isalnum()}


def window(question: str, text: str, budget: int) -> str:
    """`text` cut to about `budget` characters around what the question asks: the sentences
    that share most bigrams with it first, then the sentences nearest to the best one. The
    best sentence is kept whole even when it alone is longer than the budget."""
    if budget <= 0 or len(text) <= budget:
        return text
    spans = sentences(text)
    if len(spans) <= 1:
        return text
    asked = _bigrams(question)
    scores = [len(asked & _bigrams(text[s:e])) for s, e in spans]
    best = max(range(len(spans)), key=lambda i: (scores[i], -i))
    order = sorted(range(len(spans)), key=lambda i: (-scores[i], abs(i - best), i))
    chosen: set[int] = set()
    used = 0
    for i in order:
        length = spans[i][1] - spans[i][0]
        if chosen and used + length > budget:
            continue
        chosen.add(i)
        used += length
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
