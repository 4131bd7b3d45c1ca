"""The incremental BM25 index: scores by the lucene formula, and an index updated chunk by
chunk ranks exactly like one built fresh from the same chunks."""

from __future__ import annotations

import math
import random

import pytest

from rag.components.bm25 import BM25Index, StoredChunk
from rag.components.chinese_tokens import search_tokens

TEXTS = [
    "克州外贸进出口总额107.37亿元，同比增长45.2%。",
    "2024年1至8月，克州完成外贸进出口总额65.6亿元。",
    "江苏新能源汽车产量占全国的比重超过百分之十。",
    "宿迁绿色产业洽谈会签约项目71个，总投资超过三百亿元。",
    "常州2023年新能源整车产量67.8万辆。",
    "阿图什市签约项目12个。",
]


def chunk(i: int, text: str) -> StoredChunk:
    return StoredChunk(f"c{i}", text, {"source": "a.txt", "start": i})


def test_scores_follow_the_lucene_formula() -> None:
    chunks = [chunk(i, t) for i, t in enumerate(TEXTS)]
    index = BM25Index.build(chunks)
    query = "克州外贸进出口总额"
    tokens = [search_tokens(c.text) for c in chunks]
    avg = sum(len(t) for t in tokens) / len(tokens)
    expected = {}
    for c, toks in zip(chunks, tokens, strict=True):
        score = 0.0
        for term in search_tokens(query):
            df = sum(term in t for t in tokens)
            if not df:
                continue
            idf = math.log(1 + (len(chunks) - df + 0.5) / (df + 0.5))
            tf = toks.count(term)
            score += idf * tf / (1.5 * (0.25 + 0.75 * len(toks) / avg) + tf)
        if score > 0:
            expected[c.node_id] = score
    got = {c.node_id: s for c, s in index.query(query, 10)}
    assert got.keys() == expected.keys()
    for node_id, score in expected.items():
        assert got[node_id] == pytest.approx(score, rel=1e-5)
    assert [c.node_id for c, _ in index.query(query, 10)][:2] == ["c0", "c1"]


def test_an_updated_index_ranks_like_a_fresh_one() -> None:
    rng = random.Random(3)
    pool = [chunk(i, TEXTS[i % len(TEXTS)] + f"第{i}段") for i in range(60)]
    index = BM25Index.build(pool[:20])
    live = {c.node_id: c for c in pool[:20]}
    for _ in range(8):
        for node_id in rng.sample(sorted(live), 5):
            del live[node_id]
        for c in rng.sample([c for c in pool if c.node_id not in live], 7):
            live[c.node_id] = c
        index = index.updated(set(live), lambda ids: [live[i] for i in ids])
        fresh = BM25Index.build(list(live.values()))
        assert index.ids() == fresh.ids()
        for query in ["克州外贸总额", "新能源产量", "签约项目", "第7段", "没有的词"]:
            # Every hit with its score (equal scores may come in another order).
            got = {c.node_id: round(s, 4) for c, s in index.query(query, len(pool))}
            want = {c.node_id: round(s, 4) for c, s in fresh.query(query, len(pool))}
            assert got == want


def test_save_and_load_keep_tokens_and_ranking(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path)) / "bm25"
    index = BM25Index.build([chunk(i, t) for i, t in enumerate(TEXTS)])
    index.save(folder)
    loaded = BM25Index.load(folder)
    assert loaded is not None
    assert [(c.node_id, s) for c, s in loaded.query("新能源产量", 3)] == [
        (c.node_id, s) for c, s in index.query("新能源产量", 3)
    ]
    assert BM25Index.load(Path(str(tmp_path)) / "none") is None


def test_saves_append_what_changed_and_loading_replays_it(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path)) / "bm25"
    chunks = [chunk(i, t) for i, t in enumerate(TEXTS)]
    index = BM25Index.build(chunks[:4])
    index.save(folder)
    base = (folder / "chunks.jsonl").read_text("utf-8")
    live = {c.node_id: c for c in chunks[1:5]}  # c0 goes, c4 comes
    live["c2"] = StoredChunk(
        "c2", "常州新能源整车产量改为70万辆。", {"source": "a.txt", "start": 2}
    )
    index = index.updated(set(live), lambda ids: [live[i] for i in ids])
    index._remove("c2")  # a replaced chunk: out, then in again with its new text
    index._add(live["c2"], search_tokens(live["c2"].text))
    index.save(folder)
    assert (folder / "chunks.jsonl").read_text("utf-8") == base  # only the log grew
    log = (folder / "log.jsonl").read_text("utf-8").splitlines()
    assert len(log) == 4  # remove c0, add c4, remove c2, add c2
    # A torn last line (a crash mid-append) is skipped; what it held is mended by the ids check.
    with (folder / "log.jsonl").open("a", encoding="utf-8") as f:
        f.write('{"id": "c9", "te')
    loaded = BM25Index.load(folder)
    assert loaded is not None
    assert loaded.ids() == set(live)
    assert [c.text for c in loaded.chunks if c.node_id == "c2"] == [
        "常州新能源整车产量改为70万辆。"
    ]
    want = {
        c.node_id: round(s, 4) for c, s in BM25Index.build(list(live.values())).query("产量", 9)
    }
    assert {c.node_id: round(s, 4) for c, s in loaded.query("产量", 9)} == want
    # Once the log outgrows the base, the next save writes a fresh base and no log.
    for n in range(30):
        extra = StoredChunk(f"x{n}", TEXTS[n % 6] * 3, {"source": "b.txt", "start": n})
        loaded._add(extra, search_tokens(extra.text))
    loaded.save(folder)
    assert not (folder / "log.jsonl").exists()
    assert BM25Index.load(folder).ids() == loaded.ids()  # type: ignore[union-attr]
