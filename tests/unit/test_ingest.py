"""Ingestion into a real embedded Chroma on a tmp path, with the hashing fake embedder."""

import shutil
from pathlib import Path

import pytest

from rag.components.embedding import HashingEmbedding
from rag.components.llm import ScriptedLLM
from rag.errors import InputFileError, RagError
from rag.services.rag_service import RagService
from rag.settings import Settings
from tests.conftest import SEED_FOREIGN_TRADE_2024, SEED_FOREIGN_TRADE_2025, SEEDS


def _service(settings: Settings) -> RagService:
    return RagService(settings, embed_model=HashingEmbedding(), llm=ScriptedLLM())


def _chroma_texts(service: RagService) -> list[str]:
    return [n.get_content() for n in service.index.vector_store.get_nodes(None)]


def test_seeds_become_chunks_with_metadata_and_offsets(test_settings: Settings) -> None:
    service = _service(test_settings)
    report = service.ingest([SEEDS], progress=False)
    assert sorted(report.added) == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert report.total_chunks == service.index.chunk_count() > 10
    nodes = service.index.vector_store.get_nodes(None)
    by_source = {n.metadata["source"] for n in nodes}
    assert by_source == {SEED_FOREIGN_TRADE_2024.name, SEED_FOREIGN_TRADE_2025.name}
    seed_2025 = [n for n in nodes if n.metadata["source"] == SEED_FOREIGN_TRADE_2025.name]
    assert {n.metadata["title"] for n in seed_2025} == {"潮涌帕米尔扬帆正当时"}
    assert {n.metadata["publisher"] for n in seed_2025} == {"克孜勒苏日报"}
    assert all(n.metadata["end"] - n.metadata["start"] == len(n.get_content()) for n in nodes)
    # the repaired text is what gets indexed: a number the PDF spaced out is whole
    assert any("4.76万户" in n.get_content() for n in nodes)


def test_ingesting_again_adds_nothing(test_settings: Settings) -> None:
    service = _service(test_settings)
    first = service.ingest([SEEDS], progress=False)
    ids = sorted(service.index.store.ids())
    for _ in range(2):
        again = service.ingest([SEEDS], progress=False)
        assert again.chunks_added == 0
        assert len(again.unchanged) == 2
    assert again.total_chunks == first.total_chunks
    assert sorted(service.index.store.ids()) == ids
    assert len(service.index.bm25()) == first.total_chunks


def test_a_changed_file_replaces_its_chunks_in_chroma_and_bm25(
    test_settings: Settings, tmp_path: Path
) -> None:
    doc = tmp_path / "docs" / "report.txt"
    doc.parent.mkdir()
    doc.write_text("克州今年外贸总额为十亿元。第二句话。", encoding="utf-8")
    service = _service(test_settings)
    service.ingest([doc.parent], progress=False)
    doc.write_text("宿迁签约项目71个。全新的内容。", encoding="utf-8")
    report = service.ingest([doc.parent], progress=False)
    assert report.replaced == ["report.txt"]
    texts = _chroma_texts(service)
    assert texts == ["宿迁签约项目71个。全新的内容。"]
    reopened = _service(test_settings)  # BM25 as persisted on disk
    assert [c.text for c in reopened.index.bm25().chunks] == texts
    assert reopened.index.bm25().query("外贸总额", 5) == []


def test_one_bad_file_stops_the_ingest_and_leaves_the_index_unchanged(
    test_settings: Settings, tmp_path: Path
) -> None:
    service = _service(test_settings)
    service.ingest([SEED_FOREIGN_TRADE_2025], progress=False)
    before = (service.index.chunk_count(), service.index.document_ids())
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(SEED_FOREIGN_TRADE_2024, folder)
    (folder / "zz_empty.txt").write_bytes(b"")
    with pytest.raises(InputFileError, match="zz_empty.txt: is empty"):
        service.ingest([folder], progress=False)
    assert (service.index.chunk_count(), service.index.document_ids()) == before
    assert len(_service(test_settings).index.bm25()) == before[0]


def test_skip_bad_ingests_the_rest_and_lists_the_bad(
    test_settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(SEED_FOREIGN_TRADE_2024, folder)
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 10)
    report = _service(test_settings).ingest([folder], progress=False, skip_bad=True)
    assert report.added == [SEED_FOREIGN_TRADE_2024.name]
    assert len(report.skipped) == 1
    assert "junk.txt" in report.skipped[0]


