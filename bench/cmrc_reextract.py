"""The answer step's checks on every CMRC reply the project has recorded: each reply in
`bench/results/cmrc*.json` (a record's `raw_answer`) is checked again by today's code
against its own passage, with no retrieval and no model, so a change to what the code does
with a reply is seen on ~800 replies in seconds.

    .venv/bin/python -m bench.cmrc_reextract --out /tmp/after.json
    PYTHONPATH=/tmp/before .venv/bin/python /tmp/before/bench/cmrc_reextract.py --out /tmp/before.json
    .venv/bin/python -m bench.cmrc_replay --compare /tmp/before.json /tmp/after.json

A quick check, not a benchmark: the reply was given with the retrieved passages in the
prompt, and here only the gold passage is offered, so a reply copied from another passage is
refused. What counts is the difference between two versions of the code on the same
replies; `bench.cmrc_replay` measures the same thing with retrieval. A query's first record
(files in name order) is the one used.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from bench import cmrc
from bench.cmrc_metrics import exact_match, f1_score
from bench.cmrc_replay import _summary
from bench.report import write_json
from rag.services.extraction import extract_answer
from rag.settings import load_settings


def recorded_replies(paths: Iterable[Path]) -> dict[str, str]:
    """query id → the model's reply, from the pipeline records of saved bench reports."""
    replies: dict[str, str] = {}
    for path in sorted(paths):
        report = json.loads(path.read_text(encoding="utf-8"))
        records = report.get("records") if isinstance(report, dict) else report
        if isinstance(records, dict):
            records = records.get("pipeline")
        for record in records if isinstance(records, list) else []:
            if isinstance(record, dict) and "raw_answer" in record and "query_id" in record:
                replies.setdefault(record["query_id"], record["raw_answer"])
    return replies


def reextract(
    questions: Sequence[cmrc.Question],
    passages: dict[str, cmrc.Passage],
    replies: dict[str, str],
    min_metric_support: float,
) -> list[dict[str, Any]]:
    """One record per question with a recorded reply, in `bench.cmrc_replay`'s fields."""
    records = []
    for q in questions:
        if q.query_id not in replies:
            continue
        passage = passages[q.passage_id]
        raw = replies[q.query_id]
        found = extract_answer(q.text, raw, [(passage.title, passage.text, "")], min_metric_support)
        short = "；".join(p.answer for p in found.parts)
        records.append(
            {
                "query_id": q.query_id,
                "question": q.text,
                "gold": q.answers,
                "raw_answer": raw,
                "short_answer": short,
                "refused": not found.parts,
                "f1": round(f1_score(short, q.answers), 4),
                "em": exact_match(short, q.answers),
            }
        )
    return records


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/bench/cmrc2018_trial.json"))
    parser.add_argument("--results", type=Path, default=Path("bench/results"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    passages, questions = cmrc.load_cmrc(args.data)
    replies = recorded_replies(args.results.glob("cmrc*.json"))
    support = load_settings().answer.min_metric_support
    records = reextract(questions, {p.passage_id: p for p in passages}, replies, support)
    report = {
        "command": " ".join(["python -m bench.cmrc_reextract", *(argv or sys.argv[1:])]),
        "summary": _summary(records),
        "records": records,
    }
    if args.out:
        write_json(args.out, report)
    print(report["summary"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
