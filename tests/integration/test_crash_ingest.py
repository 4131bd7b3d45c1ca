"""Kill an ingest with SIGKILL at 20 moments, rerun it, and compare the index chunk by chunk
with a clean one. The killed ingest replaces changed files in an index that already holds
their old versions (the case that used to leave ghost chunks in BM25). Real embedded Chroma,
BM25 and registry in a subprocess; the hashing fake embedder keeps each run short."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.services.rag_service import RagService
from rag.settings import Settings, load_settings
from tests.conftest import SEEDS

KILLS = 20

# The child imports everything, says "ready", then ingests: the kills land in the ingest.
_CHILD = """
import sys
from pathlib import Path
from rag.services.rag_service import RagService
from rag.settings import load_settings
settings = load_settings(["test"]).model_copy(update={"index_dir": Path(sys.argv[2])})
service = RagService(settings)
service.embed_model
print("ready", flush=True)
service.ingest([Path(sys.argv[1])], progress=False)
print("done", flush=True)
"""


def _corpus(folder: Path, version: int) -> Path:
    """The seeds and ten generated files of ~15 chunks each; in version 2 every other
    generated file states other figures (the same number of chunks, other text)."""
    folder.mkdir(exist_ok=True)
    for seed in SEEDS.iterdir():
        shutil.copy(seed, folder / seed.name)
    words = ["克州", "外贸", "进出口", "总额", "同比增长", "宿迁", "常州", "新能源", "产量", "签约"]
    for i in range(10):
        figure = f"{i + 1}{version if i % 2 else 1}.5亿元"
        body = "".join(
            words[(i * 7 + j * 3) % len(words)] + (f"{figure}。" if j % 9 == 8 else "")
            for j in range(1500)
        )
        (folder / f"第{i}号文件.txt").write_text(f"第{i}号文件\n{body}", encoding="utf-8")
    return folder


def _start(corpus: Path, index: Path) -> tuple[subprocess.Popen[str], float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(corpus), str(index)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    return child, time.perf_counter()


def _state(settings: Settings, index: Path) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    service = RagService(settings.model_copy(update={"index_dir": index}))
    chroma = sorted(
        (str(n.metadata.get("file_id")), n.get_content())
        for n in service.index.vector_store.get_nodes(None)
    )
    bm25 = sorted(c.text for c in service.index.bm25().chunks)
    return chroma, bm25, service.index.document_ids()


def test_an_ingest_killed_at_any_moment_resumes_to_the_clean_index(tmp_path: Path) -> None:
    settings = load_settings(["test"])
    corpus = _corpus(tmp_path / "corpus", 1)
    child, _ = _start(corpus, tmp_path / "v1")
    assert child.wait(120) == 0
    _corpus(corpus, 2)  # five files change
    shutil.copytree(tmp_path / "v1", tmp_path / "clean")
    child, began = _start(corpus, tmp_path / "clean")
    assert child.wait(120) == 0
    work = time.perf_counter() - began  # the ingest itself, without the imports
    clean = _state(settings, tmp_path / "clean")
    assert len(clean[0]) > 100
    assert clean != _state(settings, tmp_path / "v1")

    outcomes = []
    for k in range(KILLS):
        index = tmp_path / f"killed-{k}"
        shutil.copytree(tmp_path / "v1", index)
        child, began = _start(corpus, index)
        time.sleep(max(0.0, work * (k + 0.5) / KILLS - (time.perf_counter() - began)))
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        rerun = RagService(settings.model_copy(update={"index_dir": index}))
        rerun.ingest([corpus], progress=False)
        outcomes.append(_state(settings, index) == clean)
    print(f"{sum(outcomes)}/{KILLS} killed ingests resumed to the clean index")
    assert all(outcomes), [k for k, ok in enumerate(outcomes) if not ok]


@pytest.fixture(autouse=True)
def _no_leak(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in [k for k in os.environ if k.startswith("RAG_")]:
        monkeypatch.delenv(key)
