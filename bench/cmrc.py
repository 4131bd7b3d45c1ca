"""CMRC 2018 trial, open book: ingest every passage, then score retrieval and answers.

    .venv/bin/python -m bench.cmrc [--sample 100] [--unanswerable 100] [--seed 2018]
                                   [--out bench/results/cmrc.json]
    .venv/bin/python -m bench.cmrc --render bench/results/cmrc.json   # the tables again

Each of the 256 passages is written as one text file (its title as the first line) and goes
through the real ingest path (`RagService.ingest`) into a temporary index; ingest is timed.

Retrieval, on every question: R@1, R@5 and MRR@10 for dense only, BM25 only and the hybrid
(reciprocal-rank fusion as the app uses it, with top_k raised to 10). A hit is any chunk of
the question's own passage.

Answers, on a seeded random sample, three systems question by question in the same loop (so
a run cut short still compares like with like; the report is rewritten after every question):

- pipeline: `RagService.answer`, with its refusal and grounding checks, scored on
  `Answer.short_answer` (the verbatim span(s) it cites; '' when refused). For comparison,
  its answer text, what the user reads, is scored too (`text_f1`: after `strip_markers`, 0
  when refused; older reports scored the pipeline on its reply this way), and so is its raw
  reply whether refused or not (`raw_f1`);
- baseline: the same GGUF model with the same parameters answering from plain BM25 top-3
  with the minimal prompt prompts/bench_baseline.yaml;
- span_baseline: the same again with prompts/bench_span_baseline.yaml, which asks for the
  answer span alone. CMRC gold answers are spans, so this is the simple system the short
  answer has to beat.

Each baseline has its own instance of the model (the weights are memory-mapped, so shared),
so every system keeps its own prompt cache, as it would running alone. Baseline replies are
scored as written after `strip_markers` and have no refusal. Prompt tokens per answer: the
pipeline's `Answer.prompt_tokens`; for the baselines, the count that
`rag.services.answer._token_counts` gives for their two messages.

Unanswerable (`--unanswerable N`, 0 = off): N questions drawn by a seeded shuffle of their
own (`Random(seed + 1)`), whose passages are held out of a second index: a copy of the first
index's folder with those passages' documents deleted through `IndexStore.commit`. A question
is dropped when one of its gold answers (two characters or more) appears verbatim in a kept
passage, since the reduced index may still answer it; the dropped ones are listed, and the
first 20 kept ones go under `hand_check` with their top-1 retrieved chunk so a person can
check them. The pipeline is asked on the reduced index and should refuse (target: 85% or
more); the span baseline, which cannot refuse, is asked the same questions, and how often it
answers anyway is its false-answer rate.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.llms import LLM
from llama_index.core.schema import QueryBundle
from llama_index.core.vector_stores.types import VectorStoreQuery
from tqdm import tqdm

from bench.cmrc_metrics import (
    exact_match,
    f1_score,
    first_gold_rank,
    percentile,
    summarise_ranks,
)
from bench.report import describe_machine, machine_line, markdown_table, write_json
from rag.components.llm import build_llm
from rag.components.prompts import ChatPrompt, load_prompt
from rag.services.answer import _token_counts
from rag.services.answer_shape import (
    asks_event,
    asks_features,
    asks_reason,
    asks_several,
    asks_when,
    asks_where,
    asks_who,
    asks_yes_no,
)
from rag.services.grounding import is_refusal, strip_markers
from rag.services.index_store import Change, IndexStore
from rag.services.rag_service import RagService
from rag.services.retrieval import HybridRetriever
from rag.settings import PROJECT_ROOT, Settings, load_settings

DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "bench" / "cmrc2018_trial.json"
RETRIEVAL_DEPTH = 10  # MRR@10
BASELINE_TOP_K = 3
MODES = ("dense", "bm25", "hybrid")
SYSTEMS = ("pipeline", "baseline", "span_baseline")
BASELINE_PROMPTS = {"baseline": "bench_baseline", "span_baseline": "bench_span_baseline"}
SYSTEM_LABELS = {
    "pipeline": "pipeline: hybrid top-4, answer prompt, refusal/grounding checks, short answer",
    "baseline": "baseline: BM25 top-3, minimal prompt, no checks",
    "span_baseline": "span baseline: BM25 top-3, answer-span prompt, no checks",
}
MIN_GOLD_CHARS = 2  # shorter gold answers (a digit, one character) say nothing when found
HAND_CHECK = 20
REFUSAL_TARGET = 0.85
DEFAULT_REFUSAL = "文档中没有找到这个问题的答案。"


@dataclass(frozen=True)
class Passage:
    passage_id: str
    title: str
    text: str


@dataclass(frozen=True)
class Question:
    query_id: str
    passage_id: str
    text: str
    answers: list[str]


@dataclass(frozen=True)
class Baseline:
    """A baseline system: its own instance of the model and its prompt."""

    name: str
    llm: LLM
    prompt: ChatPrompt


def load_cmrc(path: Path) -> tuple[list[Passage], list[Question]]:
    if not path.exists():
        raise SystemExit(
            f"{path} does not exist: get data/cmrc2018_trial.json from github.com/ymcui/cmrc2018 "
            "and pass it with --data"
        )
    passages: list[Passage] = []
    questions: list[Question] = []
    for row in json.loads(path.read_text(encoding="utf-8")):
        passages.append(Passage(row["context_id"], row.get("title", ""), row["context_text"]))
        for qa in row["qas"]:
            questions.append(
                Question(qa["query_id"], row["context_id"], qa["query_text"], list(qa["answers"]))
            )
    return passages, questions


def write_passages(passages: Sequence[Passage], folder: Path) -> None:
    """One file per passage; the blank line keeps the title its own paragraph."""
    folder.mkdir(parents=True, exist_ok=True)
    for p in passages:
        (folder / f"{p.passage_id}.txt").write_text(f"{p.title}\n\n{p.text}\n", encoding="utf-8")


def passage_of(metadata: Mapping[str, Any]) -> str:
    """The passage a chunk came from: the stem of the file it was ingested from."""
    return Path(str(metadata.get("source") or metadata.get("file_id") or "")).stem


# Question kinds the answer step shapes its short answer for (`--kind`): A/B runs of one rule
# on every question of its kind rather than on the few a random sample holds.
KINDS = {
    "why": asks_reason,
    "yes-no": asks_yes_no,
    "when": asks_when,
    "where": asks_where,
    "event": asks_event,
    "several": asks_several,
    "who": asks_who,
    "features": asks_features,
}


def of_kind(questions: Sequence[Question], kind: str) -> list[Question]:
    """The questions of one kind (all of them when `kind` is '')."""
    if not kind:
        return list(questions)
    return [q for q in questions if KINDS[kind](q.text)]


def sample_questions(questions: Sequence[Question], n: int, seed: int) -> list[Question]:
    """A seeded shuffle cut to n, so a smaller sample is a prefix of a larger one. The trial
    set has two questions with no text (TRIAL_776_QUERY_4, TRIAL_20_QUERY_0): they cannot be
    asked and are passed over (a sample without them is the same as before)."""
    order = list(range(len(questions)))
    random.Random(seed).shuffle(order)
    return [questions[i] for i in order if questions[i].text.strip()][:n]


# -- ingest --------------------------------------------------------------------------------
def ingest(service: RagService, passages: Sequence[Passage], workdir: Path) -> dict[str, Any]:
    docs = workdir / "passages"
    write_passages(passages, docs)
    started = time.perf_counter()
    _ = service.embed_model  # load it outside the timed ingest
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    report = service.ingest([docs], progress=True)
    seconds = time.perf_counter() - started
    return {
        "passages": len(passages),
        "chunks": report.chunks_added,
        "seconds": round(seconds, 1),
        "chunks_per_s": round(report.chunks_added / seconds, 2),
        "embedding_model_load_s": round(load_s, 1),
    }


# -- retrieval -----------------------------------------------------------------------------
def query_embeddings(embed: BaseEmbedding, texts: list[str]) -> list[list[float]]:
    """All questions in batches: the same query prompt and normalisation as
    `get_query_embedding`, without the per-call cost that one-by-one encoding pays on a busy
    CPU (per-query latency is bench/perf.py's business, not this one's)."""
    model = getattr(embed, "_model", None)
    if model is None or not hasattr(model, "encode_query"):
        return [embed.get_query_embedding(t) for t in texts]
    vectors = model.encode_query(
        texts, normalize_embeddings=True, batch_size=embed.embed_batch_size, show_progress_bar=True
    )
    return [[float(x) for x in v] for v in vectors]


def retrieval_ranks(
    service: RagService, questions: Sequence[Question]
) -> dict[str, list[int | None]]:
    """Per mode, the rank of the first gold chunk for each question (None: not in the top 10)."""
    settings = service.settings.retrieval.model_copy(update={"top_k": RETRIEVAL_DEPTH})
    hybrid = HybridRetriever(service.index, service.embed_model, settings)
    bm25 = service.index.bm25()
    ranks: dict[str, list[int | None]] = {mode: [] for mode in MODES}
    embeddings = query_embeddings(service.embed_model, [q.text for q in questions])
    for q, embedding in zip(
        tqdm(questions, desc="retrieve", unit="question", file=sys.stderr), embeddings, strict=True
    ):
        dense = service.index.vector_store.query(
            VectorStoreQuery(query_embedding=embedding, similarity_top_k=RETRIEVAL_DEPTH)
        )
        retrieved = {
            "dense": [passage_of(n.metadata) for n in dense.nodes or []],
            "bm25": [passage_of(c.metadata) for c, _ in bm25.query(q.text, RETRIEVAL_DEPTH)],
            "hybrid": [
                passage_of(h.node.metadata)
                for h in hybrid.retrieve(QueryBundle(q.text, embedding=embedding))
            ],
        }
        for mode in MODES:
            ranks[mode].append(first_gold_rank(retrieved[mode], q.passage_id))
    return ranks


# -- unanswerable: held-out passages -------------------------------------------------------
def select_unanswerable(questions: Sequence[Question], n: int, seed: int) -> list[Question]:
    """n questions by a seeded shuffle on a stream of their own (seed + 1), so they are not
    the answered sample's questions again."""
    return sample_questions(questions, n, seed + 1)


