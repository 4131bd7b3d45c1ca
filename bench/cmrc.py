"""CMRC 2018 trial, open book: ingest every passage, then score retrieval and answers.

    .venv/bin/python -m bench.cmrc [--sample 100] [--seed 2018] [--out bench/results/cmrc.json]

Each of the 256 passages is written as one text file (its title as the first line) and goes
through the real ingest path (`RagService.ingest`) into a temporary index; ingest is timed.

Retrieval, on every question: R@1, R@5 and MRR@10 for dense only, BM25 only and the hybrid
(reciprocal-rank fusion as the app uses it, with top_k raised to 10). A hit is any chunk of
the question's own passage.

Answers, on a seeded random sample: the full pipeline (`RagService.answer`, with its refusal
and grounding checks) and, in the same run, question by question, a baseline: the same GGUF
model with the same parameters answering from plain BM25 top-3 with the minimal prompt
prompts/bench_baseline.yaml. CMRC gold
answers are spans and the model writes sentences; both replies are scored as written, after
the same `strip_markers` removes citation markers like [1]. A refused pipeline answer scores 0
(the refusal rate is reported beside it); the baseline has no refusal and is scored as-is.
"""

from __future__ import annotations

import argparse
import json
import random
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
from rag.services.grounding import is_refusal, strip_markers
from rag.services.index_store import IndexStore
from rag.services.rag_service import RagService
from rag.services.retrieval import HybridRetriever
from rag.settings import PROJECT_ROOT, Settings, load_settings

DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "bench" / "cmrc2018_trial.json"
RETRIEVAL_DEPTH = 10  # MRR@10
BASELINE_TOP_K = 3
MODES = ("dense", "bm25", "hybrid")


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


def sample_questions(questions: Sequence[Question], n: int, seed: int) -> list[Question]:
    """A seeded shuffle cut to n, so a smaller sample is a prefix of a larger one."""
    order = list(range(len(questions)))
    random.Random(seed).shuffle(order)
    return [questions[i] for i in order[:n]]


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
    # What the user reads, less citation markers and the not-grounded warning.
    prediction = "" if answer.refused else strip_markers(answer.raw_answer)
    record = _scored(q, prediction, seconds)
    record.update(
        refused=answer.refused,
        grounded=answer.grounded,
        reason=answer.reason,
        raw_answer=answer.raw_answer,
        raw_f1=round(f1_score(strip_markers(answer.raw_answer), q.answers), 4),
        gold_in_prompt=any(
            passage_of({"source": p.source}) == q.passage_id for p in answer.passages
        ),
    )
    return record


def answer_with_baseline(
    index: IndexStore, llm: LLM, prompt: ChatPrompt, refusal: str, q: Question
) -> dict[str, Any]:
    started = time.perf_counter()
    hits = index.bm25().query(q.text, BASELINE_TOP_K)
    system, user = prompt.render(
        question=q.text,
        passages=[{"number": i, "text": c.text} for i, (c, _) in enumerate(hits, start=1)],
    )
    response = llm.chat(
        [
            ChatMessage(role=MessageRole.SYSTEM, content=system),
            ChatMessage(role=MessageRole.USER, content=user),
        ]
    )
    reply = response.message.content or ""
    seconds = time.perf_counter() - started
    record = _scored(q, strip_markers(reply), seconds)
    record.update(
        refused=is_refusal(reply, refusal),
        raw_answer=reply,
        gold_in_prompt=any(passage_of(c.metadata) == q.passage_id for c, _ in hits),
    )
    return record


def answer_sample(
    service: RagService, sample: Sequence[Question], report: dict[str, Any], out: Path | None
) -> None:
    """Pipeline and baseline question by question, so a run cut short still compares like
    with like; the report is rewritten after every question. The baseline gets its own
    instance of the same model (the weights are memory-mapped, so shared) so that each
    system keeps its own prompt cache, as it would running alone."""
    started = time.perf_counter()
    _ = service.llm
    baseline_llm = build_llm(service.settings)
    answer_prompt = load_prompt(service.settings.answer.prompt)
    refusal = answer_prompt.values.get("refusal", "文档中没有找到这个问题的答案。")
    baseline_prompt = load_prompt("bench_baseline")
    report["answers"] = {
        "seed": report["config"]["seed"],
        "sample_requested": len(sample),
        "llm_load_s": round(time.perf_counter() - started, 1),
    }
    records: dict[str, list[dict[str, Any]]] = {"pipeline": [], "baseline": []}
    report["records"] = records
    for q in tqdm(sample, desc="answer", unit="question", file=sys.stderr):
        records["pipeline"].append(answer_with_pipeline(service, q))
        records["baseline"].append(
            answer_with_baseline(service.index, baseline_llm, baseline_prompt, refusal, q)
        )
        for name in ("pipeline", "baseline"):
            report["answers"][name] = summarise_answers(records[name])
        write_json(out, report)


