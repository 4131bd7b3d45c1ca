"""Performance figures: ingest vs raw embedding, retrieval latency by index size, answer overhead.

    .venv/bin/python -m bench.perf [--passages 64] [--sizes 1000,10000] [--queries 100]
                                   [--answers 10] [--out bench/results/perf.json]

1. Ingest throughput. The first 64 CMRC 2018 trial passages (about 135 chunks) go through `RagService.ingest` (read, repair,
   chunk, embed, commit to Chroma and BM25); then the same SentenceTransformer encodes the same
   chunk texts (`encode_document`, same batch size, one call) with nothing around it. Ratio =
   raw chunks/s ÷ pipeline chunks/s.
2. Retrieval latency at about 1k and 10k chunks. Embedding 10k chunks would take over an hour
   on a laptop CPU, so the large indexes are synthesised from the real one: every chunk of step 1
   is copied under new ids (copy c of passage P is document P~c), its embedding perturbed by
   Gaussian noise of norm 0.1 and renormalised (cosine ≈ 0.995 to the original; copy 0 is
   unchanged), its text kept. The copies go through the project's own write path
   (`IndexStore.commit`: Chroma add, docstore, BM25 rebuilt over all chunks; in commits of
   5,000 chunks, the most Chroma takes in one add), so the indexes are what ingests leave. The texts repeat, so the BM25 vocabulary is that of the
   real passages while every posting list grows with the copies.
3. Answer latency: time to first token and total of `RagService.stream` against
   `llama_cpp.Llama.create_chat_completion(stream=True)` called directly, on a second Llama
   instance of the same file and parameters, with the exact messages the pipeline sent.
   Each instance keeps its own prompt cache, and both saw the previous question's prompt.

Only figures are printed; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from llama_index.core.schema import NodeRelationship, QueryBundle, RelatedNodeInfo, TextNode
from llama_index.core.vector_stores.types import VectorStoreQuery

from bench.cmrc import DEFAULT_DATA, load_cmrc, model_names, write_passages
from bench.cmrc_metrics import percentile
from bench.report import describe_machine, machine_line, markdown_table, write_json
from rag.services.answer import Answer
from rag.services.index_store import Change, IndexStore
from rag.services.rag_service import RagService
from rag.settings import load_settings

NOISE_NORM = 0.1
COMMIT_BATCH = 5000


def _ms(values: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": round(1000 * percentile(values, 50), 1),
        "p95_ms": round(1000 * percentile(values, 95), 1),
    }


# -- 1. ingest -----------------------------------------------------------------------------
def measure_ingest(service: RagService, passages_dir: Path) -> dict[str, Any]:
    started = time.perf_counter()
    embed = service.embed_model
    load_s = time.perf_counter() - started
    embed.get_text_embedding_batch(["预热", "warm-up"])  # first-call set-up stays out of the timing
    started = time.perf_counter()
    report = service.ingest([passages_dir], progress=True)
    pipeline_s = time.perf_counter() - started
    chunks = report.chunks_added
    result: dict[str, Any] = {
        "passages": len(report.added),
        "chunks": chunks,
        "embedding_model_load_s": round(load_s, 1),
        "pipeline_s": round(pipeline_s, 1),
        "pipeline_chunks_per_s": round(chunks / pipeline_s, 2),
    }
    model = getattr(embed, "_model", None)
    if model is None or not hasattr(model, "encode_document"):
        result["raw"] = "skipped: the embedding is not a sentence-transformers model"
        return result
    # The exact strings the pipeline embedded: chunk text plus the metadata it lets through.
    texts = [
        n.get_content(metadata_mode="embed") for n in service.index.vector_store.get_nodes(None)
    ]
    started = time.perf_counter()
    model.encode_document(
        texts, normalize_embeddings=True, batch_size=service.settings.embedding.batch_size
    )
    raw_s = time.perf_counter() - started
    result.update(
        raw_texts=len(texts),
        raw_s=round(raw_s, 1),
        raw_chunks_per_s=round(len(texts) / raw_s, 2),
        raw_over_pipeline=round((len(texts) / raw_s) / (chunks / pipeline_s), 3),
    )
    return result


# -- 2. retrieval latency ------------------------------------------------------------------
def _perturbed(vector: Sequence[float], rng: random.Random) -> list[float]:
    sigma = NOISE_NORM / math.sqrt(len(vector))
    noisy = [x + rng.gauss(0.0, sigma) for x in vector]
    norm = math.sqrt(sum(x * x for x in noisy)) or 1.0
    return [x / norm for x in noisy]


def synthetic_nodes(source: IndexStore, size: int, seed: int) -> list[TextNode]:
    """`size` chunks: the real ones (copy 0), then perturbed copies under new document ids."""
    nodes = source.vector_store.get_nodes(None)
    nodes.sort(key=lambda n: (str(n.metadata.get("source")), int(n.metadata.get("start", 0))))
    got = source.vector_store._collection.get(
        ids=[n.node_id for n in nodes], include=["embeddings"]
    )
    vectors = {i: [float(x) for x in v] for i, v in zip(got["ids"], got["embeddings"], strict=True)}
    rng = random.Random(seed)
    out: list[TextNode] = []
    copy = 0
    while len(out) < size:
        for node in nodes:
            if len(out) >= size:
                break
            meta = dict(node.metadata)
            file_id = f"{meta.get('file_id', node.node_id)}~{copy}"
            meta.update(file_id=file_id, source=f"{copy:03d}~{meta.get('source', '')}")
            vector = vectors[node.node_id]
            out.append(
                TextNode(
                    id_=f"{node.node_id}~{copy}",
                    text=node.get_content(),
                    metadata=meta,
                    excluded_embed_metadata_keys=list(node.excluded_embed_metadata_keys),
                    excluded_llm_metadata_keys=list(node.excluded_llm_metadata_keys),
                    relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=file_id)},
                    embedding=vector if copy == 0 else _perturbed(vector, rng),
                )
            )
        copy += 1
    return out


def fill_synthetic_index(target: IndexStore, source: IndexStore, size: int, seed: int) -> float:
    """Commits `size` synthetic chunks into the empty `target`; returns the commits' seconds.

    In commits of at most COMMIT_BATCH chunks: Chroma refuses a larger add (its max batch
    size is 5461 here), so one commit of 10k chunks fails, as would one ingest that big."""
    nodes = synthetic_nodes(source, size, seed)
    seconds = 0.0
    for start in range(0, len(nodes), COMMIT_BATCH):
        part = nodes[start : start + COMMIT_BATCH]
        change = Change(nodes=list(part))
        for node in part:
            change.doc_hashes[str(node.metadata["file_id"])] = "synthetic"
        started = time.perf_counter()
        target.commit(change)
        seconds += time.perf_counter() - started
    return seconds


def _folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def _rss_bytes() -> int:
    """This process's resident memory now (Linux), with every index so far still open."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def measure_retrieval(service: RagService, questions: Sequence[str]) -> dict[str, Any]:
    """p50/p95 per stage over the questions, after one warm-up query."""
    cfg = service.settings.retrieval
    embed = service.embed_model
    retriever = service.retriever()
    bm25 = service.index.bm25()
    store = service.index.vector_store
    retriever.retrieve(questions[0])
    times: dict[str, list[float]] = {
        "query_embedding": [],
        "chroma_search": [],
        "dense": [],
        "bm25": [],
        "hybrid": [],
    }
    for q in questions:
        # The query is embedded once; dense and hybrid are that time plus their own search.
        started = time.perf_counter()
        vector = embed.get_query_embedding(q)
        embedded = time.perf_counter()
        store.query(VectorStoreQuery(query_embedding=vector, similarity_top_k=cfg.dense_top_k))
        done = time.perf_counter()
        times["query_embedding"].append(embedded - started)
        times["chroma_search"].append(done - embedded)
        times["dense"].append(done - started)
        times["bm25"].append(_timed(lambda q=q: bm25.query(q, cfg.bm25_top_k)))
        bundle = QueryBundle(q, embedding=vector)
        hybrid_search = _timed(lambda bundle=bundle: retriever.retrieve(bundle))
        times["hybrid"].append(embedded - started + hybrid_search)
    return {
        "chunks": service.index.chunk_count(),
        "queries": len(questions),
        **{stage: _ms(values) for stage, values in times.items()},
    }


