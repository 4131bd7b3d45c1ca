"""Upload, list, delete and inspect: what the web UI's 文档 tab and its API do."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag.components.embedding import HashingEmbedding
from rag.components.llm import ScriptedLLM
from rag.errors import RagError
from rag.services.rag_service import RagService
from rag.settings import Settings
from tests.conftest import SEED_FOREIGN_TRADE_2025, SEEDS

NOTE = "玉兰湖水库管理处通报\n玉兰湖水库2025年蓄水量为1.28亿立方米，比上年增加两成。\n"


@pytest.fixture
def service(test_settings: Settings) -> RagService:
    service = RagService(test_settings, embed_model=HashingEmbedding(), llm=ScriptedLLM())
    service.ingest([SEEDS], progress=False)
    return service


def _state(service: RagService) -> tuple[int, list[str], set[str]]:
    index = service.index
    return index.chunk_count(), index.document_ids(), index.bm25().ids()


def test_good_files_go_in_and_each_bad_one_gets_its_own_line(
    service: RagService, tmp_path: Path
) -> None:
    (tmp_path / "note.txt").write_text(NOTE, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4 truncated")
    report = service.library.upload(
        [tmp_path / "note.txt", tmp_path / "empty.txt", tmp_path / "scan.pdf"]
    )
    assert report.ingest.added == ["note.txt"]
    assert [line.split(":")[0] for line in report.rejected] == ["empty.txt", "scan.pdf"]
    lines = report.lines()
    assert lines[0] == "✅ note.txt：已导入"
    assert lines[1].startswith("❌ empty.txt: is empty")
    docs = {d.source: d for d in service.library.documents()}
    assert docs["note.txt"].chunks == 1
    assert docs["note.txt"].file_id == str((service.index.dir / "uploads" / "note.txt").resolve())
    assert docs["note.txt"].ingested  # an ISO time
    assert docs["000_673d2681ea06abf5.txt"].articles == 4


def test_a_rejected_upload_leaves_the_index_as_it_was(service: RagService, tmp_path: Path) -> None:
    before = _state(service)
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 8)
    report = service.library.upload([tmp_path / "binary.txt"])
    assert report.ingest.added == []
    assert len(report.rejected) == 1
    assert _state(service) == before


def test_re_uploading_adds_nothing_and_a_changed_file_replaces_its_old_version(
    service: RagService, tmp_path: Path
) -> None:
    note = tmp_path / "note.txt"
    note.write_text(NOTE, encoding="utf-8")
    service.library.upload([note])
    after_first = _state(service)
    again = service.library.upload([note])
    assert again.ingest.unchanged == ["note.txt"]
    assert _state(service) == after_first
    # The same bytes under another name are not a second document either.
    shutil.copyfile(SEED_FOREIGN_TRADE_2025, tmp_path / "copy.txt")
    twin = service.library.upload([tmp_path / "copy.txt"])
    assert twin.ingest.duplicates == ["copy.txt -> 004_2c14e46296c21688.txt"]
    assert _state(service) == after_first
    assert not (service.index.dir / "uploads" / "copy.txt").exists()
    note.write_text(NOTE.replace("1.28亿", "1.35亿"), encoding="utf-8")
    changed = service.library.upload([note])
    assert changed.ingest.replaced == ["note.txt"]
    assert _state(service)[0] == after_first[0]
    texts = [c.text for c in service.index.bm25().chunks]
    assert any("1.35亿" in t for t in texts)
    assert not any("1.28亿" in t for t in texts)


def test_a_deleted_document_is_gone_from_every_store_and_from_answers(
    service: RagService, tmp_path: Path
) -> None:
    before = _state(service)
    (tmp_path / "note.txt").write_text(NOTE, encoding="utf-8")
    service.library.upload([tmp_path / "note.txt"])
    cited = service.answer("玉兰湖水库2025年蓄水量是多少？")
    assert "note.txt" in {c.source for c in cited.citations}
    file_id = next(d.file_id for d in service.library.documents() if d.source == "note.txt")
    assert service.library.delete(file_id) == 1
    assert _state(service) == before
    assert not Path(file_id).exists()
    after = service.answer("玉兰湖水库2025年蓄水量是多少？")
    assert "note.txt" not in {c.source for c in after.citations + after.passages}
    # A fresh process sees the same index.
    reopened = RagService(service.settings, embed_model=HashingEmbedding(), llm=ScriptedLLM())
    assert _state(reopened) == before


def test_deleting_an_unknown_document_deletes_nothing(service: RagService) -> None:
    before = _state(service)
    with pytest.raises(RagError, match="not in the index"):
        service.index.delete_documents([str(SEED_FOREIGN_TRADE_2025), "/no/such.txt"])
    assert _state(service) == before


def test_inspect_shows_what_layout_repair_made_of_a_file(service: RagService) -> None:
    docs = {d.source: d for d in service.library.documents()}
    layout = service.library.inspect(docs["000_673d2681ea06abf5.txt"].file_id)
    assert len(layout.articles) == 4
    with pytest.raises(RagError, match="no longer"):
        service.library.inspect("/no/such/file.txt")
