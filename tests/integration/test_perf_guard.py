"""The performance guard: ratios measured side by side in one run, never absolute times, so
a shared 2-core machine does not make it flaky while a real regression still fails it.

- Keeping keyword search in step after a small ingest must stay a small fraction of
  rebuilding the keyword index from all chunks (today under 1/100 at 3k chunks; the guard
  is 1/4).
- An answer through the pipeline must cost at most 1.5× the same llama.cpp call made
  directly with the messages the pipeline sent (today 1.01–1.04×, `bench/perf.py`).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bench.perf import measure_answers
from rag.components.bm25 import BM25Index, StoredChunk
from rag.services.rag_service import RagService
from rag.settings import load_settings
from tests.conftest import SEEDS

pytestmark = pytest.mark.integration

MAX_UPDATE_SHARE = 0.25
MAX_ANSWER_OVERHEAD = 1.5


def test_a_small_update_costs_a_fraction_of_a_rebuild() -> None:
    base = [s for s in SEEDS.glob("*.txt")]
    text = "".join(p.read_text("utf-8") for p in base)
    chunks = [
        StoredChunk(f"c{i}", text[(i * 97) % len(text) :][:350], {"source": "s", "start": i})
        for i in range(3000)
    ]
    new = [StoredChunk(f"n{i}", text[i * 50 : i * 50 + 350], {"source": "n"}) for i in range(20)]
    index = BM25Index.build(chunks)
    ids = {c.node_id for c in chunks + new}
    started = time.perf_counter()
    index = index.updated(ids, lambda wanted: [c for c in new if c.node_id in wanted])
    update_s = time.perf_counter() - started
    started = time.perf_counter()
    BM25Index.build(chunks + new)
    rebuild_s = time.perf_counter() - started
    assert index.ids() == ids
    print(f"update {update_s:.3f} s, rebuild {rebuild_s:.3f} s ({update_s / rebuild_s:.3f})")
    assert update_s < MAX_UPDATE_SHARE * rebuild_s


def test_an_answer_costs_little_more_than_the_raw_model(tmp_path: Path) -> None:
    settings = load_settings([]).model_copy(update={"index_dir": tmp_path / "index"})
    service = RagService(settings)
    service.ingest([SEEDS], progress=False)
    report = measure_answers(
        service,
        [
            "克州1-9月外贸总额",  # warm-up, not counted
            "宿迁绿色产业洽谈会签约了多少个项目？",
            "常州2023年新能源整车产量是多少？",
            "2024年1至8月克州外贸进出口总额是多少？",
        ],
    )
    assert "skipped" not in report, report
    ratio = report["total_overhead_ratio"]
    print(f"pipeline ÷ raw llama.cpp, p50 total: {ratio:.2f}")
    assert ratio < MAX_ANSWER_OVERHEAD