# -- 3. answer latency ---------------------------------------------------------------------
class _RecordingLlama:
    """Stands in for the pipeline's Llama: passes every call through, keeps the last kwargs."""

    def __init__(self, llama: Any) -> None:
        self.llama = llama
        self.last_call: dict[str, Any] | None = None

    def create_chat_completion(self, **kwargs: Any) -> Any:
        self.last_call = dict(kwargs)
        return self.llama.create_chat_completion(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.llama, name)


def _pipeline_run(service: RagService, question: str) -> tuple[float | None, float, int, Answer]:
    started = time.perf_counter()
    first: float | None = None
    pieces = 0
    final: Answer | None = None
    for event in service.stream(question):
        if isinstance(event, Answer):
            final = event
        elif event:
            pieces += 1
            if first is None:
                first = time.perf_counter() - started
    assert final is not None
    return first, time.perf_counter() - started, pieces, final


def _direct_run(llama: Any, call: dict[str, Any]) -> tuple[float | None, float, int]:
    started = time.perf_counter()
    first: float | None = None
    pieces = 0
    for part in llama.create_chat_completion(**{**call, "stream": True}):
        if part["choices"][0]["delta"].get("content"):
            pieces += 1
            if first is None:
                first = time.perf_counter() - started
    return first, time.perf_counter() - started, pieces


