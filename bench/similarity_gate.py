"""The retrieval gate on CMRC 2018 trial: which questions it refuses before the LLM is asked.

    .venv/bin/python -m bench.similarity_gate [--answer] [--out bench/results/gate_coverage.json]

`AnswerService` refuses without asking the model when `retrieval.worth_asking` says no: the
best dense hit is below `retrieval.min_dense_similarity`, no retrieved passage holds a name or
quoted term of the question, and the top passage writes less than
`retrieval.min_term_coverage` of the question's words (`chinese_tokens.term_coverage`).
This script applies the same gate, model-free (embedding
only), to every CMRC trial question on the full index (answerable: each question's passage is
there) and to the unanswerable variant of `bench.cmrc` (default seed: the same questions and
reduced index as `bench.cmrc --unanswerable 100`). It prints, for each side, how many
questions fall below the similarity and how many of those the top passage's coverage lets
through at several thresholds: a threshold that lets answerable questions through and no
unanswerable one is what the setting wants. With `--answer`, the pipeline (`RagService.answer`,
the real LLM) answers every answerable question the coverage lets through at the setting, and
each answer is scored with CMRC's metric: what letting them through buys. About 3 minutes on 2
cores (the ingest), and a few seconds per answer.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.cmrc import (
    DEFAULT_DATA,
    build_reduced_index,
    drop_answered_elsewhere,
    held_out_passages,
    ingest,
    load_cmrc,
    passage_of,
    select_unanswerable,
)
from bench.cmrc_metrics import exact_match, f1_score
from bench.report import describe_machine, write_json
from rag.components.chinese_tokens import term_coverage
from rag.services.rag_service import RagService
from rag.services.retrieval import best_similarity, worth_asking
from rag.settings import Settings, load_settings

THRESHOLDS = (0.4, 0.5, 0.6, 0.7, 0.8, 1.0)


def gate_row(service: RagService, question: str, passage_id: str) -> dict[str, Any]:
    """What the gate sees for one question: its best similarity, whether the gate without
    the coverage rule would refuse it, the top chunk's coverage, and whether that chunk is
    the question's own passage."""
    hits = service.retriever().retrieve(question)
    settings = service.settings.retrieval
    top = hits[0].node if hits else None
    without_coverage = settings.model_copy(update={"min_term_coverage": 2.0})  # never met
    return {
        "question": question,
        "best_similarity": round(best_similarity(hits), 4),
        "gated": not worth_asking(question, hits, without_coverage),
        "coverage": round(term_coverage(question, top.get_content()), 3) if top else 0.0,
        "top_is_own_passage": top is not None and passage_of(top.metadata) == passage_id,
    }


def summarise(rows: Sequence[dict[str, Any]], settings: Settings) -> dict[str, Any]:
    gated = [r for r in rows if r["gated"]]
    return {
        "questions": len(rows),
        "below_similarity": len(gated),
        "let_through_at": {str(t): sum(r["coverage"] >= t for r in gated) for t in THRESHOLDS},
        "refused_at_setting": sum(
            r["coverage"] < settings.retrieval.min_term_coverage for r in gated
        ),
        "gated": sorted(gated, key=lambda r: -r["coverage"]),
    }


def answer_let_through(
    service: RagService, rows: Sequence[dict[str, Any]], golds: dict[str, list[str]]
) -> dict[str, Any]:
    """The pipeline's answers to the gated questions that the coverage now lets through."""
    floor = service.settings.retrieval.min_term_coverage
    answers = []
    for row in rows:
        if not row["gated"] or row["coverage"] < floor:
            continue
        answer = service.answer(row["question"])
        gold = golds[row["question"]]
        answers.append(
            {
                "question": row["question"],
                "gold": gold,
                "short_answer": answer.short_answer,
                "refused": answer.refused,
                "em": exact_match(answer.short_answer, gold),
                "f1": round(f1_score(answer.short_answer, gold), 4),
            }
        )
    n = len(answers) or 1
    return {
        "questions": len(answers),
        "refused": sum(a["refused"] for a in answers),
        "EM": round(100 * sum(a["em"] for a in answers) / n, 1),
        "F1": round(100 * sum(a["f1"] for a in answers) / n, 1),
        "answers": answers,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--unanswerable", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2018, help="as bench.cmrc's --seed")
    parser.add_argument("--answer", action="store_true", help="answer the let-through (LLM)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    passages, questions = load_cmrc(args.data)
    settings = load_settings()
    report: dict[str, Any] = {
        "benchmark": "CMRC 2018 trial: the retrieval gate before the LLM",
        "command": " ".join(
            ["python -m bench.similarity_gate", *(argv if argv is not None else sys.argv[1:])]
        ),
        "machine": describe_machine(),
        "settings": settings.retrieval.model_dump(),
    }
    with tempfile.TemporaryDirectory(prefix="gate-bench-") as tmp:
        service = RagService(settings, index_dir=Path(tmp) / "index")
        report["ingest"] = ingest(service, passages, Path(tmp))
        answerable = [gate_row(service, q.text, q.passage_id) for q in questions]
        if args.answer:
            golds = {q.text: list(q.answers) for q in questions}
            report["let_through_answers"] = answer_let_through(service, answerable, golds)
        selected = select_unanswerable(questions, args.unanswerable, args.seed)
        held_out = held_out_passages(selected)
        kept, _ = drop_answered_elsewhere(selected, passages, held_out)
        reduced = build_reduced_index(service, held_out, Path(tmp) / "index-unanswerable")
        unanswerable = [gate_row(reduced, q.text, q.passage_id) for q in kept]
    report["answerable"] = summarise(answerable, settings)
    report["unanswerable"] = summarise(unanswerable, settings)
    write_json(args.out, report)
    for side in ("answerable", "unanswerable"):
        block = report[side]
        through = ", ".join(f">= {t}: {n}" for t, n in block["let_through_at"].items())
        print(
            f"{side}: {block['questions']} questions, {block['below_similarity']} below "
            f"similarity {settings.retrieval.min_dense_similarity} with no name in a hit; "
            f"let through by the top passage's coverage {through}; refused at the setting "
            f"({settings.retrieval.min_term_coverage}): {block['refused_at_setting']}"
        )
    if args.answer:
        block = report["let_through_answers"]
        print(
            f"let through and answered by the pipeline: {block['questions']} questions, "
            f"{block['refused']} refused, EM {block['EM']}, F1 {block['F1']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
