"""Shared fixtures: settings under the test profile, with the index and models in tmp folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.settings import PROJECT_ROOT, Settings, load_settings

SEEDS = PROJECT_ROOT / "seeds"
SEED_FOREIGN_TRADE_2024 = SEEDS / "000_673d2681ea06abf5.txt"
SEED_FOREIGN_TRADE_2025 = SEEDS / "004_2c14e46296c21688.txt"


@pytest.fixture
def test_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The `test` profile (fake embedding and LLM); no RAG_* variable from the caller leaks in."""
    for key in [k for k in __import__("os").environ if k.startswith("RAG_")]:
        monkeypatch.delenv(key)
    settings = load_settings(["test"])
    return settings.model_copy(
        update={"index_dir": tmp_path / "index", "models_dir": tmp_path / "models"}
    )