def test_a_file_with_only_set_aside_text_is_an_error(
    test_settings: Settings, tmp_path: Path
) -> None:
    table = tmp_path / "table.md"
    table.write_text(
        "| 来源 | 克孜勒苏日报 | 发布时间 | 2025-10-24 |\n|---|---|\n", encoding="utf-8"
    )
    with pytest.raises(InputFileError, match="table.md: has no article text"):
        _service(test_settings).ingest([table], progress=False)


def test_gbk_file_is_ingested(test_settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("克州外贸进出口总额107.37亿元。".encode("gbk"))
    service = _service(test_settings)
    service.ingest([path], progress=False)
    assert _chroma_texts(service) == ["克州外贸进出口总额107.37亿元。"]


def test_a_missing_path_is_an_error(test_settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="does not exist"):
        _service(test_settings).ingest([tmp_path / "nope.txt"], progress=False)


def test_an_index_built_with_another_embedding_model_is_refused(test_settings: Settings) -> None:
    _service(test_settings).ingest([SEED_FOREIGN_TRADE_2025], progress=False)
    other = test_settings.model_copy(
        update={
            "embedding": test_settings.embedding.model_copy(
                update={"mode": "sentence_transformers"}
            )
        }
    )
    with pytest.raises(RagError, match="built with embedding model 'mock'"):
        RagService(other)


def test_each_article_of_a_page_is_its_own_document(test_settings: Settings) -> None:
    service = _service(test_settings)
    service.ingest([SEED_FOREIGN_TRADE_2024], progress=False)
    nodes = service.index.vector_store.get_nodes(None)
    by_article: dict[int, set[str]] = {}
    for node in nodes:
        assert node.metadata["source"] == SEED_FOREIGN_TRADE_2024.name
        assert node.metadata["file_id"] == str(SEED_FOREIGN_TRADE_2024.resolve())
        assert node.metadata["publisher"] == "中新网"
        by_article.setdefault(int(node.metadata["article"]), set()).add(node.metadata["title"])
    assert sorted(by_article) == [0, 1, 2, 3]
    assert all(len(titles) == 1 for titles in by_article.values())
    foreign_trade = [n for n in nodes if n.metadata["article"] == 0]
    assert foreign_trade[0].metadata["title"] == "今年前8月新疆克州外贸进出口增速全疆第一"
    assert foreign_trade[0].metadata["captions"] == "发布会现场。王小军 摄"
    # a chunk never spans two articles, and no caption is indexed as body text
    assert any("65.6亿元" in n.get_content() for n in foreign_trade)
    assert not any("宿迁" in n.get_content() for n in foreign_trade)
    assert not any("王小军 摄" in n.get_content() for n in nodes)


def test_a_changed_page_replaces_the_chunks_of_all_its_articles(
    test_settings: Settings, tmp_path: Path
) -> None:
    page = tmp_path / "page.txt"
    shutil.copy(SEED_FOREIGN_TRADE_2024, page)
    service = _service(test_settings)
    service.ingest([page], progress=False)
    page.write_text("新华社北京9月1日电 一篇新稿件的正文。(完)", encoding="utf-8")
    report = service.ingest([page], progress=False)
    assert report.replaced == ["page.txt"]
    assert _chroma_texts(service) == ["新华社北京9月1日电一篇新稿件的正文。"]
    assert len(service.index.bm25()) == 1


def test_a_commit_larger_than_one_chroma_batch_goes_in_whole(test_settings: Settings) -> None:
    # Chroma refuses more than ~5,461 records in one add; one big ingest used to fail here.
    from llama_index.core.schema import TextNode

    from rag.services.index_store import Change, IndexStore

    index = IndexStore(test_settings)
    nodes = [
        TextNode(
            id_=f"n{i}",
            text=f"第{i}段",
            metadata={"file_id": "big.txt"},
            embedding=[float(i % 7), 1.0, float(i % 3)] + [0.0] * 253,
        )
        for i in range(6000)
    ]
    index.commit(Change(nodes=nodes, doc_hashes={"big.txt": "h"}))
    assert index.chunk_count() == 6000
    replacement = [
        TextNode(id_=f"m{i}", text=n.text, metadata=n.metadata, embedding=n.embedding)
        for i, n in enumerate(nodes[:10])
    ]
    index.commit(Change(nodes=replacement, doc_hashes={"big.txt": "h2"}))
    assert index.chunk_count() == 10


def _index_state(service: RagService) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """What the index holds, by content: Chroma chunks, BM25 chunks, registered documents."""
    chroma = sorted(
        (str(n.metadata.get("file_id")), n.get_content())
        for n in service.index.vector_store.get_nodes(None)
    )
    bm25 = sorted(c.text for c in service.index.bm25().chunks)
    return chroma, bm25, service.index.document_ids()


def test_two_writers_on_one_index_keep_each_others_documents(
    test_settings: Settings, tmp_path: Path
) -> None:
    first, second = _service(test_settings), _service(test_settings)  # both open the index
    first.ingest([SEED_FOREIGN_TRADE_2024], progress=False)
    second.ingest([SEED_FOREIGN_TRADE_2025], progress=False)  # its registry was read before
    clean = _service(test_settings.model_copy(update={"index_dir": tmp_path / "clean"}))
    clean.ingest([SEED_FOREIGN_TRADE_2024, SEED_FOREIGN_TRADE_2025], progress=False)
    chroma, bm25, docs = _index_state(_service(test_settings))
    want_chroma, want_bm25, want_docs = _index_state(clean)
    assert [t for _, t in chroma] == [t for _, t in want_chroma]
    assert bm25 == want_bm25
    assert len(docs) == len(want_docs) == 2


def test_a_writer_waits_for_the_one_holding_the_lock_and_says_so(
    test_settings: Settings,
) -> None:
    import threading

    holder, waiter = _service(test_settings), _service(test_settings)
    said: list[str] = []
    done = threading.Event()

    def write() -> None:
        with waiter.index.writing(on_wait=said.append):
            done.set()

    with holder.index.writing():
        thread = threading.Thread(target=write)
        thread.start()
        assert not done.wait(0.5)  # blocked behind the holder
        assert said == [f"waiting for another ingest into {waiter.index.dir} to finish"]
    thread.join(5)
    assert done.is_set()


def test_bm25_with_other_chunk_ids_than_chroma_is_rebuilt(test_settings: Settings) -> None:
    # A kill between the Chroma write and the BM25 write of a changed file used to leave
    # BM25 with the old chunks: the same count, so it was never rebuilt (ghost passages).
    from rag.components.bm25 import BM25Index, StoredChunk

    service = _service(test_settings)
    service.ingest([SEEDS], progress=False)
    chunks = service.index.bm25().chunks
    ghosts = [StoredChunk(f"ghost-{i}", "幽灵段落", {}) for i in range(len(chunks))]
    BM25Index.build(ghosts).save(service.index.dir / "bm25")
    reopened = _service(test_settings)
    assert reopened.index.bm25().ids() == {c.node_id for c in chunks}


def test_chunks_left_by_a_killed_ingest_are_replaced_on_the_rerun(
    test_settings: Settings, tmp_path: Path
) -> None:
    from llama_index.core.schema import TextNode

    service = _service(test_settings)
    # A kill after the Chroma write, before the registry write: chunks with no document.
    leftover = TextNode(
        text="半截写入的段落",
        metadata={"file_id": str(SEED_FOREIGN_TRADE_2024.resolve())},
        embedding=HashingEmbedding().get_text_embedding("半截写入的段落"),
    )
    service.index.vector_store.add([leftover])
    report = service.ingest([SEED_FOREIGN_TRADE_2024], progress=False)
    assert report.added == [SEED_FOREIGN_TRADE_2024.name]
    clean = _service(test_settings.model_copy(update={"index_dir": tmp_path / "clean"}))
    clean.ingest([SEED_FOREIGN_TRADE_2024], progress=False)
    assert _index_state(_service(test_settings)) == _index_state(clean)


def test_each_file_is_committed_on_its_own(test_settings: Settings) -> None:
    service = _service(test_settings)
    commits: list[int] = []
    original = service.index.commit

    def counting(change, refresh=True):  # type: ignore[no-untyped-def]
        commits.append(len(change.nodes))
        original(change, refresh)

    service.index.commit = counting  # type: ignore[method-assign]
    report = service.ingest([SEEDS], progress=False)
    assert len(commits) == len(report.added) == 2
    assert sum(commits) == report.chunks_added
