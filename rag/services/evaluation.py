"""The eval suite: reads an eval file, runs each question through the service, judges, reports.

The file format is described at the top of evals/seed_questions.yaml; the metrics are defined
in rag/services/eval_metrics.py. `evaluate` builds a fresh temporary index from the file's
documents, or uses an existing index as it is.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

from rag.errors import IndexMissingError, RagError
from rag.services.answer import Answer
from rag.services.eval_metrics import (
    THRESHOLD_METRICS,
    EvalItem,
    ItemResult,
    Summary,
    ThresholdCheck,
    check_thresholds,
    judge,
    normalize,
    summarise,
)
from rag.services.rag_service import RagService
from rag.settings import PROJECT_ROOT, Settings

DEFAULT_EVAL_SET = PROJECT_ROOT / "evals" / "seed_questions.yaml"
REPORTS_DIR = PROJECT_ROOT / "evals" / "reports"
_DOCUMENT_SUFFIXES = {".txt", ".md", ".html", ".htm", ".pdf"}


class EvalSetError(RagError):
    """The eval file is missing, not YAML, or an item breaks the format."""


class _ItemSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    expect: list[str | list[str]] = Field(default_factory=list)
    forbid: list[str] = Field(default_factory=list)
    source: str | None = None
    refuse: bool = False
    tags: list[str] = Field(default_factory=list)
    note: str = ""

    @model_validator(mode="after")
    def _answer_or_refuse(self) -> _ItemSpec:
        if self.refuse:
            if self.expect or self.source:
                raise ValueError("an item with `refuse: true` takes no `expect` or `source`")
            return self
        if not self.expect:
            raise ValueError("needs `expect` (the key strings of the answer) or `refuse: true`")
        if not self.source:
            raise ValueError("needs `source`: the document file that holds the answer")
        for key in self.expect:
            alternatives = key if isinstance(key, list) else [key]
            if not alternatives or not all(normalize(a) for a in alternatives):
                raise ValueError(f"`expect` holds an empty key or alternative list: {key!r}")
        if not all(normalize(f) for f in self.forbid):
            raise ValueError("`forbid` holds an empty string")
        return self

    def to_item(self) -> EvalItem:
        return EvalItem(
            id=self.id,
            question=self.question.strip(),
            expect=tuple(
                tuple(normalize(a) for a in (key if isinstance(key, list) else [key]))
                for key in self.expect
            ),
            forbid=tuple(normalize(f) for f in self.forbid),
            source=self.source,
            refuse=self.refuse,
            tags=tuple(self.tags),
            note=self.note,
        )


class _EvalFileSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    documents: list[str] = Field(min_length=1)
    k: int = Field(default=4, ge=1)
    thresholds: dict[str, float] = Field(default_factory=dict)
    measured: str = ""
    items: list[dict[str, Any]] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_thresholds(self) -> _EvalFileSpec:
        for name, value in self.thresholds.items():
            if name not in THRESHOLD_METRICS:
                raise ValueError(
                    f"unknown threshold {name!r}; known: {', '.join(THRESHOLD_METRICS)}"
                )
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"threshold {name} = {value} is not between 0 and 1")
        return self


@dataclass
class EvalSet:
    path: Path
    version: int
    documents: list[Path]
    k: int
    thresholds: dict[str, float]
    measured: str
    items: list[EvalItem]


def _document_files(paths: list[Path]) -> set[str]:
    names: set[str] = set()
    for path in paths:
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        names.update(
            f.name for f in files if f.is_file() and f.suffix.lower() in _DOCUMENT_SUFFIXES
        )
    return names


def _problem(error: ErrorDetails) -> str:
    where = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def load_eval_set(path: Path = DEFAULT_EVAL_SET, root: Path = PROJECT_ROOT) -> EvalSet:
    """Reads and checks an eval file. Relative `documents` are relative to `root` (the
    repository). Every error names the file, and the item (number and id) at fault."""
    if not path.is_file():
        raise EvalSetError(f"{path}: no such eval file — pass an existing file with --set")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise EvalSetError(f"{path}: not valid YAML ({exc}) — fix the file") from exc
    if not isinstance(data, dict):
        raise EvalSetError(f"{path}: expected a mapping with version, documents, items")
    try:
        spec = _EvalFileSpec.model_validate(data)
    except ValidationError as exc:
        raise EvalSetError(f"{path}: {_problem(exc.errors()[0])}") from exc
    documents = [p if p.is_absolute() else root / p for p in map(Path, spec.documents)]
    for document in documents:
        if not document.exists():
            raise EvalSetError(f"{path}: documents: {document} does not exist")
    known_files = _document_files(documents)
    items: list[EvalItem] = []
    seen: set[str] = set()
    for number, raw in enumerate(spec.items, start=1):
        label = f"item {number}" + (f" (id {raw['id']})" if isinstance(raw.get("id"), str) else "")
        try:
            item = _ItemSpec.model_validate(raw).to_item()
        except ValidationError as exc:
            raise EvalSetError(f"{path}: {label}: {_problem(exc.errors()[0])}") from exc
        if item.id in seen:
            raise EvalSetError(f"{path}: {label}: the id is used twice")
        if item.source and item.source not in known_files:
            raise EvalSetError(
                f"{path}: {label}: source {item.source} is not a file in documents "
                f"({', '.join(spec.documents)})"
            )
        seen.add(item.id)
        items.append(item)
    return EvalSet(
        path, spec.version, documents, spec.k, dict(spec.thresholds), spec.measured, items
    )


@dataclass
class EvalReport:
    eval_file: str
    version: int
    started_at: str  # ISO 8601, UTC
    index: str  # the index folder, or "temporary"
    models: dict[str, str]
    k: int
    results: list[ItemResult]
    summary: Summary
    checks: list[ThresholdCheck]
    load_seconds: float = 0.0  # loading the models before the first question
    ingest_seconds: float = 0.0
    measured: str = ""  # the eval file's note on how its thresholds were set

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def to_json(self) -> dict[str, object]:
        return {
            "eval_file": self.eval_file,
            "version": self.version,
            "started_at": self.started_at,
            "index": self.index,
            "models": self.models,
            "k": self.k,
            "passed": self.passed,
            "thresholds": [c.to_json() for c in self.checks],
            "summary": self.summary.to_json(),
            "load_seconds": round(self.load_seconds, 2),
            "ingest_seconds": round(self.ingest_seconds, 2),
            "thresholds_measured": self.measured,
            "items": [r.to_json() for r in self.results],
        }


def _models(settings: Settings) -> dict[str, str]:
    llm = settings.llm
    name = {"llamacpp": llm.llamacpp.model, "openai": llm.openai.model}.get(llm.mode, llm.mode)
    return {"embedding": settings.embedding.identity(), "llm": f"{llm.mode}:{name}"}


def run_eval(
    eval_set: EvalSet,
    service: RagService,
    on_result: Callable[[ItemResult], None] | None = None,
) -> EvalReport:
    """Every question through `service.stream`, timed; the models load before the first one
    so that its latency is comparable with the others."""
    if service.index.is_empty():
        documents = " ".join(map(str, eval_set.documents))
        raise IndexMissingError(
            f"the index at {service.index.dir} is empty: run `rag ingest {documents} --index "
            f"{service.index.dir}` first, or leave out --index to use a temporary one"
        )
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    loading = time.perf_counter()
    _ = service.embed_model, service.llm
    load_seconds = time.perf_counter() - loading
    results = []
    for item in eval_set.items:
        begun = time.perf_counter()
        first_token: float | None = None
        final: Answer | None = None
        for event in service.stream(item.question):
            if isinstance(event, Answer):
                final = event
            elif first_token is None:
                first_token = time.perf_counter() - begun
        assert final is not None, "the answer stream ends with an Answer"
        result = judge(item, final, eval_set.k, time.perf_counter() - begun, first_token)
        results.append(result)
        if on_result is not None:
            on_result(result)
    summary = summarise(results)
    return EvalReport(
        eval_file=str(eval_set.path),
        version=eval_set.version,
        started_at=started_at,
        index=str(service.index.dir),
        models=_models(service.settings),
        k=eval_set.k,
        results=results,
        summary=summary,
        checks=check_thresholds(summary.metrics, eval_set.thresholds),
        load_seconds=load_seconds,
        measured=eval_set.measured,
    )


def evaluate(
    eval_set: EvalSet,
    settings: Settings,
    index_dir: Path | None = None,
    on_result: Callable[[ItemResult], None] | None = None,
    service_factory: Callable[[Settings], RagService] = RagService,
) -> EvalReport:
    """With `index_dir`, queries that index as it is (nothing is ingested). Without, ingests
    the eval file's documents into a fresh temporary index, removed afterwards."""
    if index_dir is not None:
        service = service_factory(settings.model_copy(update={"index_dir": index_dir}))
        return run_eval(eval_set, service, on_result)
    with tempfile.TemporaryDirectory(prefix="rag-eval-", ignore_cleanup_errors=True) as tmp:
        service = service_factory(settings.model_copy(update={"index_dir": Path(tmp) / "index"}))
        ingesting = time.perf_counter()
        service.ingest(eval_set.documents, progress=False)
        ingest_seconds = time.perf_counter() - ingesting
        report = run_eval(eval_set, service, on_result)
        report.index = "temporary"
        report.ingest_seconds = ingest_seconds
        return report


