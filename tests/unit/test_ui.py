import pytest

from rag.components.embedding import HashingEmbedding
from rag.components.llm import ScriptedLLM
from rag.components.page_layout import Article, PageLayout, SetAside
from rag.errors import RagError
from rag.frontends.ui import auth_pair, build_ui, chat_replies, exposure_warning, user_questions
from rag.frontends.ui_format import (
    NO_SOURCES,
    document_choices,
    document_rows,
    format_about,
    format_answer,
    format_layout,
    format_sources_panel,
)
from rag.services.answer import Answer, Citation
from rag.services.index_store import IndexedDocument
from rag.services.rag_service import RagService
from rag.settings import Settings
from tests.conftest import SEED_FOREIGN_TRADE_2025, SEEDS

CITATION = Citation(
    1, "004.txt", "潮涌帕米尔扬帆正当时", "今年1-9月,克州外贸进出口总额107.37亿元。", 0.03, 10, 33
)


def test_the_answer_links_its_markers_and_names_its_sources() -> None:
    text = format_answer(Answer("q", "107.37亿元。[1]", False, True, [CITATION]))
    assert text.startswith('107.37亿元。<a class="cite" href="#src-1">[1]</a>')
    assert "来源：" in text
    assert "潮涌帕米尔扬帆正当时" in text


def test_the_short_answer_leads_and_the_panel_highlights_the_quote() -> None:
    passage, quote = (
        "前文。今年1-9月,克州外贸进出口总额107.37亿元。后文<b>。",
        "今年1-9月,克州外贸进出口总额107.37亿元。",
    )
    start = passage.index(quote)
    quoted = Citation(
        1, "004.txt", "标题", passage, 0.03, 0, 30, date="2025-10-20", publisher="克孜勒苏日报",
        quote=quote, quote_start=start, quote_end=start + len(quote),
    )  # fmt: skip
    answer = Answer("q", "今年1-9月…[1]", False, True, [quoted], short_answer="107.37亿元")
    assert format_answer(answer).startswith("<strong>107.37亿元</strong>")
    panel = format_sources_panel(answer)
    assert 'id="src-1"' in panel
    assert "克孜勒苏日报 · 2025-10-20 · 004.txt" in panel
    assert "前文。<mark>今年1-9月,克州外贸进出口总额107.37亿元。</mark>后文&lt;b&gt;。" in panel


def test_a_citation_without_a_quote_highlights_the_answers_figures() -> None:
    answer = Answer("q", "克州外贸总额107.37亿元[1]", False, True, [CITATION])
    assert "<mark>107.37亿元</mark>" in format_sources_panel(answer)
    assert format_sources_panel(None) == NO_SOURCES
    assert "没有引用" in format_sources_panel(Answer("q", "文档中没有。", True, True))


def test_refused_and_ungrounded_are_marked() -> None:
    refused = format_answer(Answer("q", "文档中没有找到这个问题的答案。", True, True))
    assert 'class="refusal"' in refused
    assert "不作回答" in refused
    assert "请核实" in format_answer(Answer("q", "999亿元", False, False, [CITATION]))
    assert "请核实" not in format_answer(Answer("q", "107.37亿元", False, True, [CITATION]))


def test_the_document_table_and_picker() -> None:
    docs = [
        IndexedDocument("/a/x.txt", "x.txt", 2, 7, "2026-11-27T08:00:00+00:00", ("甲", "乙")),
        IndexedDocument("/b/x.txt", "x.txt", 1, 1, ""),
        IndexedDocument("/b/y.txt", "y.txt", 1, 3, ""),
    ]
    rows = document_rows(docs)
    assert rows[0][:3] == ["x.txt", 2, 7]
    assert rows[0][4] == "甲；乙"
    assert rows[1][3] == "-"
    assert rows[0][3].startswith("2026-11-27")
    assert document_choices(docs) == [
        ("x.txt（/a/x.txt）", "/a/x.txt"),
        ("x.txt（/b/x.txt）", "/b/x.txt"),
        ("y.txt", "/b/y.txt"),
    ]


def test_the_inspect_view_and_the_about_tab() -> None:
    layout = PageLayout(
        [Article("标题一", "正文<一>。", date="2025-01-02", source="克孜勒苏日报")],
        [SetAside("caption", "图为现场", 0)],
    )
    view = format_layout("a.pdf", layout)
    assert "a.pdf：1 篇文章" in view
    assert "**[1] 标题一**（2025-01-02 · 克孜勒苏日报）" in view
    assert "正文&lt;一&gt;。" in view
    assert "`caption`（属于第 1 篇）：图为现场" in view
    about = format_about(
        {"embedding_model": "embeddinggemma-300m", "vector_store": "Chroma 'docs'", "chunks": 22}
    )
    assert "| 向量模型 | embeddinggemma-300m |" in about
    assert "| 向量库 | Chroma 'docs' |" in about
    assert "| 片段数 | 22 |" in about


def test_login_setting_and_the_warning_for_an_open_address() -> None:
    assert auth_pair("ann:s3:cret") == ("ann", "s3:cret")
    assert auth_pair(None) is None
    assert auth_pair("") is None
    with pytest.raises(RagError):
        auth_pair("ann")
    assert exposure_warning("0.0.0.0", None) is not None
    assert exposure_warning("0.0.0.0", ("a", "b")) is None
    assert exposure_warning("127.0.0.1", None) is None


def test_chat_streams_partial_text_then_the_final_message(test_settings: Settings) -> None:
    llm = ScriptedLLM(["今年1-9月克州外贸进出口总额107.37亿元[1]"])
    service = RagService(test_settings, embed_model=HashingEmbedding(), llm=llm)
    service.ingest([SEED_FOREIGN_TRADE_2025], progress=False)
    states = list(chat_replies(service, "克州1-9月外贸进出口总额"))
    assert len(states) > 2
    assert states[0][0].endswith("▌")
    assert states[0][1] is None
    final, answer = states[-1]
    assert answer is not None
    assert answer.short_answer == "107.37亿元"
    assert "<strong>107.37亿元</strong>" in final
    assert "<mark>" in format_sources_panel(answer)


def test_errors_become_a_message(test_settings: Settings) -> None:
    service = RagService(test_settings, embed_model=HashingEmbedding(), llm=ScriptedLLM())
    assert list(chat_replies(service, "克州外贸"))[-1][0].startswith("❌")


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
    final = list(chat_replies(service, "那2024年1至8月呢？", user_questions(history)))[-1][0]
    assert "65.6亿元" in final
    assert "按上文理解为：2024年1至8月克州外贸进出口总额？" in final
