"""Embedding backends side by side on CMRC 2018 trial: ingest speed, query speed, retrieval.

    .venv/bin/python -m bench.embedding_backends [--backends torch:16,torch:4,onnxruntime:4,openvino:4]
                                                 [--latency-queries 200]
                                                 [--out bench/results/embedding_backends.json]

Each backend (`backend:batch_size`) ingests all 256 passages through the real ingest path
(`RagService.ingest`, read, repair, chunk, embed, Chroma + BM25 commit) into its own temporary
index, timed; then every question (1,002) is retrieved from that index (dense, BM25, hybrid:
R@1, R@5, MRR@10, as bench/cmrc.py scores them), and the first `--latency-queries` questions
are embedded one by one (`get_query_embedding`, as a user's question is) for p50/p95. The first
backend is the baseline every ratio is taken against (default: torch with batch 16, the
settings before the ONNX backends). Finally the baseline's index is queried with the last
backend's question vectors ("cross"), since an index built by one backend may be queried by
another after a settings change.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.cmrc import DEFAULT_DATA, MODES, Question, ingest, load_cmrc, retrieval_ranks
from bench.cmrc_metrics import percentile, summarise_ranks
from bench.report import describe_machine, machine_line, markdown_table, write_json
from rag.services.rag_service import RagService
from rag.settings import Settings, load_settings

DEFAULT_BACKENDS = "torch:16,torch:4,onnxruntime:4,openvino:4"


def backend_settings(base: Settings, spec: str) -> Settings:
    backend, _, batch = spec.partition(":")
    embedding = base.embedding.model_copy(
        update={"backend": backend, "batch_size": int(batch or base.embedding.batch_size)}
    )
    return base.model_copy(update={"embedding": embedding})


def query_latency(service: RagService, questions: Sequence[Question]) -> dict[str, float]:
    embed = service.embed_model
    embed.get_query_embedding("预热")
    seconds = []
    for q in questions:
        started = time.perf_counter()
        embed.get_query_embedding(q.text)
        seconds.append(time.perf_counter() - started)
    ms = [s * 1000 for s in seconds]
    return {"p50_ms": round(percentile(ms, 50), 1), "p95_ms": round(percentile(ms, 95), 1)}


def measure_backend(
    settings: Settings,
    spec: str,
    passages: Any,
    questions: Sequence[Question],
    n_latency: int,
    tmp: Path,
) -> dict[str, Any]:
    folder = tmp / spec.replace(":", "-")
    service = RagService(backend_settings(settings, spec), index_dir=folder / "index")
    started = time.perf_counter()
    _ = service.embed_model
    load_s = time.perf_counter() - started
    block: dict[str, Any] = {"backend": spec, "load_s": round(load_s, 1)}
    block["ingest"] = ingest(service, passages, folder)
    block["query"] = query_latency(service, questions[:n_latency])
    ranks = retrieval_ranks(service, questions)
    block["retrieval"] = {mode: summarise_ranks(ranks[mode]) for mode in MODES}
    block["index_dir"] = str(folder / "index")
    print(f"{spec}: {block}", file=sys.stderr)
    return block


def cross_retrieval(
    settings: Settings, index_dir: str, spec: str, questions: Sequence[Question]
) -> dict[str, Any]:
    """The baseline's index queried with `spec`'s question vectors."""
    service = RagService(backend_settings(settings, spec), index_dir=Path(index_dir))
    ranks = retrieval_ranks(service, questions)
    return {
        "query_backend": spec,
        "retrieval": {mode: summarise_ranks(ranks[mode]) for mode in MODES},
    }


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}×" if base else "n/a"


def render_markdown(report: dict[str, Any]) -> str:
    blocks = report["backends"]
    base = blocks[0]
    lines = [f"Machine: {machine_line(report['machine'])}", ""]
    rows = []
    for b in blocks:
        rows.append(
            [
                b["backend"],
                b["ingest"]["chunks"],
                b["ingest"]["seconds"],
                b["ingest"]["chunks_per_s"],
                _ratio(b["ingest"]["chunks_per_s"], base["ingest"]["chunks_per_s"]),
                f"{b['query']['p50_ms']} / {b['query']['p95_ms']}",
                _ratio(base["query"]["p50_ms"], b["query"]["p50_ms"]),
                b["load_s"],
            ]
        )
    lines.append(
        markdown_table(
            [
                "backend:batch",
                "chunks",
                "ingest s",
                "chunks/s",
                "× baseline",
                "query embedding p50 / p95 ms",
                "× faster p50",
                "load s",
            ],
            rows,
        )
    )
    lines.append("")
    rows = []
    for name, retrieval in [(b["backend"], b["retrieval"]) for b in blocks] + (
        [
            (
                f"cross: {base['backend']} index, {report['cross']['query_backend']} questions",
                report["cross"]["retrieval"],
            )
        ]
        if report.get("cross")
        else []
    ):
        row: list[object] = [name]
        for mode in ("dense", "hybrid", "bm25"):
            r = retrieval[mode]
            d5 = (r["R@5"] - base["retrieval"][mode]["R@5"]) * 100
            dm = (r["MRR@10"] - base["retrieval"][mode]["MRR@10"]) * 100
            row.append(
                f"{r['R@1']:.3f} / {r['R@5']:.3f} / {r['MRR@10']:.3f} ({d5:+.1f} / {dm:+.1f})"
            )
        rows.append(row)
    lines.append(
        markdown_table(
            [
                f"{report['questions']} questions: R@1 / R@5 / MRR@10 (points vs baseline R@5 / MRR)",
                "dense",
                "hybrid",
                "BM25",
            ],
            rows,
        )
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--backends",
        default=DEFAULT_BACKENDS,
        help="backend:batch, comma-separated; the first is the baseline",
    )
    parser.add_argument("--latency-queries", type=int, default=200)
    parser.add_argument("--limit-passages", type=int, help="only the first N passages (quick runs)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)

    passages, questions = load_cmrc(args.data)
    if args.limit_passages:
        passages = passages[: args.limit_passages]
        kept = {p.passage_id for p in passages}
        questions = [q for q in questions if q.passage_id in kept]
    settings = load_settings()
    specs = [s.strip() for s in args.backends.split(",") if s.strip()]
    report: dict[str, Any] = {
        "benchmark": "embedding backends, CMRC 2018 trial",
        "command": " ".join(
            ["python -m bench.embedding_backends", *(argv if argv is not None else sys.argv[1:])]
        ),
        "machine": describe_machine(),
        "model": settings.embedding.model,
        "passages": len(passages),
        "questions": len(questions),
        "backends": [],
    }
    with tempfile.TemporaryDirectory(prefix="embedding-bench-") as tmp:
        for spec in specs:
            report["backends"].append(
                measure_backend(
                    settings, spec, passages, questions, args.latency_queries, Path(tmp)
                )
            )
            write_json(args.out, report)
        if len(specs) > 1:
            report["cross"] = cross_retrieval(
                settings, report["backends"][0]["index_dir"], specs[-1], questions
            )
        write_json(args.out, report)
    print(render_markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
