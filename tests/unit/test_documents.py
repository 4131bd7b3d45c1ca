"""Articles of a read file as Documents: titles from the format's metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.components.page_layout import Article, PageLayout
from rag.components.readers import RawDocument
from rag.services.documents import layout_of


def _layout_of(named: str, *titles: str) -> list[str]:
    layout = PageLayout([Article(title, "正文。") for title in titles])
    raw = RawDocument(Path("/docs/magazine-12.pdf"), "", named or None, "pdf", layout)
    return [a.title for a in layout_of(raw).articles]


def test_a_headline_that_lost_a_glyph_takes_the_metadata_title() -> None:
    # An OCR layer read the decorative 则 as 「．，」, which layout repair drops as noise.
    assert _layout_of("内心强大则世界辽阔", "", "内心强大世界辽阔") == [
        "magazine-12 #1",  # the end of the story before: not named after the next one
        "内心强大则世界辽阔",
    ]


@pytest.mark.parametrize(
    ("named", "headline"),
    [
        ("Microsoft Word - 文档 2", "政府信息公开工作年度报告"),  # metadata of the tool
        ("HYB01B20241016C", "海上油气田投产"),  # a code
        ("强大则世界", "强大世界"),  # a headline too short to tell
        ("2024年政府工作报告全文", "政府工作报告"),  # more than a glyph or two longer
        ("内心强大则世界辽阔", "世界辽阔内心强大"),  # the same characters, not in order
    ],
)
def test_metadata_that_names_something_else_leaves_the_headline(named: str, headline: str) -> None:
    assert _layout_of(named, headline) == [headline]


def test_an_untitled_article_takes_the_metadata_title_when_no_article_bears_it() -> None:
    assert _layout_of("2024年克州年鉴", "", "外贸进出口增速全疆第一") == [
        "2024年克州年鉴 #1",
        "外贸进出口增速全疆第一",
    ]
    assert _layout_of("", "") == ["magazine-12"]
