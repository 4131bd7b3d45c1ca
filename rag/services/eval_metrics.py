"""Judging one eval answer and the metrics over a run: pure functions, no models, no files.

Metric definitions (each a share in [0, 1], None when its denominator is 0):

- answer_accuracy: among answerable items (no `refuse`), the share that pass: not refused,
  every required key in the answer (one alternative of each), no forbidden string in it, and at
  least one citation from the expected source.
- short_answer_accuracy: among answerable items, the share not refused whose `short_answer`
  (the verbatim span(s) the system extracted), normalised like the answer text, holds every
  required key (one alternative of each). Forbidden strings and sources are not checked here.
- refusal_precision: among items the system refused, the share that should be refused.
- refusal_recall: among items that should be refused, the share the system refused.
- citation_precision: among answerable items answered with every required key in the answer,
  the share whose citations from the expected source, taken together, contain every required
  key: "a cited passage from the expected source holds the key figure", extended to list
  questions whose keys span two passages. A wrong answer does not count here (accuracy
  counts it), so this measures whether a right answer is shown with its real source.
- quote_precision: among items answered (not refused) with at least one citation, refusal
  items included, the share where every citation of the answer has a non-empty `quote` equal
  to `text[quote_start:quote_end]` (0 <= quote_start <= quote_end <= len(text)), and every
  AnswerPart with a non-empty `answer` names a citation of the answer (`part.citation ==
  Citation.number`) whose quote holds that answer (both normalised). It measures whether the
  shown evidence is real and backs the span, not whether the span is right.
- retrieval_hit_at_k: among answerable items, the share with a passage from the expected
  source among the top k retrieved passages (whether or not the answer was refused).
- retrieval_key_hit_at_k: the stricter form: the top k passages from the expected source,
  together, contain every required key.
- grounded_rate: among items the system answered (not refused), the share it marked grounded
  (every number of the answer is in a retrieved passage).
- pass_rate: among all items, the share that pass (answerable items as above, refusal items
  when refused).

Latency is seconds per question from the call to the checked answer (retrieval, generation,
checks); time to first token is the time to the first text the model streams. p50 and p95 are
percentiles with linear interpolation between the nearest ranks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from rag.components.text_repair import normalize_width
from rag.services.answer import Answer, Citation

# Metrics a threshold may be set on (all are minimums).
THRESHOLD_METRICS = (
    "answer_accuracy",
    "short_answer_accuracy",
    "refusal_precision",
    "refusal_recall",
    "citation_precision",
    "quote_precision",
    "retrieval_hit_at_k",
    "retrieval_key_hit_at_k",
    "grounded_rate",
    "pass_rate",
)

_CITATION_MARK = re.compile(r"\[\d+\]")
_WHITESPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """How keys and answers are compared: full-width digits, letters, % and . become ASCII,
    and all whitespace goes ("６５．６ 亿元" → "65.6亿元"). Units stay."""
    return _WHITESPACE.sub("", normalize_width(text))


@dataclass(frozen=True)
class EvalItem:
    id: str
    question: str
    # Normalised. Each inner tuple holds alternatives: one of them must be in the answer.
    expect: tuple[tuple[str, ...], ...] = ()
    forbid: tuple[str, ...] = ()
    source: str | None = None
    refuse: bool = False
    tags: tuple[str, ...] = ()
    note: str = ""


@dataclass
class ItemResult:
    """One question of a run: what the system said and how it was judged."""

    id: str
    question: str
    tags: list[str]
    refuse_expected: bool
    passed: bool
    why: str  # why it failed ('' when it passed)
    answer: str
    refused: bool
    grounded: bool
    reason: str  # the system's own reason for a refusal or an ungrounded answer
    expected_source: str | None
    cited_sources: list[str]
    retrieved_sources: list[str]  # the top k, best first
    # None where the measure does not apply to the item (see the module docstring).
    citation_ok: bool | None
    hit_at_k: bool | None
    key_hit_at_k: bool | None
    seconds: float
    first_token_seconds: float | None
    prompt_tokens: int | None
    completion_tokens: int | None
    raw_answer: str = ""  # the model's reply before the checks, to see why an item failed
    short_answer: str = ""  # the system's verbatim span(s), parts joined with '；'
    # Every key in short_answer (answerable items; None for refusal items).
    short_answer_ok: bool | None = None
    # Quotes real and backing the parts (None when refused or nothing is cited).
    quote_ok: bool | None = None
    quote_why: str = ""  # what is wrong with the quotes ('' when quote_ok is not False)

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        if self.first_token_seconds is not None:
            data["first_token_seconds"] = round(self.first_token_seconds, 3)
        return data


def _holds(text: str, alternatives: Sequence[str]) -> bool:
    return any(a in text for a in alternatives)


def _holds_all(text: str, expect: Sequence[Sequence[str]]) -> bool:
    return all(_holds(text, alts) for alts in expect)


def _from_source(passages: Sequence[Citation], source: str) -> str:
    return normalize("\n".join(p.text for p in passages if p.source == source))


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _answer_text(text: str) -> str:
    """How an answer (or its short answer) is compared with keys: markers dropped, normalised."""
    return normalize(_CITATION_MARK.sub("", text))


def quote_problems(answer: Answer) -> list[str]:
    """What makes the answer's quotes fail quote_precision ([] when they pass)."""
    problems: list[str] = []
    for c in answer.citations:
        if not c.quote:
            problems.append(f"[{c.number}] has no quote")
        elif (
            not 0 <= c.quote_start <= c.quote_end <= len(c.text)
            or c.text[c.quote_start : c.quote_end] != c.quote
        ):
            problems.append(f"[{c.number}] quote is not text[{c.quote_start}:{c.quote_end}]")
    quotes = {c.number: normalize(c.quote) for c in answer.citations}
    for part in answer.parts:
        span = normalize(part.answer)
        if not span:
            continue
        if part.citation not in quotes:
            problems.append(f"part {_short(part.answer)} names [{part.citation}], not cited")
        elif span not in quotes[part.citation]:
            problems.append(f"part {_short(part.answer)} not in the quote of [{part.citation}]")
    return problems


