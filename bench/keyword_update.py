"""What keeping the keyword index in step costs per ingest, at 10k and 100k chunks.

    .venv/bin/python -m bench.keyword_update [--sizes 10000,100000] [--new 20]
                                             [--out bench/results/keyword_update.json]

An index of N chunks is built through the project's own write path (`IndexStore.commit`,
fake 256-d vectors: the embedder is not what is measured) from CMRC 2018 trial passages cut
into 350-character chunks and repeated under new ids. Then a small ingest of `--new` chunks
is committed, and these are timed, each on its own:

- full rebuild: what every ingest did before (fetch every chunk from Chroma, tokenize all of
  them with jieba, index them);
- update: what an ingest and every other process sharing the store now do (fetch the ids,
  fetch and tokenize only the new chunks, put them into the inverted index);
- save and load: the writer rewrites bm25/chunks.jsonl once per ingest; a process starting
  up re-indexes from the kept tokens;
- query: p50 and p95 of a keyword query (the CMRC questions), without the query embedding;
- stamp check: what each query pays to learn whether anything changed.

Only figures are printed; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from llama_index.core.schema import TextNode

from bench.cmrc_metrics import percentile
from bench.report import describe_machine, machine_line, markdown_table, write_json
from rag.components.bm25 import BM25Index
from rag.services.index_store import Change, IndexStore
from rag.settings import load_settings

DATA = Path(__file__).resolve().parents[2] / "shared" / "bench" / "cmrc2018_trial.json"
BATCH = 5000


def passages_text() -> tuple[list[str], list[str]]:
    texts, questions = [], []
    for passage in json.loads(DATA.read_text("utf-8")):
        ctx = passage["context_text"]
        texts.extend(ctx[i : i + 350] for i in range(0, len(ctx), 290))
        questions.extend(q["query_text"] for q in passage["qas"])
    return texts, questions


def nodes(texts: list[str], start: int, count: int, rng: random.Random) -> list[TextNode]:
    out = []
    for n in range(start, start + count):
        vec = [rng.gauss(0, 1) for _ in range(256)]
        norm = sum(x * x for x in vec) ** 0.5
        out.append(
            TextNode(
                id_=f"chunk-{n}",
                text=texts[n % len(texts)],
                metadata={"file_id": f"doc-{n // 20}", "source": f"doc-{n // 20}.txt", "start": n},
                embedding=[x / norm for x in vec],
            )
        )
    return out


def timed(fn: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def measure(size: int, new: int, texts: list[str], questions: list[str]) -> dict[str, Any]:
    settings = load_settings(["test"])
    rng = random.Random(size)
    with tempfile.TemporaryDirectory() as tmp:
        index = IndexStore(settings.model_copy(update={"index_dir": Path(tmp)}))
        for start in range(0, size, BATCH):
            batch = nodes(texts, start, min(BATCH, size - start), rng)
            index.commit(Change(nodes=batch, doc_hashes={f"batch-{start}": "x"}), refresh=False)
        index.refresh()
        before = index.bm25()
        index.commit(
            Change(nodes=nodes(texts, size, new, rng), doc_hashes={"small": "y"}), refresh=False
        )
        full_s, full = timed(lambda: BM25Index.build(index.store.chunks()))
        ids_s, ids = timed(index.store.ids)
        update_s, updated = timed(lambda: before.updated(ids, index.store.chunks))
        assert updated.ids() == full.ids()
        save_s, _ = timed(lambda: updated.save(Path(tmp) / "bm25"))
        load_s, _ = timed(lambda: BM25Index.load(Path(tmp) / "bm25"))
        latencies = []
        for q in questions:
            started = time.perf_counter()
            updated.query(q, 20)
            latencies.append(time.perf_counter() - started)
        stamp_s = min(timed(index.store.stamp)[0] for _ in range(20))
        disk = sum(f.stat().st_size for f in Path(tmp).rglob("*") if f.is_file())
    return {
        "chunks": size,
        "new_chunks": new,
        "full_rebuild_s": round(full_s, 2),
        "update_s": round(ids_s + update_s, 2),
        "of_which_ids_s": round(ids_s, 2),
        "ratio_full_over_update": round(full_s / (ids_s + update_s), 1),
        "save_s": round(save_s, 2),
        "load_s": round(load_s, 2),
        "query_p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "query_p95_ms": round(percentile(latencies, 95) * 1000, 2),
        "stamp_check_ms": round(stamp_s * 1000, 2),
        "index_mb": round(disk / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--new", type=int, default=20)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    texts, questions = passages_text()
    machine = describe_machine()
    rows = [measure(int(s), args.new, texts, questions[:200]) for s in args.sizes.split(",")]
    print(machine_line(machine))
    header = ["chunks", "full rebuild s", "update s (ids s)", "full ÷ update", "save s"]
    header += ["load s", "query p50 / p95 ms", "stamp check ms", "index MB"]
    table = [
        [
            r["chunks"],
            r["full_rebuild_s"],
            f"{r['update_s']} ({r['of_which_ids_s']})",
            f"{r['ratio_full_over_update']}×",
            r["save_s"],
            r["load_s"],
            f"{r['query_p50_ms']} / {r['query_p95_ms']}",
            r["stamp_check_ms"],
            r["index_mb"],
        ]
        for r in rows
    ]
    print(markdown_table(header, table))
    write_json(
        args.out,
        {
            "benchmark": "keyword index per ingest",
            "command": "python -m bench.keyword_update --out bench/results/keyword_update.json",
            "machine": machine,
            "results": rows,
        },
    )


if __name__ == "__main__":
    main()
