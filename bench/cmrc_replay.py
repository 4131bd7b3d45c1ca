"""The answer step's checks, before and after a change, on CMRC questions: the same questions
on a kept index, the model's replies kept by prompt, so that a change to what the code does
with a reply (extraction, answer_shape, scope) is measured in seconds once the replies are
there, and without llama.cpp's run-to-run noise.

    .venv/bin/python -m bench.cmrc_replay --kind several --out /tmp/after.json
    .venv/bin/python -m bench.cmrc_replay --sample 100 --seed 97 --out /tmp/after.json
    .venv/bin/python -m bench.cmrc_replay --unanswerable 100 --out /tmp/after.json
    .venv/bin/python -m bench.cmrc_replay --compare /tmp/before.json /tmp/after.json

The first run ingests the trial's passages into --index and asks the model; later runs reuse
both (--replies). To run the code before a change, check it out elsewhere (`git worktree add
/tmp/before HEAD`) and run this module from there with the same --index and --replies. A
reply is reused only for the very prompt it answered: a change to what the model is shown
(retrieval, windows, the prompt) asks it again, and then this is no cheaper than bench.cmrc.
`--unanswerable N` asks bench.cmrc's unanswerable variant (held-out passages, seed + 1) on a
reduced copy of the index, kept beside it. Records are bench.cmrc's pipeline records.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, cast

from llama_index.core.base.llms.types import ChatMessage, ChatResponse, MessageRole
from llama_index.core.llms import LLM

from bench import cmrc
from bench.report import write_json
from rag.components.llm import build_llm
from rag.services.rag_service import RagService
from rag.settings import load_settings


class KeptReplies:
    """The model behind a file of its replies, one per prompt (both messages, hashed):
    `stream_chat` gives the whole reply as one delta; anything else is the model's."""

    def __init__(self, llm: LLM, path: Path) -> None:
        self.llm = llm
        self.path = path
        self.replies: dict[str, str] = (
            json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        )
        self.asked = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.llm, name)  # count_tokens, where the model has one

    def stream_chat(self, messages: Sequence[ChatMessage]) -> Iterator[ChatResponse]:
        key = hashlib.sha1(
            json.dumps([(str(m.role), m.content) for m in messages], ensure_ascii=False).encode()
        ).hexdigest()
        if key not in self.replies:
            self.replies[key] = "".join(c.delta or "" for c in self.llm.stream_chat(messages))
            self.asked += 1
            write_json(self.path, self.replies)
        reply = self.replies[key]
        yield ChatResponse(
            message=ChatMessage(role=MessageRole.ASSISTANT, content=reply), delta=reply
        )


def compare(before: Path, after: Path) -> str:
    """The answers that changed, each with its F1 before and after, then the totals."""
    old = {r["query_id"]: r for r in json.loads(before.read_text(encoding="utf-8"))["records"]}
    new = json.loads(after.read_text(encoding="utf-8"))["records"]
    lines, better, worse = [], 0, 0
    for r in new:
        was = old.get(r["query_id"])
        if was is None or (was["short_answer"], was["refused"]) == (
            r["short_answer"],
            r["refused"],
        ):
            continue
        delta = r["f1"] - was["f1"]
        better, worse = better + (delta > 0), worse + (delta < 0)
        lines.append(
            f"{delta:+.2f} {r['question']} | {was['short_answer'] or '(refused)'} -> "
            f"{r['short_answer'] or '(refused)'} | gold {r['gold'][0][:60]}"
        )
    shared = [r for r in new if r["query_id"] in old]
    lines.append(f"{len(shared)} questions: {better} better, {worse} worse")
    for name, records in (("before", [old[r["query_id"]] for r in shared]), ("after", shared)):
        lines.append(f"{name}: {_summary(records)}")
    return "\n".join(lines)


def _summary(records: Sequence[dict[str, Any]]) -> str:
    n = max(1, len(records))
    em = 100 * sum(r["em"] for r in records) / n
    f1 = 100 * sum(r["f1"] for r in records) / n
    refused = sum(r["refused"] for r in records)
    return f"n={len(records)} EM {em:.1f} F1 {f1:.1f} refused {refused}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/bench/cmrc2018_trial.json"))
    parser.add_argument("--index", type=Path, default=Path("/tmp/cmrc-replay/index"))
    parser.add_argument("--replies", type=Path, default=Path("/tmp/cmrc-replay/replies.json"))
    parser.add_argument("--kind", choices=sorted(cmrc.KINDS), default="")
    parser.add_argument("--ids", default="", help="query ids, comma-separated")
    parser.add_argument("--sample", type=int, default=0, help="a seeded sample of this many")
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--unanswerable", type=int, default=0)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args(argv)
    if args.compare:
        print(compare(*args.compare))
        return 0

    passages, questions = cmrc.load_cmrc(args.data)
    settings = load_settings()
    llm = KeptReplies(build_llm(settings), args.replies)
    service = RagService(settings, index_dir=args.index, llm=cast(LLM, llm))
    if service.index.chunk_count() == 0:
        cmrc.ingest(service, passages, args.index.parent / "passages")
    asked = [q for q in questions if q.text.strip()]
    if args.unanswerable:
        # drawn as bench.cmrc draws them, from all the questions
        selected = cmrc.select_unanswerable(questions, args.unanswerable, args.seed)
        held_out = cmrc.held_out_passages(selected)
        asked, _ = cmrc.drop_answered_elsewhere(selected, passages, held_out)
        reduced = args.index.with_name(f"{args.index.name}-without-{args.seed + 1}")
        if reduced.exists():
            service = RagService(
                settings, index_dir=reduced, embed_model=service.embed_model, llm=cast(LLM, llm)
            )
        else:
            service = cmrc.build_reduced_index(service, held_out, reduced, llm=cast(LLM, llm))
    asked = cmrc.of_kind(asked, args.kind)
    if args.ids:
        wanted = set(args.ids.split(","))
        asked = [q for q in asked if q.query_id in wanted]
    if args.sample:
        asked = cmrc.sample_questions(asked, args.sample, args.seed)
    started = time.perf_counter()
    records = []
    for q in asked:
        record = cmrc.answer_with_pipeline(service, q)
        records.append(record)
        print(
            f"{record['f1']:.2f} {q.text} -> {record['short_answer'] or '(refused)'}",
            file=sys.stderr,
        )
    report = {
        "command": " ".join(["python -m bench.cmrc_replay", *(argv or sys.argv[1:])]),
        "summary": _summary(records),
        "model_calls": llm.asked,
        "seconds": round(time.perf_counter() - started, 1),
        "records": records,
    }
    write_json(args.out, report)
    print(f"{report['summary']}; {llm.asked} model calls")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
