"""Follow-up questions rewritten with the conversation's earlier question."""

import pytest

from rag.components.embedding import HashingEmbedding
from rag.components.llm import ScriptedLLM
from rag.services.conversation import leans_on_previous, standalone_question
from rag.services.rag_service import RagService
from rag.settings import Settings
from tests.conftest import SEEDS


@pytest.mark.parametrize(
    ("question", "history", "searched"),
    [
        ("那2024年1至8月呢？", ["克州1-9月外贸总额"], "2024年1至8月克州外贸总额？"),
        (
            "那2025年呢？",
            ["2024年1至8月，克州外贸进出口总额是多少？"],
            "2025年1至8月，克州外贸进出口总额是多少？",
        ),
        (
            "那阿克陶县呢",
            ["在克州2025年第三季度招商推介大会上，阿图什市签约项目的金额是多少？"],
            "在克州2025年第三季度招商推介大会上，阿克陶县签约项目的金额是多少？",
        ),
        # A chain: each earlier question is understood first.
        ("那宿迁呢？", ["克州1-9月外贸总额", "那2024年1至8月呢？"], "2024年1至8月宿迁外贸总额？"),
        # Questions that stand alone stay as they are.
        ("宿迁绿洽会签约了多少个项目？", ["克州1-9月外贸总额"], "宿迁绿洽会签约了多少个项目？"),
        ("那增长了多少呢？", ["克州1-9月外贸总额"], "那增长了多少呢？"),
        ("那2024年呢？", [], "那2024年呢？"),
    ],
)
def test_a_follow_up_takes_the_previous_question_with_its_own_time_or_place(
    question: str, history: list[str], searched: str
) -> None:
    assert standalone_question(question, history) == searched


def test_what_leans_on_the_previous_question() -> None:
    assert leans_on_previous("那2024年1至8月呢？")
    assert leans_on_previous("2023年的")
    assert not leans_on_previous("克州2023年外贸总额是多少？")


def test_the_answer_searches_the_rewritten_question_and_shows_it(test_settings: Settings) -> None:
    llm = ScriptedLLM(["65.6亿元"])
    service = RagService(test_settings, embed_model=HashingEmbedding(), llm=llm)
    service.ingest([SEEDS], progress=False)
    answer = service.answer("那2024年1至8月呢？", history=["克州1-9月外贸进出口总额"])
    assert answer.question == "那2024年1至8月呢？"
    assert answer.searched == "2024年1至8月克州外贸进出口总额？"
    assert (llm.calls[0][-1].content or "").endswith("问题：2024年1至8月克州外贸进出口总额？")
    assert answer.short_answer == "65.6亿元"
    assert answer.to_json()["searched"] == answer.searched