def measure_answers(service: RagService, questions: Sequence[str]) -> dict[str, Any]:
    if service.settings.llm.mode != "llamacpp":
        return {"skipped": f"llm.mode is {service.settings.llm.mode!r}, not llamacpp"}
    from llama_cpp import Llama

    llm: Any = service.llm
    recorder = _RecordingLlama(llm._llama)
    llm._llama = recorder
    cfg = service.settings.llm.llamacpp
    direct = Llama(
        model_path=llm.model_path,
        n_ctx=cfg.n_ctx,
        n_threads=cfg.n_threads or os.cpu_count() or 2,
        verbose=False,
        seed=0,
    )
    rows: list[dict[str, Any]] = []
    warmed_up = False
    for question in questions:
        recorder.last_call = None
        ttft, total, pieces, answer = _pipeline_run(service, question)
        if recorder.last_call is None or ttft is None:
            continue  # refused before the LLM was asked: nothing to compare
        d_ttft, d_total, d_pieces = _direct_run(direct, recorder.last_call)
        if not warmed_up:
            warmed_up = True  # the first answer warms both up and is not counted
            continue
        rows.append(
            {
                "question": question,
                "pipeline_ttft_s": round(ttft, 3),
                "pipeline_total_s": round(total, 3),
                "pipeline_pieces": pieces,
                "direct_ttft_s": round(d_ttft or d_total, 3),
                "direct_total_s": round(d_total, 3),
                "direct_pieces": d_pieces,
                "refused": answer.refused,
            }
        )
    if not rows:
        return {"skipped": "no question reached the LLM"}

    def p(key: str, q: float) -> float:
        return round(percentile([r[key] for r in rows], q), 2)

    return {
        "questions": len(rows),
        "same_output_length": sum(r["pipeline_pieces"] == r["direct_pieces"] for r in rows),
        **{f"{k}_p{q}_s": p(k, q) for k in _ANSWER_KEYS for q in (50, 95)},
        "ttft_overhead_ratio": round(p("pipeline_ttft_s", 50) / p("direct_ttft_s", 50), 2),
        "total_overhead_ratio": round(p("pipeline_total_s", 50) / p("direct_total_s", 50), 2),
        "rows": rows,
    }


_ANSWER_KEYS = ("pipeline_ttft_s", "direct_ttft_s", "pipeline_total_s", "direct_total_s")