def held_out_passages(selected: Sequence[Question]) -> set[str]:
    """The passages the reduced index leaves out: every one a selected question came from."""
    return {q.passage_id for q in selected}


def answer_found_in(q: Question, passages: Sequence[Passage]) -> tuple[str, str] | None:
    """(gold answer, passage id) for the first passage that holds one of the question's gold
    answers verbatim (title or text); answers shorter than MIN_GOLD_CHARS do not count."""
    answers = [a.strip() for a in q.answers if len(a.strip()) >= MIN_GOLD_CHARS]
    for p in passages:
        for a in answers:
            if a in p.title or a in p.text:
                return a, p.passage_id
    return None


def drop_answered_elsewhere(
    questions: Sequence[Question], passages: Sequence[Passage], held_out: set[str]
) -> tuple[list[Question], list[dict[str, Any]]]:
    """Splits the questions into those no kept passage (one not in held_out) answers, and
    records of the dropped ones, with the answer found and where."""
    kept_passages = [p for p in passages if p.passage_id not in held_out]
    kept: list[Question] = []
    dropped: list[dict[str, Any]] = []
    for q in questions:
        found = answer_found_in(q, kept_passages)
        if found is None:
            kept.append(q)
        else:
            dropped.append(
                {
                    "query_id": q.query_id,
                    "question": q.text,
                    "gold": q.answers,
                    "passage_id": q.passage_id,
                    "found": found[0],
                    "found_in": found[1],
                }
            )
    return kept, dropped


