"""The bad-input corpus (tests/fixtures/bad/, expected.yaml): each file ingested alone is
either rejected with its one-line error and the index left exactly as it was, or accepted
with clean text. Plus what is generated here: a 30 MB single-line text, a file over the
size limit, a folder with a symlink loop."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from rag.components.embedding import HashingEmbedding
from rag.components.llm import ScriptedLLM
from rag.errors import InputFileError
from rag.services.ingest import IngestService
from rag.services.rag_service import RagService
from rag.settings import PROJECT_ROOT, Settings
from tests.conftest import SEED_FOREIGN_TRADE_2025

CORPUS = PROJECT_ROOT / "tests" / "fixtures" / "bad"
EXPECTED: dict[str, dict[str, Any]] = yaml.safe_load((CORPUS / "expected.yaml").read_text("utf-8"))


@pytest.fixture
def service(test_settings: Settings) -> RagService:
    service = RagService(test_settings, embed_model=HashingEmbedding(), llm=ScriptedLLM())
    service.ingest([SEED_FOREIGN_TRADE_2025], progress=False)
    return service


def snapshot(service: RagService) -> tuple[Any, ...]:
    """Everything an ingest writes: chunk ids and texts, the registry, BM25, the manifest."""
    index = service.index
    chunks = sorted((c.node_id, c.text) for c in index.store.chunks())
    return (
        chunks,
        index.registry.hashes(),
        sorted(index.bm25().ids()),
        (index.dir / "manifest.json").read_text(),
        (index.dir / "docstore.json").read_text(),
    )


def chunk_texts(service: RagService, path: Path) -> str:
    ids = service.index.store.ids_of_file(str(path.resolve()))
    chunks = service.index.store.chunks(ids)
    return "\n".join([c.text for c in chunks] + [str(c.metadata.get("title")) for c in chunks])


def test_the_corpus_is_complete() -> None:
    files = {p.name for p in CORPUS.iterdir()} - {"make_bad.py", "expected.yaml"}
    assert files == set(EXPECTED)
    assert len(files) >= 30


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bad_input(name: str, service: RagService, tmp_path: Path) -> None:
    src = tmp_path / "in" / name
    src.parent.mkdir()
    shutil.copyfile(CORPUS / name, src)
    outcome = EXPECTED[name]
    before = snapshot(service)
    if "reject" in outcome:
        with pytest.raises(InputFileError) as err:
            service.ingest([src], progress=False)
        assert outcome["reject"] in str(err.value)
        assert name in str(err.value)  # the message names the file
        assert "—" in str(err.value)  # … and says what to do
        assert snapshot(service) == before
        report = service.ingest([src], progress=False, skip_bad=True)
        assert len(report.skipped) == 1
        assert snapshot(service) == before
    else:
        report = service.ingest([src], progress=False)
        assert report.added == [name]
        text = chunk_texts(service, src)
        for phrase in outcome["accept"]:
            assert phrase in text
        for bad in outcome.get("absent", []):
            assert bad not in text


def test_a_file_over_the_size_limit_is_rejected(test_settings: Settings, tmp_path: Path) -> None:
    settings = test_settings.model_copy(
        update={"ingest": test_settings.ingest.model_copy(update={"max_file_mb": 0.0001})}
    )
    service = RagService(settings, embed_model=HashingEmbedding(), llm=ScriptedLLM())
    with pytest.raises(InputFileError, match="over the 0 MB limit"):
        service.ingest([CORPUS / "gbk.txt"], progress=False)
    assert service.index.is_empty()


def test_a_folder_with_a_symlink_loop_is_ingested_once(service: RagService, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    shutil.copyfile(CORPUS / "gbk.txt", folder / "sub" / "a.txt")
    (folder / "sub" / "loop").symlink_to(folder, target_is_directory=True)
    report = service.ingest([folder], progress=False)
    assert report.added == ["a.txt"]


def test_a_30_mb_single_line_text_is_chunked_in_linear_time(
    service: RagService, tmp_path: Path
) -> None:
    """Chunking only (reading, repair, splitting): the full ingest of 30k chunks would
    measure the embedder. Time is printed, not asserted (bench/ measures speed)."""
    sentence = "今年1-9月，克州外贸进出口总额107.37亿元，同比增长45.2%，展现出强劲的发展态势。"
    big = tmp_path / "huge.txt"
    repeats = 30_000_000 // len(sentence.encode())
    big.write_text(sentence * repeats, encoding="utf-8")
    assert big.stat().st_size > 29_000_000
    ingest = IngestService(service.settings, service.index, service.embed_model)
    started = time.perf_counter()
    nodes = ingest._chunks(big)
    print(f"30 MB single line: {len(nodes)} chunks in {time.perf_counter() - started:.1f} s")
    assert len(nodes) > 25_000
    text = "".join(n.get_content() for n in nodes[:3])
    assert "107.37亿元" in text
    ends = [(int(n.metadata["start"]), int(n.metadata["end"])) for n in nodes]
    assert ends[0][0] == 0
    assert all(b[0] <= a[1] for a, b in zip(ends, ends[1:], strict=False))  # no gap