# -- report --------------------------------------------------------------------------------
def render_markdown(report: dict[str, Any]) -> str:
    parts = [f"Machine: {machine_line(report['machine'])}"]
    ing = report["ingest"]
    rows = [
        [
            "pipeline (`RagService.ingest`)",
            ing["chunks"],
            ing["pipeline_s"],
            ing["pipeline_chunks_per_s"],
        ]
    ]
    if "raw_s" in ing:
        rows.append(
            [
                "raw `encode_document`, same texts",
                ing["raw_texts"],
                ing["raw_s"],
                ing["raw_chunks_per_s"],
            ]
        )
    parts.append(
        f"Ingest, {ing['passages']} CMRC passages:\n\n"
        + markdown_table(["", "chunks", "seconds", "chunks/s"], rows)
        + (
            f"\n\nRaw ÷ pipeline throughput: **{ing['raw_over_pipeline']}**"
            if "raw_over_pipeline" in ing
            else ""
        )
    )
    stages = ["query_embedding", "chroma_search", "dense", "bm25", "hybrid"]
    rows = []
    for r in report["retrieval"]:
        rows.append(
            [f"{r['label']} ({r['chunks']})"]
            + [f"{r[s]['p50_ms']:.0f} / {r[s]['p95_ms']:.0f}" for s in stages]
        )
    parts.append(
        "Retrieval latency, p50 / p95 in ms over "
        f"{report['retrieval'][0]['queries']} CMRC questions (dense = query embedding + Chroma "
        "search; hybrid = query embedding + the app's HybridRetriever: Chroma, BM25, fusion):\n\n"
        + markdown_table(
            ["index (chunks)", "query embedding", "Chroma search", "dense", "BM25", "hybrid"], rows
        )
    )
    synthetic = [r for r in report["retrieval"] if "disk_mb" in r]
    if synthetic:
        rows = [
            [
                r["chunks"],
                r["commit_s"],
                round(r["chunks"] / r["commit_s"]),
                r["disk_mb"],
                r["rss_mb"],
            ]
            for r in synthetic
        ]
        parts.append(
            "Synthetic indexes: commits (Chroma + registry + keyword index), folder on disk, "
            "process memory with every index so far open:\n\n"
            + markdown_table(["chunks", "commit s", "chunks/s", "disk MB", "RSS MB"], rows)
        )
    ans = report.get("answers", {"skipped": "--answers 0"})
    if "skipped" in ans:
        parts.append(f"Answer latency: skipped ({ans['skipped']})")
    else:
        rows = [
            [
                "`RagService.stream` (retrieval + prompt + checks)",
                f"{ans['pipeline_ttft_s_p50_s']:.2f} / {ans['pipeline_ttft_s_p95_s']:.2f}",
                f"{ans['pipeline_total_s_p50_s']:.2f} / {ans['pipeline_total_s_p95_s']:.2f}",
            ],
            [
                "`Llama.create_chat_completion`, same messages",
                f"{ans['direct_ttft_s_p50_s']:.2f} / {ans['direct_ttft_s_p95_s']:.2f}",
                f"{ans['direct_total_s_p50_s']:.2f} / {ans['direct_total_s_p95_s']:.2f}",
            ],
        ]
        parts.append(
            f"Answer latency over {ans['questions']} questions, p50 / p95 in s "
            f"(same output length in {ans['same_output_length']} of them):\n\n"
            + markdown_table(["", "time to first token", "total"], rows)
            + f"\n\nOverhead ratio (p50 pipeline ÷ p50 direct): time to first token "
            f"**{ans['ttft_overhead_ratio']}**, total **{ans['total_overhead_ratio']}**"
        )
    return "\n\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--passages", type=int, default=64, help="CMRC passages ingested")
    parser.add_argument("--sizes", default="1000,10000", help="synthetic index sizes (chunks)")
    parser.add_argument("--queries", type=int, default=100, help="questions timed per index")
    parser.add_argument("--answers", type=int, default=10, help="questions answered (+1 warm-up)")
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--out", type=Path, help="write the report as JSON")
    args = parser.parse_args(argv)

    passages, questions = load_cmrc(args.data)
    passages = passages[: args.passages]
    kept = {p.passage_id for p in passages}
    texts = [q.text for q in questions if q.passage_id in kept]
    random.Random(args.seed).shuffle(texts)
    settings = load_settings()
    report: dict[str, Any] = {
        "benchmark": "rag-zh performance figures",
        "command": " ".join(
            ["python -m bench.perf", *(argv if argv is not None else sys.argv[1:])]
        ),
        "machine": describe_machine(),
        "models": model_names(settings),
        "method": {"synthetic_noise_norm": NOISE_NORM, "seed": args.seed},
    }
    with tempfile.TemporaryDirectory(prefix="perf-bench-") as tmp:
        work = Path(tmp)
        write_passages(passages, work / "passages")
        service = RagService(settings, index_dir=work / "index")
        report["ingest"] = measure_ingest(service, work / "passages")
        print(f"ingest: {report['ingest']}", file=sys.stderr)

        timed = texts[: args.queries] or [q.text for q in questions[:1]]
        real = measure_retrieval(service, timed)
        report["retrieval"] = [{"label": "real CMRC index", **real}]
        for size in (int(s) for s in args.sizes.split(",") if s.strip()):
            synthetic = RagService(
                settings, index_dir=work / f"synthetic-{size}", embed_model=service.embed_model
            )
            commit_s = fill_synthetic_index(synthetic.index, service.index, size, args.seed)
            row = measure_retrieval(synthetic, timed)
            row.update(
                label="synthetic",
                commit_s=round(commit_s, 1),
                disk_mb=round(_folder_bytes(work / f"synthetic-{size}") / 1e6, 1),
                rss_mb=round(_rss_bytes() / 1e6),
            )
            report["retrieval"].append(row)
            print(f"retrieval: {row}", file=sys.stderr)
        write_json(args.out, report)

        if args.answers > 0:
            report["answers"] = measure_answers(service, texts[: args.answers + 1])
            write_json(args.out, report)
    print(render_markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