def build_reduced_index(
    service: RagService, held_out: set[str], folder: Path, llm: LLM | None = None
) -> RagService:
    """A copy of the service's index folder less the held-out passages' documents, deleted
    through the index's own write path (`IndexStore.commit`, Chroma and BM25 together).
    It shares the service's embedding model, and `llm` when given."""
    shutil.copytree(service.index.dir, folder)
    reduced = RagService(
        service.settings, index_dir=folder, embed_model=service.embed_model, llm=llm
    )
    doomed = sorted(
        {
            str(c.metadata.get("file_id", ""))
            for c in reduced.index.bm25().chunks
            if passage_of(c.metadata) in held_out
        }
    )
    reduced.index.commit(Change(removed_docs=doomed))
    left = {
        passage_of(c.metadata)
        for c in reduced.index.bm25().chunks
        if passage_of(c.metadata) in held_out
    }
    if left:
        raise RuntimeError(f"held-out passages still in the reduced index: {sorted(left)}")
    return reduced


def hand_check(reduced: RagService, questions: Sequence[Question]) -> list[dict[str, Any]]:
    """The top-1 chunk the pipeline's retriever finds for each question, for a person to
    confirm that it does not answer the question."""
    retriever = reduced.retriever()
    rows = []
    for q in questions:
        hits = retriever.retrieve(q.text)
        top = hits[0].node if hits else None
        rows.append(
            {
                "query_id": q.query_id,
                "question": q.text,
                "gold": q.answers,
                "top1_passage": passage_of(top.metadata) if top else "",
                "top1_text": top.get_content()[:200] if top else "",
            }
        )
    return rows


