"""The part of each passage the model reads (rag/services/passage_window.py)."""

from __future__ import annotations

from rag.services.passage_window import GAP, sentences, window, windows

PASSAGE = (
    "金秋十月，帕米尔高原天高云阔。"
    "10月23日，克州2025年第三季度招商推介大会在此举行。"
    "今年1-9月，克州外贸进出口总额107.37亿元，同比增长45.2%。"
    "各方嘉宾齐聚一堂，共叙友谊。\n"
    "这不仅是一次成果展示会，更是一次动员会。"
)


def test_sentences_cover_the_text_in_order() -> None:
    spans = sentences(PASSAGE)
    assert [PASSAGE[s:e] for s, e in spans][
        2
    ] == "今年1-9月，克州外贸进出口总额107.37亿元，同比增长45.2%。"
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert len(spans) == 5


def test_the_window_keeps_the_sentence_the_question_is_about() -> None:
    shown = window("克州1-9月外贸总额是多少？", PASSAGE, 60)
    assert "克州外贸进出口总额107.37亿元，同比增长45.2%。" in shown
    assert "帕米尔高原" not in shown
    assert shown.startswith(GAP)
    assert len(shown) < len(PASSAGE)
    # every piece between the gaps is the passage's own text
    assert all(piece in PASSAGE for piece in shown.split(GAP) if piece)


def test_a_budget_beyond_the_best_sentence_adds_its_neighbours() -> None:
    shown = window("克州1-9月外贸总额是多少？", PASSAGE, 110)
    assert "招商推介大会" in shown or "各方嘉宾" in shown
    assert "107.37亿元" in shown


def test_short_passages_and_no_budget_are_left_whole() -> None:
    assert window("克州外贸", PASSAGE, 0) == PASSAGE
    assert window("克州外贸", PASSAGE, len(PASSAGE)) == PASSAGE
    assert window("克州外贸", "只有一句话，没有句号", 5) == "只有一句话，没有句号"


def test_the_best_sentence_is_kept_whole_even_over_budget() -> None:
    shown = window("外贸进出口总额", PASSAGE, 10)
    assert "今年1-9月，克州外贸进出口总额107.37亿元，同比增长45.2%。" in shown


def test_the_budget_is_shared_and_rare_question_words_weigh_most() -> None:
    about_subject = "王家瑞是河北秦皇岛人。王家瑞毕业于吉林大学。王家瑞曾在长春工作多年。"
    answer = "1973年10月，任长春市邮局国际联邮员。1978年，王家瑞调入共青团吉林省委。"
    other = "王家瑞长期从事外事工作。王家瑞后来担任对外联络部部长。王家瑞出席了多次会议。"
    cut = windows("1973年10月，王家瑞担任什么职务？", [about_subject, answer, other], 30)
    assert "1973年10月，任长春市邮局国际联邮员。" in cut[1]
    # every passage keeps its best sentence; together they stay near the budget
    assert all(piece.strip(GAP) for piece in cut)
    assert sum(len(c) for c in cut) <= 3 * 30 + 3 * len(GAP) + 30
    assert windows("问题", [about_subject, answer], 0) == [about_subject, answer]


def test_a_passage_about_something_else_is_not_shown_and_its_budget_goes_to_the_others() -> None:
    answer = "1973年10月，王家瑞任长春市邮局国际联邮员。1978年，王家瑞调入共青团吉林省委。"
    related = "王家瑞是河北秦皇岛人。1993年，王家瑞担任吉林省委常委职务。王家瑞曾在长春工作多年。"
    unrelated = "帕米尔高原天高云阔。克州处处涌动着投资热潮。各方嘉宾齐聚一堂。"
    question = "1973年10月，王家瑞担任什么职务？"
    cut = windows(question, [answer, related, unrelated], 20, min_share=0.3)
    assert cut[2] == ""
    assert "1973年10月，王家瑞任长春市邮局国际联邮员。" in cut[0]
    assert "担任吉林省委常委职务" in cut[1]  # shares 担任…职务 with the question: still shown
    # the unrelated passage's share of the budget went to the others: more of them is shown
    plain = windows(question, [answer, related, unrelated], 20)
    assert plain[2]
    assert len(cut[0]) + len(cut[1]) >= len(plain[0]) + len(plain[1])
    # every passage shown when the share is 0, and with no budget nothing is cut or dropped
    assert all(windows(question, [answer, related, unrelated], 20, min_share=0.0))
    assert windows(question, [answer, unrelated], 0, min_share=0.9) == [answer, unrelated]


def test_when_the_shown_passages_fit_the_budget_they_are_whole() -> None:
    answer = "1973年10月，王家瑞任长春市邮局国际联邮员。"
    unrelated = "帕米尔高原天高云阔。"
    cut = windows("1973年10月，王家瑞担任什么职务？", [answer, unrelated], 40, min_share=0.3)
    assert cut == [answer, ""]
