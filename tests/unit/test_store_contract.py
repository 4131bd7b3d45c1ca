"""The index contract, written once and run against both chunk stores: embedded Chroma (one
index folder) and a real `chroma run` server on a loopback port, started here, with two app
processes' worth of state (two RagService objects, each with its own keyword index and, on
the server, its own local folder). What one writes, the other sees on its next query in
dense and keyword search: ingests, replacements (same chunk count, new text: no ghost
passages) and deletes, without a restart."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.components.embedding import HashingEmbedding
from rag.components.llm import ScriptedLLM
from rag.services.rag_service import RagService
from rag.settings import Settings
from tests.conftest import SEED_FOREIGN_TRADE_2025

NOTE = "玉兰湖水库管理处通报\n玉兰湖水库2025年蓄水量为1.28亿立方米，比上年增加两成。\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    chroma = Path(sys.executable).with_name("chroma")
    port = free_port()
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path_factory.mktemp("chroma-server")),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("`chroma run` did not start")
                time.sleep(0.3)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(params=["embedded", "server"])
def apps(
    request: pytest.FixtureRequest, test_settings: Settings, tmp_path: Path
) -> tuple[RagService, RagService]:
    if request.param == "embedded":
        settings_a = settings_b = test_settings  # one index folder, two processes' state
    else:
        port = request.getfixturevalue("chroma_server")
        store = test_settings.vectorstore.model_copy(
            update={
                "mode": "chroma_http",
                "collection": f"c{time.time_ns()}",
                "http": test_settings.vectorstore.http.model_copy(
                    update={"host": "127.0.0.1", "port": port}
                ),
            }
        )
        settings_a = test_settings.model_copy(
            update={"vectorstore": store, "index_dir": tmp_path / "app-a"}
        )
        settings_b = settings_a.model_copy(update={"index_dir": tmp_path / "app-b"})

    def app(settings: Settings) -> RagService:
        return RagService(settings, embed_model=HashingEmbedding(), llm=ScriptedLLM())

    return app(settings_a), app(settings_b)


def keyword_sources(app: RagService, query: str) -> list[str]:
    return [c.metadata["source"] for c, _ in app.index.bm25().query(query, 5)]


def dense_sources(app: RagService, query: str) -> list[str]:
    return [n.node.metadata["source"] for n in app.retriever().retrieve(query)]


def test_each_app_sees_the_others_writes_on_its_next_query(
    apps: tuple[RagService, RagService], tmp_path: Path
) -> None:
    a, b = apps
    assert keyword_sources(b, "外贸进出口总额") == []  # b has looked before a writes
    a.ingest([SEED_FOREIGN_TRADE_2025], progress=False)
    assert SEED_FOREIGN_TRADE_2025.name in keyword_sources(b, "外贸进出口总额")
    assert SEED_FOREIGN_TRADE_2025.name in dense_sources(b, "克州外贸进出口总额")

    note = tmp_path / "note.txt"
    note.write_text(NOTE, encoding="utf-8")
    b.ingest([note], progress=False)
    assert keyword_sources(a, "玉兰湖水库蓄水量") == ["note.txt"]
    before = b.index.chunk_count()

    # A replacement with the same number of chunks: the counts agree, the texts do not.
    note.write_text(NOTE.replace("1.28亿", "1.35亿"), encoding="utf-8")
    b.ingest([note], progress=False)
    assert b.index.chunk_count() == before
    texts = [c.text for c in a.index.bm25().chunks if c.metadata["source"] == "note.txt"]
    assert texts == [t for t in texts if "1.35亿" in t]
    assert texts

    file_id = next(d.file_id for d in a.library.documents() if d.source == "note.txt")
    a.library.delete(file_id)
    assert keyword_sources(b, "玉兰湖水库蓄水量") == []
    assert "note.txt" not in dense_sources(b, "玉兰湖水库蓄水量")
    assert {d.source for d in b.library.documents()} == {SEED_FOREIGN_TRADE_2025.name}


def test_an_update_tokenizes_only_the_new_chunks(
    apps: tuple[RagService, RagService], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rag.components.bm25 as bm25_module

    a, b = apps
    a.ingest([SEED_FOREIGN_TRADE_2025], progress=False)
    assert len(b.index.bm25()) == a.index.chunk_count()
    seen: list[str] = []
    real = bm25_module.search_tokens

    def counting(text: str) -> list[str]:
        seen.append(text)
        return real(text)

    monkeypatch.setattr(bm25_module, "search_tokens", counting)
    note = tmp_path / "note.txt"
    note.write_text(NOTE, encoding="utf-8")
    a.ingest([note], progress=False)
    seen.clear()
    assert keyword_sources(b, "玉兰湖水库蓄水量") == ["note.txt"]
    # Only the new chunk is tokenized (besides the query), not the whole corpus.
    assert [t for t in seen if t != "玉兰湖水库蓄水量"] == [NOTE.splitlines()[1]]


def test_a_stopped_server_is_one_clear_error(test_settings: Settings) -> None:
    from rag.errors import RagError

    store = test_settings.vectorstore.model_copy(
        update={"mode": "chroma_http", "http": test_settings.vectorstore.http.model_copy(
            update={"host": "127.0.0.1", "port": free_port()})}
    )  # fmt: skip
    with pytest.raises(RagError, match="cannot reach the Chroma server"):
        RagService(test_settings.model_copy(update={"vectorstore": store}))


def test_the_chroma_cli_is_there() -> None:
    assert shutil.which("chroma", path=str(Path(sys.executable).parent))
