from rag.components.embedding import HashingEmbedding
from rag.components.llm import ScriptedLLM
from rag.frontends.ui import build_ui, chat_replies, user_questions
from rag.frontends.ui_format import format_answer
from rag.services.answer import Answer, Citation
from rag.services.rag_service import RagService
from rag.settings import Settings
from tests.conftest import SEED_FOREIGN_TRADE_2025, SEEDS

CITATION = Citation(
    1, "004.txt", "潮涌帕米尔扬帆正当时", "今年1-9月,克州外贸进出口总额107.37亿元。", 0.03, 10, 33
)


def test_answer_with_sources() -> None:
    text = format_answer(Answer("q", "107.37亿元。[1]", False, True, [CITATION]))
    assert text.startswith("107.37亿元。[1]")
    assert "**来源**" in text
    assert "[1] 《潮涌帕米尔扬帆正当时》 004.txt" in text
    assert "107.37亿元" in text.split("**来源**")[1]


def test_the_short_answer_leads_and_the_quote_is_highlighted() -> None:
    passage, quote = (
        "前文。今年1-9月,克州外贸进出口总额107.37亿元。后文。",
        "今年1-9月,克州外贸进出口总额107.37亿元。",
    )
    start = passage.index(quote)
    quoted = Citation(
        1, "004.txt", "标题", passage, 0.03, 0, 30,
        quote=quote, quote_start=start, quote_end=start + len(quote),
    )  # fmt: skip
    text = format_answer(
        Answer("q", "今年1-9月…[1]", False, True, [quoted], short_answer="107.37亿元")
    )
    assert text.startswith("**107.37亿元**")
    assert "前文。<mark>今年1-9月,克州外贸进出口总额107.37亿元。</mark>后文。" in text


def test_refused_and_ungrounded_are_marked() -> None:
    assert "未在文档中找到依据" in format_answer(
        Answer("q", "文档中没有找到这个问题的答案。", True, True)
    )
    assert "请核实" in format_answer(Answer("q", "999亿元", False, False, [CITATION]))


def test_chat_streams_partial_text_then_the_final_message(test_settings: Settings) -> None:
    llm = ScriptedLLM(["今年1-9月克州外贸进出口总额107.37亿元[1]"])
    service = RagService(test_settings, embed_model=HashingEmbedding(), llm=llm)
    service.ingest([SEED_FOREIGN_TRADE_2025], progress=False)
    states = list(chat_replies(service, "克州1-9月外贸进出口总额"))
    assert len(states) > 2
    assert states[0].endswith("▌")
    assert "**来源**" in states[-1]
    assert "107.37亿元" in states[-1]


def test_errors_become_a_message(test_settings: Settings) -> None:
    service = RagService(test_settings, embed_model=HashingEmbedding(), llm=ScriptedLLM())
    assert list(chat_replies(service, "克州外贸"))[-1].startswith("❌")


def test_the_interface_builds(test_settings: Settings) -> None:
    service = RagService(test_settings, embed_model=HashingEmbedding(), llm=ScriptedLLM())
    assert build_ui(service) is not None


def test_a_follow_up_in_the_chat_uses_the_earlier_questions(test_settings: Settings) -> None:
    llm = ScriptedLLM(["65.6亿元"])
    service = RagService(test_settings, embed_model=HashingEmbedding(), llm=llm)
    service.ingest([SEEDS], progress=False)
    history = [
        {"role": "user", "content": [{"type": "text", "text": "克州1-9月外贸进出口总额"}]},
        {"role": "assistant", "content": "**107.37亿元** …"},
    ]
    assert user_questions(history) == ["克州1-9月外贸进出口总额"]
    final = list(chat_replies(service, "那2024年1至8月呢？", user_questions(history)))[-1]
    assert "65.6亿元" in final
    assert "按上文理解为：2024年1至8月克州外贸进出口总额？" in final