def prepare_unanswerable(
    service: RagService,
    passages: Sequence[Passage],
    questions: Sequence[Question],
    n: int,
    seed: int,
    folder: Path,
) -> tuple[RagService, list[Question], dict[str, Any]]:
    """The reduced index, the questions to ask on it, and the report block describing them."""
    selected = select_unanswerable(questions, n, seed)
    held_out = held_out_passages(selected)
    kept, dropped = drop_answered_elsewhere(selected, passages, held_out)
    started = time.perf_counter()
    reduced = build_reduced_index(service, held_out, folder, llm=service.llm)
    block: dict[str, Any] = {
        "seed": seed + 1,
        "requested": n,
        "selected": len(selected),
        "held_out_passages": sorted(held_out),
        "index": {
            "passages": len({passage_of(c.metadata) for c in reduced.index.bm25().chunks}),
            "chunks": reduced.index.chunk_count(),
            "build_s": round(time.perf_counter() - started, 1),
        },
        "dropped_count": len(dropped),
        "dropped": dropped,
        "questions": len(kept),
        "hand_check": hand_check(reduced, kept[:HAND_CHECK]),
    }
    return reduced, kept, block


# -- answers -------------------------------------------------------------------------------
def _scored(q: Question, prediction: str, seconds: float) -> dict[str, Any]:
    return {
        "query_id": q.query_id,
        "question": q.text,
        "gold": q.answers,
        "prediction": prediction,
        "em": exact_match(prediction, q.answers),
        "f1": round(f1_score(prediction, q.answers), 4),
        "seconds": round(seconds, 2),
    }


def answer_with_pipeline(service: RagService, q: Question) -> dict[str, Any]:
    started = time.perf_counter()
    answer = service.answer(q.text)
    seconds = time.perf_counter() - started
    # Scored: the answer itself, the span(s) the pipeline cites.
    record = _scored(q, "" if answer.refused else answer.short_answer, seconds)
    # For comparison: what the user reads, less citation markers (as older reports scored it).
    text = "" if answer.refused else strip_markers(answer.text)
    record.update(
        short_answer=answer.short_answer,
        text=answer.text,
        text_f1=round(f1_score(text, q.answers), 4),
        refused=answer.refused,
        grounded=answer.grounded,
        reason=answer.reason,
        raw_answer=answer.raw_answer,
        raw_f1=round(f1_score(strip_markers(answer.raw_answer), q.answers), 4),
        gold_in_prompt=any(
            passage_of({"source": p.source}) == q.passage_id for p in answer.passages
        ),
        prompt_tokens=answer.prompt_tokens,
        completion_tokens=answer.completion_tokens,
    )
    return record


