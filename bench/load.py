"""Answers under load: N threads calling `answer()` at once while an ingest writes into the
same index. Prints per-answer p50/p95 against the same questions asked one at a time, the
ingest's time, and checks that every answer is the one it gives alone (no answer mixed with
another's, no crash).

    .venv/bin/python -m bench.load [--threads 8] [--out bench/results/load.json]

Real models and a fresh temporary index of seeds/; the ingest adds generated text files.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.report import describe_machine, machine_line, markdown_table, write_json
from rag.services.eval_metrics import percentile
from rag.services.rag_service import RagService
from rag.settings import PROJECT_ROOT, load_settings

QUESTIONS = [
    "克州1-9月外贸总额",
    "2024年1至8月克州外贸进出口总额是多少？",
    "宿迁绿色产业洽谈会签约了多少个项目？",
    "常州2023年新能源整车产量是多少？",
    "克州2025年前三季度外贸进出口总额同比增长多少？",
    "阿图什市签约了几个项目？",
    "克州2024年全年外贸进出口总额是多少？",
    "江苏省锂离子电池产量占全国的比重是多少？",
]


def _extra_files(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    words = ["园区", "招商", "项目", "投资", "产业", "签约", "物流", "农业"]
    for i in range(count):
        body = "".join(f"{words[(i + j) % 8]}第{j}期建设。" for j in range(300))
        (folder / f"extra_{i}.txt").write_text(f"开发区建设简报{i}\n{body}", encoding="utf-8")
    return folder


def _timed(service: RagService, question: str) -> tuple[str, bool, float]:
    started = time.perf_counter()
    answer = service.answer(question)
    return answer.short_answer, answer.refused, time.perf_counter() - started


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def run(threads: int, workdir: Path) -> dict[str, Any]:
    settings = load_settings().model_copy(update={"index_dir": workdir / "index"})
    service = RagService(settings)
    service.ingest([PROJECT_ROOT / "seeds"], progress=False)
    questions = (QUESTIONS * (threads // len(QUESTIONS) + 1))[:threads]
    _ = service.llm
    alone = [_timed(service, q) for q in questions]

    extra = _extra_files(workdir / "extra", 6)
    ingest_seconds: list[float] = []

    def ingest() -> None:
        started = time.perf_counter()
        service.ingest([extra], progress=False)
        ingest_seconds.append(time.perf_counter() - started)

    writer = threading.Thread(target=ingest)
    started = time.perf_counter()
    writer.start()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        together = list(pool.map(lambda q: _timed(service, q), questions))
    writer.join()
    wall = time.perf_counter() - started
    same = [a[:2] == b[:2] for a, b in zip(alone, together, strict=True)]
    return {
        "benchmark": "answers under load",
        "command": " ".join(["python -m bench.load", *sys.argv[1:]]),
        "machine": describe_machine(),
        "threads": threads,
        "questions": questions,
        "alone_s": [round(a[2], 3) for a in alone],
        "together_s": [round(t[2], 3) for t in together],
        "alone_p50_s": _rounded(percentile([a[2] for a in alone], 50)),
        "alone_p95_s": _rounded(percentile([a[2] for a in alone], 95)),
        "together_p50_s": _rounded(percentile([t[2] for t in together], 50)),
        "together_p95_s": _rounded(percentile([t[2] for t in together], 95)),
        "wall_s": round(wall, 2),
        "ingest_s": round(ingest_seconds[0], 2) if ingest_seconds else None,
        "chunks_after": service.index.chunk_count(),
        "same_answer_as_alone": sum(same),
        "mismatches": [
            {"question": q, "alone": a[0], "together": t[0]}
            for q, a, t, ok in zip(questions, alone, together, same, strict=True)
            if not ok
        ],
    }


def render(report: dict[str, Any]) -> str:
    rows = [
        ["alone, one after another", report["alone_p50_s"], report["alone_p95_s"]],
        [f"{report['threads']} threads at once + an ingest", report["together_p50_s"],
         report["together_p95_s"]],
    ]  # fmt: skip
    return "\n".join(
        [
            machine_line(report["machine"]),
            "",
            markdown_table(["answers", "p50 s", "p95 s"], rows),
            "",
            f"All {report['threads']} at once took {report['wall_s']} s; the ingest beside them "
            f"{report['ingest_s']} s ({report['chunks_after']} chunks after it). Same short "
            f"answer and refusal as alone: {report['same_answer_as_alone']}/{report['threads']}.",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rag-load-") as tmp:
        report = run(args.threads, Path(tmp))
    write_json(args.out, report)
    print(render(report))
    return 0 if not report["mismatches"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
