"""The whole pipeline on the seeds with the real EmbeddingGemma, Chroma and llama.cpp model.

Needs `rag models fetch` (make test does it). Slow: about a minute on 2 cores.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.services.answer import Answer
from rag.services.rag_service import RagService
from rag.settings import Settings, load_settings
from tests.conftest import SEED_FOREIGN_TRADE_2024, SEED_FOREIGN_TRADE_2025, SEEDS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = load_settings([])
    return settings.model_copy(update={"index_dir": tmp_path_factory.mktemp("index")})


@pytest.fixture(scope="module")
def service(real_settings: Settings) -> RagService:
    svc = RagService(real_settings)
    svc.ingest([SEEDS], progress=False)
    return svc


def test_foreign_trade_jan_sep_is_answered_with_its_source(service: RagService) -> None:
    answer = service.answer("克州1-9月外贸总额")
    assert not answer.refused, answer.reason
    assert answer.short_answer == "107.37亿元"
    assert "107.37亿元" in answer.text
    assert answer.grounded
    assert any(
        c.source == SEED_FOREIGN_TRADE_2025.name
        and "107.37亿元" in c.quote
        and c.text[c.quote_start : c.quote_end] == c.quote
        for c in answer.citations
    )


def test_the_2024_figure_comes_from_the_other_seed_and_years_are_not_mixed(
    service: RagService,
) -> None:
    answer = service.answer("2024年1至8月克州外贸进出口总额")
    assert not answer.refused, answer.reason
    assert "65.6亿元" in answer.text
    assert "107.37" not in answer.text
    assert any(
        c.source == SEED_FOREIGN_TRADE_2024.name and "65.6亿元" in c.text for c in answer.citations
    )
    # the page holds four articles; the citation names the one the figure is in
    assert {c.title for c in answer.citations if "65.6亿元" in c.text} == {
        "今年前8月新疆克州外贸进出口增速全疆第一"
    }


def test_a_question_the_documents_do_not_answer_is_refused(service: RagService) -> None:
    answer = service.answer("克州2023年全年地区生产总值是多少？")
    assert answer.refused, answer.text
    assert "没有找到" in answer.text
    assert answer.short_answer == ""


def test_a_figure_moved_into_another_place_and_year_is_refused(service: RagService) -> None:
    # The documents give 67.8万辆 for 常州 in 2023, not for 江苏 in 2024.
    answer = service.answer("江苏2024年新能源汽车产量是多少？")
    assert answer.refused, answer.text
    assert answer.short_answer == ""


def test_streaming_from_llama_cpp(service: RagService) -> None:
    events = list(service.stream("宿迁绿色产业洽谈会签约了多少个项目？"))
    final = events[-1]
    assert isinstance(final, Answer)
    deltas = events[:-1]
    # the model writes only the span (a few tokens), streamed as it comes
    assert deltas
    assert "".join(str(d) for d in deltas) == final.raw_answer
    assert final.short_answer.startswith("71")
    assert "71" in final.text
    assert all(c.source == SEED_FOREIGN_TRADE_2024.name for c in final.citations)
    assert {c.title for c in final.citations} == {"2024宿迁绿色产业洽谈会正式开幕签约项目71个"}


def test_reingesting_twice_leaves_the_chunk_count_unchanged(service: RagService) -> None:
    count = service.index.chunk_count()
    for _ in range(2):
        report = service.ingest([SEEDS], progress=False)
        assert report.chunks_added == 0
    assert service.index.chunk_count() == count
    assert len(service.index.bm25()) == count


def test_cli_ask_json(service: RagService, real_settings: Settings) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "rag.frontends.cli",
            "ask",
            "克州1-9月外贸总额",
            "--json",
            "--index",
            str(Path(real_settings.index_dir)),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(done.stdout)
    assert "107.37亿元" in data["answer"]
    assert data["short_answer"] == "107.37亿元"
    assert data["refused"] is False
    assert {"source", "title", "text", "score", "quote", "quote_start", "quote_end"} <= set(
        data["citations"][0]
    )


def test_answers_from_several_threads_at_once_are_each_their_own(service: RagService) -> None:
    # One llama.cpp context: concurrent calls must queue on its lock, not interleave.
    from concurrent.futures import ThreadPoolExecutor

    questions = ["克州1-9月外贸总额", "2024年1至8月克州外贸进出口总额是多少？"] * 2
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(service.answer, questions))
    assert [a.short_answer for a in answers] == ["107.37亿元", "65.6亿元"] * 2


def test_a_follow_up_question_is_answered_from_the_earlier_one(service: RagService) -> None:
    answer = service.answer("那2024年1至8月呢？", history=["克州1-9月外贸总额"])
    assert answer.searched == "2024年1至8月克州外贸总额？"
    assert not answer.refused, answer.reason
    assert answer.short_answer == "65.6亿元"
    assert {c.source for c in answer.citations} == {SEED_FOREIGN_TRADE_2024.name}
