from pathlib import Path

import pytest
from pydantic import ValidationError

from rag.settings import PROJECT_ROOT, load_settings


def test_defaults_come_from_settings_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAG_PROFILES", raising=False)
    settings = load_settings([])
    assert settings.llm.mode == "llamacpp"
    assert settings.embedding.model == "embeddinggemma-300m"
    assert settings.resolved_index_dir() == PROJECT_ROOT / "index"


def test_test_profile_fakes_the_models() -> None:
    settings = load_settings(["test"])
    assert settings.llm.mode == "mock"
    assert settings.embedding.mode == "mock"


def test_environment_beats_yaml(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "idx"))
    monkeypatch.setenv("RAG_LLM__MODE", "openai")
    monkeypatch.setenv("RAG_LLM__OPENAI__API_BASE", "http://127.0.0.1:9999/v1")
    settings = load_settings([])
    assert settings.resolved_index_dir() == tmp_path / "idx"
    assert settings.llm.mode == "openai"
    assert settings.llm.openai.api_base == "http://127.0.0.1:9999/v1"


def test_profiles_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_PROFILES", "test")
    assert load_settings().llm.mode == "mock"


def test_unknown_profile_and_bad_values_are_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="settings-nope.yaml"):
        load_settings(["nope"])
    (tmp_path / "settings.yaml").write_text("llm:\n  mode: gpt5\n")
    with pytest.raises(ValidationError):
        load_settings([], root=tmp_path)