def answer_with_baseline(
    index: IndexStore, baseline: Baseline, refusal: str, q: Question
) -> dict[str, Any]:
    started = time.perf_counter()
    hits = index.bm25().query(q.text, BASELINE_TOP_K)
    system, user = baseline.prompt.render(
        question=q.text,
        passages=[{"number": i, "text": c.text} for i, (c, _) in enumerate(hits, start=1)],
    )
    messages = [
        ChatMessage(role=MessageRole.SYSTEM, content=system),
        ChatMessage(role=MessageRole.USER, content=user),
    ]
    response = baseline.llm.chat(messages)
    reply = response.message.content or ""
    seconds = time.perf_counter() - started
    # No backend usage: the pipeline streams, and llama.cpp's streamed chunks carry none, so
    # its count is the tokenizer over the message texts; count the baselines the same way.
    prompt_tokens, completion_tokens = _token_counts(baseline.llm, messages, reply, None)
    prediction = strip_markers(reply)
    record = _scored(q, prediction, seconds)
    record.update(
        answered=bool(prediction.strip()),
        refused=is_refusal(reply, refusal),
        raw_answer=reply,
        gold_in_prompt=any(passage_of(c.metadata) == q.passage_id for c, _ in hits),
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
    )
    return record


def build_baselines(settings: Settings) -> dict[str, Baseline]:
    return {
        name: Baseline(name, build_llm(settings), load_prompt(prompt))
        for name, prompt in BASELINE_PROMPTS.items()
    }


def refusal_text(settings: Settings) -> str:
    """The pipeline's refusal sentence, which a baseline reply may echo."""
    return load_prompt(settings.answer.prompt).values.get("refusal", DEFAULT_REFUSAL)


def answer_sample(
    service: RagService,
    baselines: Mapping[str, Baseline],
    sample: Sequence[Question],
    report: dict[str, Any],
    out: Path | None,
) -> None:
    """The three systems question by question; the report is rewritten after every one."""
    refusal = refusal_text(service.settings)
    report["answers"] = {"seed": report["config"]["seed"], "sample_requested": len(sample)}
    records: dict[str, list[dict[str, Any]]] = {name: [] for name in SYSTEMS}
    report["records"] = records
    for q in tqdm(sample, desc="answer", unit="question", file=sys.stderr):
        records["pipeline"].append(answer_with_pipeline(service, q))
        for name, baseline in baselines.items():
            records[name].append(answer_with_baseline(service.index, baseline, refusal, q))
        for name in SYSTEMS:
            if records[name]:
                report["answers"][name] = summarise_answers(records[name])
        write_json(out, report)


def ask_unanswerable(
    reduced: RagService,
    span_baseline: Baseline,
    questions: Sequence[Question],
    report: dict[str, Any],
    out: Path | None,
) -> None:
    """Pipeline and span baseline on the reduced index, question by question."""
    refusal = refusal_text(reduced.settings)
    block = report["unanswerable"]
    records: dict[str, list[dict[str, Any]]] = {"pipeline": [], "span_baseline": []}
    block["records"] = records
    for q in tqdm(questions, desc="unanswerable", unit="question", file=sys.stderr):
        records["pipeline"].append(answer_with_pipeline(reduced, q))
        records["span_baseline"].append(
            answer_with_baseline(reduced.index, span_baseline, refusal, q)
        )
        block.update(summarise_unanswerable(records))
        write_json(out, report)


def _mean_tokens(records: Sequence[Mapping[str, Any]]) -> float | None:
    tokens = [r["prompt_tokens"] for r in records if r.get("prompt_tokens") is not None]
    return round(sum(tokens) / len(tokens), 1) if tokens else None