def summarise_answers(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    n = max(1, len(records))
    seconds = [r["seconds"] for r in records]
    answered = [len(r["prediction"]) for r in records if not r["refused"]]
    summary = {
        "questions": len(records),
        "EM": round(100 * sum(r["em"] for r in records) / n, 1),
        "F1": round(100 * sum(r["f1"] for r in records) / n, 1),
        "refusal_rate": round(sum(bool(r["refused"]) for r in records) / n, 3),
        "gold_passage_in_prompt": round(sum(bool(r["gold_in_prompt"]) for r in records) / n, 3),
        "latency_p50_s": round(percentile(seconds, 50), 2),
        "latency_p95_s": round(percentile(seconds, 95), 2),
        # Gold answers are short spans; a long reply loses F1 precision.
        "mean_answer_chars": round(sum(answered) / max(1, len(answered)), 1),
    }
    if records and "raw_f1" in records[0]:
        summary["F1_before_refusal_checks"] = round(100 * sum(r["raw_f1"] for r in records) / n, 1)
    return summary


# -- report --------------------------------------------------------------------------------
def model_names(settings: Settings) -> dict[str, str]:
    embedding = settings.embedding.model if settings.embedding.mode != "mock" else "mock"
    llm = settings.llm.llamacpp.model if settings.llm.mode == "llamacpp" else settings.llm.mode
    return {"embedding": embedding, "llm": llm}


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
        rows = []
        for name, label in (
            ("pipeline", "pipeline: hybrid top-4, answer prompt, refusal/grounding checks"),
            ("baseline", "baseline: BM25 top-3, minimal prompt, no checks"),
        ):
            s = answers.get(name)
            if not s:
                continue
            rows.append(
                [
                    label,
                    s["questions"],
                    f"{s['EM']:.1f}",
                    f"{s['F1']:.1f}",
                    f"{100 * s['refusal_rate']:.0f}%",
                    f"{100 * s['gold_passage_in_prompt']:.0f}%",
                    f"{s.get('mean_answer_chars', float('nan')):.0f}",
                    f"{s['latency_p50_s']:.1f} / {s['latency_p95_s']:.1f}",
                ]
            )
        header = [
            "system", "n", "EM", "F1", "refused", "gold passage in prompt",
            "answer length (chars)", "p50 / p95 s",
        ]  # fmt: skip
        note = ""
        pipeline = answers.get("pipeline")
        if pipeline and "F1_before_refusal_checks" in pipeline:
            note = (
                f"\n\nPipeline F1 if refused answers kept the model's reply: "
                f"{pipeline['F1_before_refusal_checks']:.1f}."
            )
        parts.append(
            f"Answers, {rows[0][1] if rows else 0} of a seeded random sample of "
            f"{answers.get('sample_requested', '?')} questions (seed {answers['seed']}), "
            "CMRC EM/F1 in %:\n\n" + markdown_table(header, rows) + note
        )
    return "\n\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sample", type=int, default=100, help="questions answered (default 100)")
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--limit-passages", type=int, help="only the first N passages (quick runs)")
    parser.add_argument("--limit-questions", type=int, help="only the first N questions")
    parser.add_argument("--no-answers", action="store_true", help="retrieval only")
    parser.add_argument("--out", type=Path, help="write the full report (per question) as JSON")
    parser.add_argument("--render", type=Path, help="only print the tables of a saved report")
    args = parser.parse_args(argv)
    if args.render:
        saved = json.loads(args.render.read_text(encoding="utf-8"))
        for name, records in saved.get("records", {}).items():
            saved["answers"][name] = summarise_answers(records)
        print(render_markdown(saved))
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
        "config": {"sample": args.sample, "seed": args.seed},
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
        if not args.no_answers and args.sample > 0:
            sample = sample_questions(questions, args.sample, args.seed)
            answer_sample(service, sample, report, args.out)
    print(render_markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