def judge(
    item: EvalItem,
    answer: Answer,
    k: int,
    seconds: float,
    first_token_seconds: float | None = None,
) -> ItemResult:
    """Pass or fail, with the reason, and the per-item inputs of the metrics."""
    text = _answer_text(answer.text)
    top_k = answer.passages[:k]
    citation_ok = hit = key_hit = short_ok = quote_ok = None
    quote_why = ""
    if not answer.refused and answer.citations:
        quote_issues = quote_problems(answer)
        quote_ok = not quote_issues
        quote_why = "; ".join(quote_issues)
    if item.refuse:
        passed = answer.refused
        why = "" if passed else f"answered though it should refuse: {_short(answer.text)}"
    else:
        problems: list[str] = []
        if answer.refused:
            problems.append(f"refused though answerable ({answer.reason or 'no reason given'})")
        else:
            problems += [
                f"missing key {'|'.join(alts)}" for alts in item.expect if not _holds(text, alts)
            ]
            problems += [f"forbidden {f} present" for f in item.forbid if f in text]
            cited = sorted({c.source for c in answer.citations})
            if item.source and item.source not in cited:
                problems.append(f"wrong source: cited {', '.join(cited) or 'nothing'}")
        passed = not problems
        why = "; ".join(problems)
        short_ok = not answer.refused and _holds_all(_answer_text(answer.short_answer), item.expect)
        if item.source:
            if not answer.refused and _holds_all(text, item.expect):
                citation_ok = _holds_all(_from_source(answer.citations, item.source), item.expect)
            hit = any(p.source == item.source for p in top_k)
            key_hit = hit and _holds_all(_from_source(top_k, item.source), item.expect)
    return ItemResult(
        id=item.id,
        question=item.question,
        tags=list(item.tags),
        refuse_expected=item.refuse,
        passed=passed,
        why=why,
        answer=answer.text,
        refused=answer.refused,
        grounded=answer.grounded,
        reason=answer.reason,
        expected_source=item.source,
        cited_sources=[c.source for c in answer.citations],
        retrieved_sources=[p.source for p in top_k],
        citation_ok=citation_ok,
        hit_at_k=hit,
        key_hit_at_k=key_hit,
        seconds=seconds,
        first_token_seconds=first_token_seconds,
        prompt_tokens=answer.prompt_tokens,
        completion_tokens=answer.completion_tokens,
        raw_answer=answer.raw_answer,
        short_answer=answer.short_answer,
        short_answer_ok=short_ok,
        quote_ok=quote_ok,
        quote_why=quote_why,
    )


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0-100), interpolating linearly between the nearest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _share(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def _rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


@dataclass
class Summary:
    items: int
    answerable: int
    refuse_expected: int
    refused: int
    passed: int
    metrics: dict[str, float | None]  # the THRESHOLD_METRICS
    latency_s: dict[str, float | None]  # p50, p95, mean, max
    first_token_s: dict[str, float | None]  # p50, p95
    tokens: dict[str, int | float | None]  # prompt/completion totals and means
    by_tag: dict[str, dict[str, int]] = field(default_factory=dict)  # tag → items, passed

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def summarise(results: Sequence[ItemResult]) -> Summary:
    answerable = [r for r in results if not r.refuse_expected]
    should_refuse = [r for r in results if r.refuse_expected]
    refused = [r for r in results if r.refused]
    answered = [r for r in results if not r.refused]
    metrics = {
        "answer_accuracy": _share([r.passed for r in answerable]),
        "short_answer_accuracy": _share([bool(r.short_answer_ok) for r in answerable]),
        "refusal_precision": _share([r.refuse_expected for r in refused]),
        "refusal_recall": _share([r.refused for r in should_refuse]),
        "citation_precision": _share(
            [r.citation_ok for r in answerable if r.citation_ok is not None]
        ),
        "quote_precision": _share([r.quote_ok for r in results if r.quote_ok is not None]),
        "retrieval_hit_at_k": _share([r.hit_at_k for r in answerable if r.hit_at_k is not None]),
        "retrieval_key_hit_at_k": _share(
            [r.key_hit_at_k for r in answerable if r.key_hit_at_k is not None]
        ),
        "grounded_rate": _share([r.grounded for r in answered]),
        "pass_rate": _share([r.passed for r in results]),
    }
    seconds = [r.seconds for r in results]
    first = [r.first_token_seconds for r in results if r.first_token_seconds is not None]
    prompt = [r.prompt_tokens for r in results if r.prompt_tokens is not None]
    completion = [r.completion_tokens for r in results if r.completion_tokens is not None]
    by_tag: dict[str, dict[str, int]] = {}
    for r in results:
        for tag in r.tags:
            counts = by_tag.setdefault(tag, {"items": 0, "passed": 0})
            counts["items"] += 1
            counts["passed"] += int(r.passed)
    return Summary(
        items=len(results),
        answerable=len(answerable),
        refuse_expected=len(should_refuse),
        refused=len(refused),
        passed=sum(r.passed for r in results),
        metrics={name: _rounded(value, 4) for name, value in metrics.items()},
        latency_s={
            "p50": _rounded(percentile(seconds, 50)),
            "p95": _rounded(percentile(seconds, 95)),
            "mean": _rounded(sum(seconds) / len(seconds) if seconds else None),
            "max": _rounded(max(seconds, default=None)),
        },
        first_token_s={
            "p50": _rounded(percentile(first, 50)),
            "p95": _rounded(percentile(first, 95)),
        },
        tokens={
            "prompt_total": sum(prompt) if prompt else None,
            "completion_total": sum(completion) if completion else None,
            "prompt_mean": _rounded(sum(prompt) / len(prompt) if prompt else None, 1),
            "completion_mean": _rounded(
                sum(completion) / len(completion) if completion else None, 1
            ),
        },
        by_tag=dict(sorted(by_tag.items())),
    )


@dataclass(frozen=True)
class ThresholdCheck:
    metric: str
    minimum: float
    value: float | None
    passed: bool  # False also when the metric could not be measured (value None)

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def check_thresholds(
    metrics: Mapping[str, float | None], thresholds: Mapping[str, float]
) -> list[ThresholdCheck]:
    checks = []
    for name, minimum in thresholds.items():
        value = metrics.get(name)
        checks.append(ThresholdCheck(name, minimum, value, value is not None and value >= minimum))
    return checks
