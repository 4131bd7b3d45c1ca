import json
from pathlib import Path

import pytest

from rag.frontends.cli import main
from tests.conftest import SEED_FOREIGN_TRADE_2024, SEED_FOREIGN_TRADE_2025


@pytest.fixture
def index_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RAG_PROFILES", "test")
    monkeypatch.setenv("RAG_MODELS_DIR", str(tmp_path / "models"))
    return tmp_path / "index"


def test_ingest_then_ask_json(index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(SEED_FOREIGN_TRADE_2025), "--index", str(index_dir), "--quiet"]) == 0
    assert "1 added" in capsys.readouterr().out
    assert main(["ask", "克州1-9月外贸进出口总额", "--index", str(index_dir), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data["answer"], str)
    assert data["refused"] is False
    assert data["citations"][0]["source"] == SEED_FOREIGN_TRADE_2025.name


def test_index_dir_from_the_environment(index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_INDEX_DIR", str(index_dir))
    assert main(["ingest", str(SEED_FOREIGN_TRADE_2025), "--quiet"]) == 0
    assert (index_dir / "chroma").is_dir()


def test_bad_file_is_one_line_error_and_nonzero_exit(
    index_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4 garbage")
    assert main(["ingest", str(bad), "--index", str(index_dir), "--quiet"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ")
    assert str(bad) in err
    assert len(err.splitlines()) == 1


def test_asking_before_ingesting(index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "克州外贸", "--index", str(index_dir)]) == 1
    assert "rag ingest" in capsys.readouterr().err


def test_models_fetch_skips_what_is_not_in_the_catalog(
    index_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["models", "fetch", "/opt/my-model.gguf"]) == 0
    assert "nothing to fetch" in capsys.readouterr().out


def test_inspect_json_prints_exactly_the_articles(
    index_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["inspect", str(SEED_FOREIGN_TRADE_2024), "--json"]) == 0
    out, err = capsys.readouterr()
    articles = json.loads(out)
    assert [set(a) for a in articles] == [{"title", "date", "source", "byline", "text"}] * 4
    assert articles[0]["title"] == "今年前8月新疆克州外贸进出口增速全疆第一"
    assert articles[0]["source"] == "中新网"
    assert "王小军 摄" in err  # what was set aside goes to stderr


def test_inspect_lists_articles_then_what_was_set_aside(
    index_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["inspect", str(SEED_FOREIGN_TRADE_2025)]) == 0
    out = capsys.readouterr().out
    assert "[1] 《潮涌帕米尔扬帆正当时》" in out
    assert "克孜勒苏日报" in out
    assert "set aside:" in out
    assert "table_row: | 来源 | 克孜勒苏日报" in out


def test_inspect_a_bad_file_is_one_line_error(
    index_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert main(["inspect", str(empty)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ")
    assert str(empty) in err
    assert len(err.splitlines()) == 1


def test_chat_reads_questions_and_understands_a_follow_up(
    index_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    assert main(["ingest", str(SEED_FOREIGN_TRADE_2024), "--index", str(index_dir), "--quiet"]) == 0
    monkeypatch.setattr(
        "sys.stdin", io.StringIO("克州1-9月外贸进出口总额\n那2024年1至8月呢？\n/new\n")
    )
    assert main(["chat", "--index", str(index_dir)]) == 0
    out = capsys.readouterr().out
    assert "（按上文理解为：2024年1至8月克州外贸进出口总额？）" in out
    assert "（新的对话）" in out
