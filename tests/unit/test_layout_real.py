"""Scoring of the real-page layout benchmark (bench/layout_real.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bench.layout_real import run_page, score_page

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pdf"

TRUTH = {
    "articles": [
        {"title": "克州外贸增速第一", "sentences": ["甲句一。", "甲句二。", "甲句三。"]},
        {"title": "", "sentences": ["乙句一。", "乙句二。"]},
    ]
}


def test_sentences_whole_and_in_order_in_one_article() -> None:
    found = [("克州外贸增速第一", "甲句一。甲句二。\n甲句三。"), ("", "乙句一。乙 句二。")]
    s = score_page(found, TRUTH)
    assert (s.sentences, s.whole, s.in_order) == (5, 5, 5)
    assert (s.titles, s.titles_exact) == (1, 1)
    assert (s.articles_found, s.articles_true) == (2, 2)


def test_interleaved_broken_and_split_sentences_are_counted_as_such() -> None:
    found = [
        ("克州外贸增速", "甲句二。乙句一。甲句一。甲句"),  # title cut; 甲句三 broken
        ("", "三。乙句二。"),  # the rest of the article came out as another one
    ]
    s = score_page(found, TRUTH)
    assert s.whole == 4  # 甲句三 is in no article whole
    # 甲句一 (first, whole), 甲句二 comes before it: out of order; 乙句一 first of its
    # article; 乙句二 is in another article than 乙句一: out of order
    assert s.in_order == 2
    assert s.titles_exact == 0


def test_full_width_and_whitespace_do_not_count() -> None:
    truth = {"articles": [{"title": "", "sentences": ["增长45.2%，居全疆第一。"]}]}
    assert score_page([("", "增长４５.２％，居全疆\n第一。")], truth).in_order == 1


def test_a_generated_two_column_page_through_both_systems() -> None:
    data = json.loads((FIXTURES / "two_columns.truth.json").read_text(encoding="utf-8"))
    truth = {
        "page": 0,
        "articles": [
            {"title": a["title"], "sentences": re.findall(r"[^。]+。", a["text"])[:3]}
            for a in data["articles"]
        ],
    }
    scores = run_page(FIXTURES / "two_columns.pdf", truth)
    layout, baseline = scores["layout"], scores["baseline"]
    assert not layout["error"]
    assert not baseline["error"]
    assert layout["in_order"] == layout["sentences"] == 9
    assert layout["titles_exact"] == 3
    assert baseline["titles_exact"] == 0  # one article with no title
    assert baseline["in_order"] < layout["in_order"]
