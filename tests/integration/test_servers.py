"""Both server modes against real OpenAI-compatible servers on loopback ports, not mocks:
llama-cpp-python's own server (`python -m llama_cpp.server`, its `server` extra) serving the
project's GGUF, once for chat (`llm.mode: openai`) and once for embeddings
(`embedding.mode: openai`). About a minute on 2 cores."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from llama_index.core.schema import MetadataMode
from llama_index.core.vector_stores.types import VectorStoreQuery

from rag.components.model_store import resolve_model
from rag.services.rag_service import RagService
from rag.settings import Settings, load_settings
from tests.conftest import SEED_FOREIGN_TRADE_2025, SEEDS

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def start_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., str]]:
    procs: list[subprocess.Popen[bytes]] = []
    gguf = resolve_model("qwen2.5-coder-1.5b-instruct", load_settings([]).resolved_models_dir())

    def start(alias: str, *extra: str) -> str:
        port = free_port()
        log = tmp_path_factory.mktemp("server") / "log.txt"
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", gguf, "--model_alias", alias,
             "--host", "127.0.0.1", "--port", str(port), *extra],
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        procs.append(proc)
        base = f"http://127.0.0.1:{port}/v1"
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/models", timeout=2) as reply:
                    assert alias in json.dumps(json.load(reply))
                return base
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"llama_cpp.server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.5)

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=30)


def _settings(tmp_path: Path, **update: object) -> Settings:
    return load_settings([]).model_copy(update={"index_dir": tmp_path / "index", **update})


def _served(tmp_path: Path, section: str, base: str, model: str) -> Settings:
    """The default settings with `section` ("llm" or "embedding") in openai mode, served
    from `base` as `model`."""
    part = getattr(load_settings([]), section)
    served = part.model_copy(
        update={
            "mode": "openai",
            "openai": part.openai.model_copy(update={"api_base": base, "model": model}),
        }
    )
    return _settings(tmp_path, **{section: served})


def test_llm_mode_openai_answers_through_a_chat_server(
    start_server: Callable[..., str], tmp_path: Path
) -> None:
    base = start_server("qwen-chat", "--n_ctx", "4096")
    service = RagService(_served(tmp_path, "llm", base, "qwen-chat"))
    service.ingest([SEEDS], progress=False)
    answer = service.answer("克州1-9月外贸总额")
    assert not answer.refused, answer.reason
    assert answer.short_answer == "107.37亿元"
    assert answer.citations[0].source == SEED_FOREIGN_TRADE_2025.name


def test_embedding_mode_openai_ingests_and_retrieves_through_an_embedding_server(
    start_server: Callable[..., str], tmp_path: Path
) -> None:
    base = start_server("qwen-embed", "--embedding", "true", "--n_ctx", "2048")
    service = RagService(_served(tmp_path, "embedding", base, "qwen-embed"))
    report = service.ingest([SEEDS], progress=False)
    assert report.total_chunks > 20
    assert service.about()["embedding_model"] == "openai:qwen-embed"
    # The vectors in Chroma are the server's: the passage embedded again finds itself.
    chunk = next(c for c in service.index.store.chunks() if "107.37亿元" in c.text)
    (node,) = service.index.vector_store.get_nodes(node_ids=[chunk.node_id])
    vector = service.embed_model.get_text_embedding(node.get_content(MetadataMode.EMBED))
    hits = service.index.vector_store.query(
        VectorStoreQuery(query_embedding=vector, similarity_top_k=1)
    )
    assert hits.ids == [chunk.node_id]
    assert chunk.metadata["source"] == SEED_FOREIGN_TRADE_2025.name
    # A chat model's mean-pooled vectors are weak; hybrid retrieval still lands on the topic.
    top = service.retriever().retrieve("克州1-9月外贸进出口总额")
    assert "克州完成外贸进出口总额" in top[0].node.get_content()
    # An index built with the server's model refuses to be queried with another one.
    from rag.errors import RagError

    with pytest.raises(RagError, match="built with embedding model 'openai:qwen-embed'"):
        RagService(_settings(tmp_path))