def write_report(report: EvalReport, out: Path | None = None) -> Path:
    """The JSON report; by default evals/reports/<UTC timestamp>.json (git-ignored)."""
    if out is None:
        out = REPORTS_DIR / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return out


# ---- text output (pure: the CLI and the pytest suite print these) ----

TABLE_HEADER = f"{'id':<28} {'result':<6} {'seconds':>7}  why"


def format_row(result: ItemResult) -> str:
    verdict = "pass" if result.passed else "FAIL"
    return f"{result.id:<28} {verdict:<6} {result.seconds:>7.1f}  {result.why}"


def _value(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def format_summary(report: EvalReport) -> str:
    s = report.summary
    lines = [
        f"{s.passed}/{s.items} passed ({s.answerable} answerable, {s.refuse_expected} to refuse; "
        f"the system refused {s.refused})",
        f"{'metric':<24} {'value':>7} {'minimum':>8}",
    ]
    minimums = {c.metric: c for c in report.checks}
    for name, value in s.metrics.items():
        check = minimums.get(name)
        mark = (
            "" if check is None else f"{check.minimum:>8.2f}  {'ok' if check.passed else 'BELOW'}"
        )
        lines.append(f"{name:<24} {_value(value):>7} {mark}")
    lines.append(
        f"latency s: p50 {_value(s.latency_s['p50'])}, p95 {_value(s.latency_s['p95'])}; "
        f"first token s: p50 {_value(s.first_token_s['p50'])}, p95 {_value(s.first_token_s['p95'])}"
    )
    t = s.tokens
    lines.append(
        f"tokens: prompt {t['prompt_total'] if t['prompt_total'] is not None else 'n/a'} "
        f"(mean {t['prompt_mean']}), completion "
        f"{t['completion_total'] if t['completion_total'] is not None else 'n/a'} "
        f"(mean {t['completion_mean']})"
    )
    missed = [c.metric for c in report.checks if not c.passed]
    lines.append(
        f"thresholds: {'all met' if not missed else 'missed: ' + ', '.join(missed)}"
        + (f" (set: {report.measured})" if report.measured else "")
    )
    return "\n".join(lines)


def format_report(report: EvalReport) -> str:
    rows = [TABLE_HEADER, *(format_row(r) for r in report.results)]
    return "\n".join(rows) + "\n\n" + format_summary(report)
