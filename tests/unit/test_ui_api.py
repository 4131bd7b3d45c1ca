"""The web UI's API through gradio_client, against a server on a loopback port, with login
(fake models: the real-model run is tests/integration/test_web_ui.py)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rag.components.embedding import HashingEmbedding
from rag.components.llm import ScriptedLLM
from rag.frontends.ui import CSS, build_ui
from rag.services.rag_service import RagService
from rag.settings import Settings
from tests.conftest import SEEDS

LOGIN = ("ann", "s3cret")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def url(test_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    service = RagService(test_settings, embed_model=HashingEmbedding(), llm=ScriptedLLM())
    service.ingest([SEEDS], progress=False)
    demo = build_ui(service)
    port = free_port()
    demo.queue().launch(
        server_name="127.0.0.1",
        server_port=port,
        auth=LOGIN,
        prevent_thread_lock=True,
        quiet=True,
        css=CSS,
    )
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


def test_ask_upload_list_delete_through_the_api(url: str, tmp_path: Path) -> None:
    from gradio_client import Client, handle_file

    client = Client(url, auth=LOGIN, verbose=False)
    about: dict[str, Any] = client.predict(api_name="/about")
    assert about["chunks"] == 22
    assert about["documents"] == 2
    answer = client.predict("克州1-9月外贸进出口总额", [], api_name="/ask")
    assert answer["refused"] is False
    assert answer["citations"][0]["quote"]

    note = tmp_path / "玉兰湖 通报.txt"
    note.write_text("玉兰湖水库2025年蓄水量为1.28亿立方米。\n", encoding="utf-8")
    status, _table, _pick = client.predict([handle_file(str(note))], api_name="/upload")
    assert "玉兰湖 通报.txt：已导入" in status
    docs = client.predict(api_name="/documents")
    uploaded = next(d for d in docs if d["source"] == "玉兰湖 通报.txt")
    assert uploaded["chunks"] == 1
    found = client.predict("玉兰湖水库2025年蓄水量是多少？", [], api_name="/ask")
    assert found["citations"][0]["source"] == "玉兰湖 通报.txt"
    assert "1.28亿立方米" in found["short_answer"]

    inspected = client.predict(uploaded["file_id"], api_name="/inspect")
    assert "1.28亿立方米" in inspected["articles"][0]["text"]
    assert inspected["set_aside"] == []

    removed = client.predict(uploaded["file_id"], api_name="/delete")
    assert removed["chunks_removed"] == 1
    assert len(client.predict(api_name="/documents")) == 2
    gone = client.predict("玉兰湖水库2025年蓄水量是多少？", [], api_name="/ask")
    assert "玉兰湖 通报.txt" not in {c["source"] for c in gone["citations"]}


def test_the_api_needs_the_login(url: str) -> None:
    from gradio_client import Client

    with pytest.raises(Exception):  # noqa: B017, PT011 - gradio_client raises a bare one
        Client(url, verbose=False).predict(api_name="/about")
    with pytest.raises(Exception):  # noqa: B017, PT011
        Client(url, auth=("ann", "wrong"), verbose=False)