def _latency(records: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    seconds = [r["seconds"] for r in records]
    return {
        "latency_p50_s": round(percentile(seconds, 50), 2),
        "latency_p95_s": round(percentile(seconds, 95), 2),
    }


def summarise_answers(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Works on the records of older reports too (no text_f1 or prompt_tokens there)."""
    n = max(1, len(records))
    answered = [len(r["prediction"]) for r in records if not r["refused"]]
    summary: dict[str, Any] = {
        "questions": len(records),
        "EM": round(100 * sum(r["em"] for r in records) / n, 1),
        "F1": round(100 * sum(r["f1"] for r in records) / n, 1),
        "refusal_rate": round(sum(bool(r["refused"]) for r in records) / n, 3),
        "gold_passage_in_prompt": round(sum(bool(r["gold_in_prompt"]) for r in records) / n, 3),
        **_latency(records),
        # Gold answers are short spans; a long reply loses F1 precision.
        "mean_answer_chars": round(sum(answered) / max(1, len(answered)), 1),
    }
    if records and "text_f1" in records[0]:
        summary["text_F1"] = round(100 * sum(r["text_f1"] for r in records) / n, 1)
    if records and "raw_f1" in records[0]:
        summary["F1_before_refusal_checks"] = round(100 * sum(r["raw_f1"] for r in records) / n, 1)
    tokens = _mean_tokens(records)
    if tokens is not None:
        summary["prompt_tokens_mean"] = tokens
    return summary


def summarise_unanswerable(records: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, Any]:
    """Per system: the pipeline's refusal rate against the target; the span baseline's rate
    of non-empty replies (it cannot refuse, so each one is a false answer)."""
    summary: dict[str, Any] = {}
    pipeline = records.get("pipeline") or []
    if pipeline:
        rate = sum(bool(r["refused"]) for r in pipeline) / len(pipeline)
        summary["pipeline"] = {
            "questions": len(pipeline),
            "refusal_rate": round(rate, 3),
            "target_refusal_rate": REFUSAL_TARGET,
            "meets_target": rate >= REFUSAL_TARGET,
            **_latency(pipeline),
            "prompt_tokens_mean": _mean_tokens(pipeline),
        }
    span = records.get("span_baseline") or []
    if span:
        summary["span_baseline"] = {
            "questions": len(span),
            "answered_rate": round(
                sum(bool(r.get("answered", r["prediction"].strip())) for r in span) / len(span),
                3,
            ),
            # Replies that echo a refusal all the same, though the prompt offers none.
            "refusal_like_rate": round(sum(bool(r["refused"]) for r in span) / len(span), 3),
            **_latency(span),
            "prompt_tokens_mean": _mean_tokens(span),
        }
    return summary


def resummarise(report: dict[str, Any]) -> dict[str, Any]:
    """Summaries recomputed from a saved report's records (old reports included)."""
    records = report.get("records") or {}
    if records:
        report.setdefault("answers", {})
        for name, rows in records.items():
            report["answers"][name] = summarise_answers(rows)
    block = report.get("unanswerable")
    if block and block.get("records"):
        block.update(summarise_unanswerable(block["records"]))
    return report


# -- report --------------------------------------------------------------------------------
def model_names(settings: Settings) -> dict[str, str]:
    embedding = settings.embedding.model if settings.embedding.mode != "mock" else "mock"
    llm = settings.llm.llamacpp.model if settings.llm.mode == "llamacpp" else settings.llm.mode
    return {"embedding": embedding, "llm": llm}


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def _num(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _answers_markdown(answers: Mapping[str, Any]) -> str:
    rows = []
    for name in SYSTEMS:
        s = answers.get(name)
        if not s:
            continue
        label = SYSTEM_LABELS[name]
        if name == "pipeline" and "text_F1" not in s:
            label = (
                "pipeline: hybrid top-4, answer prompt, refusal/grounding checks "
                "(scored on its reply text: this report predates short_answer)"
            )
        rows.append(
            [
                label,
                s["questions"],
                f"{s['EM']:.1f}",
                f"{s['F1']:.1f}",
                _num(s.get("text_F1"), 1),
                _pct(s["refusal_rate"]),
                _pct(s["gold_passage_in_prompt"]),
                _num(s.get("mean_answer_chars")),
                _num(s.get("prompt_tokens_mean")),
                f"{s['latency_p50_s']:.1f} / {s['latency_p95_s']:.1f}",
            ]
        )
    header = [
        "system", "n", "EM", "F1", "F1 of answer text", "refused", "gold passage in prompt",
        "answer length (chars)", "prompt tokens / answer", "p50 / p95 s",
    ]  # fmt: skip
    notes = []
    pipeline = answers.get("pipeline") or {}
    if "text_F1" in pipeline:
        notes.append(
            "The pipeline is scored on its short answer (the cited span(s); '' when refused); "
            f"its answer text, what the user reads, scores F1 {pipeline['text_F1']:.1f}."
        )
    if "F1_before_refusal_checks" in pipeline:
        notes.append(
            "Pipeline F1 of its raw reply, refused or not: "
            f"{pipeline['F1_before_refusal_checks']:.1f}."
        )
    return (
        f"Answers, {rows[0][1] if rows else 0} of a seeded random sample of "
        f"{answers.get('sample_requested', '?')} questions (seed {answers.get('seed', '?')}), "
        "CMRC EM/F1 in %:\n\n"
        + markdown_table(header, rows)
        + ("\n\n" + " ".join(notes) if notes else "")
    )


def _unanswerable_markdown(block: Mapping[str, Any]) -> str:
    index = block.get("index", {})
    text = (
        f"Unanswerable: {block.get('selected', block.get('requested', '?'))} questions drawn "
        f"(seed {block.get('seed', '?')}), their {len(block.get('held_out_passages', []))} "
        f"passages held out of a second index ({index.get('passages', '?')} passages, "
        f"{index.get('chunks', '?')} chunks); {block.get('dropped_count', 0)} dropped because a "
        f"gold answer appears verbatim in a kept passage; {block.get('questions', '?')} asked."
    )
    rows = []
    pipeline = block.get("pipeline")
    if pipeline:
        rows.append(
            [
                "pipeline (should refuse)",
                pipeline["questions"],
                _pct(pipeline["refusal_rate"]),
                _pct(1 - pipeline["refusal_rate"]),
                _num(pipeline.get("prompt_tokens_mean")),
                f"{pipeline['latency_p50_s']:.1f} / {pipeline['latency_p95_s']:.1f}",
            ]
        )
    span = block.get("span_baseline")
    if span:
        rows.append(
            [
                "span baseline (cannot refuse)",
                span["questions"],
                _pct(span["refusal_like_rate"]),
                _pct(span["answered_rate"]),
                _num(span.get("prompt_tokens_mean")),
                f"{span['latency_p50_s']:.1f} / {span['latency_p95_s']:.1f}",
            ]
        )
    if rows:
        header = [
            "system",
            "n",
            "refused",
            "answered anyway",
            "prompt tokens / answer",
            "p50 / p95 s",
        ]
        text += "\n\n" + markdown_table(header, rows)
    notes = []
    if pipeline:
        verdict = "met" if pipeline["meets_target"] else "not met"
        notes.append(
            f"Pipeline refusal target ≥ {100 * pipeline['target_refusal_rate']:.0f}%: "
            f"**{verdict}**."
        )
    if span:
        notes.append(
            "The span baseline has no refusal: every non-empty reply counts as answered, its "
            "false-answer rate; its 'refused' cell counts replies that say there is no answer "
            "all the same."
        )
    return text + ("\n\n" + " ".join(notes) if notes else "")


def render_markdown(report: dict[str, Any]) -> str:
    parts = [f"Machine: {machine_line(report['machine'])}"]
    ing = report.get("ingest")
    if ing:
        parts.append(
            f"Ingest: {ing['passages']} passages → {ing['chunks']} chunks in {ing['seconds']} s "
            f"= **{ing['chunks_per_s']} chunks/s** (embedding model load "
            f"{ing['embedding_model_load_s']} s, not included)"
        )
    retrieval = report.get("retrieval")
    if retrieval:
        rows = [
            [mode, f"{m['R@1']:.3f}", f"{m['R@5']:.3f}", f"{m['MRR@10']:.3f}"]
            for mode, m in retrieval["modes"].items()
        ]
        parts.append(
            f"Retrieval, all {retrieval['questions']} questions (hit = a chunk of the gold passage):\n\n"
            + markdown_table(["retriever", "R@1", "R@5", "MRR@10"], rows)
        )
    answers = report.get("answers")
    if answers:
        parts.append(_answers_markdown(answers))
    unanswerable = report.get("unanswerable")
    if unanswerable:
        parts.append(_unanswerable_markdown(unanswerable))
    return "\n\n".join(parts)


def run_answers(
    service: RagService,
    passages: Sequence[Passage],
    questions: Sequence[Question],
    args: argparse.Namespace,
    workdir: Path,
    report: dict[str, Any],
) -> None:
    """Load the three systems' models, then the answered sample and the unanswerable set."""
    started = time.perf_counter()
    _ = service.llm
    baselines = {} if args.pipeline_only else build_baselines(service.settings)
    report["llm_load_s"] = round(time.perf_counter() - started, 1)
    reduced: RagService | None = None
    asked: list[Question] = []
    if args.unanswerable > 0:
        # Built before the long answer loop, so that a problem with it shows at once.
        reduced, asked, report["unanswerable"] = prepare_unanswerable(
            service,
            passages,
            questions,
            args.unanswerable,
            args.seed,
            workdir / "index-unanswerable",
        )
        write_json(args.out, report)
    if args.sample > 0:
        sample = sample_questions(of_kind(questions, args.kind), args.sample, args.seed)
        answer_sample(service, baselines, sample, report, args.out)
    if reduced is not None and "span_baseline" in baselines:
        ask_unanswerable(reduced, baselines["span_baseline"], asked, report, args.out)
    elif reduced is not None:
        raise SystemExit("--unanswerable compares with the span baseline: drop --pipeline-only")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sample", type=int, default=100, help="questions answered (default 100)")
    parser.add_argument(
        "--unanswerable",
        type=int,
        default=100,
        help="questions asked with their passages held out (default 100; 0 = off)",
    )
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--limit-passages", type=int, help="only the first N passages (quick runs)")
    parser.add_argument("--limit-questions", type=int, help="only the first N questions")
    parser.add_argument("--no-answers", action="store_true", help="retrieval only")
    parser.add_argument(
        "--pipeline-only",
        action="store_true",
        help="answer with the pipeline alone (A/B runs of a pipeline setting; the baselines "
        "do not depend on it)",
    )
    parser.add_argument(
        "--kind",
        choices=sorted(KINDS),
        default="",
        help="answer only questions of this kind (the sample is drawn from them)",
    )
    parser.add_argument("--out", type=Path, help="write the full report (per question) as JSON")
    parser.add_argument("--render", type=Path, help="only print the tables of a saved report")
    args = parser.parse_args(argv)
    if args.render:
        saved = json.loads(args.render.read_text(encoding="utf-8"))
        print(render_markdown(resummarise(saved)))
        return 0

    passages, questions = load_cmrc(args.data)
    if args.limit_passages:
        passages = passages[: args.limit_passages]
        kept = {p.passage_id for p in passages}
        questions = [q for q in questions if q.passage_id in kept]
    if args.limit_questions:
        questions = questions[: args.limit_questions]
    settings: Settings = load_settings()
    report: dict[str, Any] = {
        "benchmark": "CMRC 2018 trial, open book",
        "command": " ".join(
            ["python -m bench.cmrc", *(argv if argv is not None else sys.argv[1:])]
        ),
        "machine": describe_machine(),
        "models": model_names(settings),
        "config": {
            "sample": args.sample,
            "seed": args.seed,
            "unanswerable": args.unanswerable,
            "kind": args.kind,
        },
        "settings": {
            "chunking": settings.chunking.model_dump(),
            "retrieval": settings.retrieval.model_dump(),
        },
    }
    with tempfile.TemporaryDirectory(prefix="cmrc-bench-") as tmp:
        service = RagService(settings, index_dir=Path(tmp) / "index")
        report["ingest"] = ingest(service, passages, Path(tmp))
        print(f"ingest: {report['ingest']}", file=sys.stderr)
        ranks = retrieval_ranks(service, questions)
        report["retrieval"] = {
            "questions": len(questions),
            "modes": {mode: summarise_ranks(ranks[mode]) for mode in MODES},
        }
        write_json(args.out, report)
        print(render_markdown(report), file=sys.stderr)
        if not args.no_answers and (args.sample > 0 or args.unanswerable > 0):
            run_answers(service, passages, questions, args, Path(tmp), report)
    print(render_markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
