"""PDF layout on generated multi-column newspaper pages: articles, titles, captions, furniture.

The fixtures (tests/fixtures/pdf, made by make_fixtures.py) draw every page row-major, so
plain text extraction interleaves the columns; the ground truth is what was typeset.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from rag.components.page_layout import Article, PageLayout
from rag.components.pdf_articles import join_lines
from rag.components.pdf_chars import Box, Line, PageContent
from rag.components.pdf_layout import _outside_rules
from rag.components.readers import read_document
from rag.components.xy_cut import xy_cut
from rag.errors import InputFileError

PDF_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "pdf"
SEED_TRUTH = Path(__file__).resolve().parents[1] / "fixtures" / "layout" / "seed000_truth.json"
FIXTURES = [
    "two_columns",
    "four_columns",
    "two_pages",
    "justified",
    "seed000_columns",
    "magazine",
    "front_page",
    "cropped_photo",
    "mind_map",
    "report",
]
MIN_SIMILARITY = 0.98
MB = 1_000_000


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, squeeze(a), squeeze(b), autojunk=False).ratio()


def truth_of(name: str) -> dict[str, list]:
    return json.loads((PDF_DIR / f"{name}.truth.json").read_text(encoding="utf-8"))


def layout_of(name: str) -> PageLayout:
    layout = read_document(PDF_DIR / f"{name}.pdf", 10 * MB).layout
    assert layout is not None
    return layout


def by_title(layout: PageLayout, title: str) -> Article:
    found = [a for a in layout.articles if squeeze(a.title) == squeeze(title)]
    assert len(found) == 1, f"{title!r} not found once in {[a.title for a in layout.articles]}"
    return found[0]


@pytest.mark.parametrize("name", FIXTURES)
def test_article_count(name: str) -> None:
    assert len(layout_of(name).articles) == len(truth_of(name)["articles"])


@pytest.mark.parametrize("name", FIXTURES)
def test_each_body_matches_its_title_truth(name: str) -> None:
    layout = layout_of(name)
    for expected in truth_of(name)["articles"]:
        article = by_title(layout, expected["title"])
        ratio = similarity(article.text, expected["text"])
        print(f"{name}: {expected['title']}: similarity {ratio:.4f}")
        assert ratio >= MIN_SIMILARITY, article.text


@pytest.mark.parametrize("name", FIXTURES)
def test_key_strings_are_unbroken(name: str) -> None:
    bodies = [a.text for a in layout_of(name).articles]
    for key in truth_of(name)["key_strings"]:
        assert any(key in body for body in bodies), key


@pytest.mark.parametrize("name", FIXTURES)
def test_no_caption_header_footer_or_headline_in_a_body(name: str) -> None:
    layout = layout_of(name)
    truth = truth_of(name)
    stray = list(truth["furniture"]) + truth.get("data", [])
    for article in truth["articles"]:
        stray += article["captions"]
        if article["title"]:  # not the untitled end of a story from the page before
            stray.append(article["title"])
    for article in layout.articles:
        for text in stray:
            assert squeeze(text) not in squeeze(article.text), (article.title, text)


@pytest.mark.parametrize("name", FIXTURES)
def test_captions_belong_to_their_article_and_furniture_is_set_aside(name: str) -> None:
    layout = layout_of(name)
    truth = truth_of(name)
    for expected in truth["articles"]:
        article = by_title(layout, expected["title"])
        assert [squeeze(c) for c in article.captions] == [squeeze(c) for c in expected["captions"]]
    furniture = {squeeze(s.text) for s in layout.set_aside if s.kind == "furniture"}
    assert {squeeze(text) for text in truth["furniture"]} <= furniture


def test_a_reports_sidebar_of_data_is_set_aside_not_read_as_an_article() -> None:
    layout = layout_of("report")
    [other] = [squeeze(s.text) for s in layout.set_aside if s.kind == "other"]
    assert squeeze("".join(truth_of("report")["data"])) == other


def test_plain_extraction_of_the_fixtures_interleaves_columns() -> None:
    """The fixtures are hard on purpose: naive text order mixes two articles in one line."""
    pdf = pdfium.PdfDocument(PDF_DIR / "four_columns.pdf")
    textpage = pdf[0].get_textpage()
    plain = squeeze(textpage.get_text_range())
    first = truth_of("four_columns")["articles"][0]["text"].split("\n")[0]
    assert squeeze(first) not in plain


def test_seed_000_typeset_in_columns_gives_the_text_paths_four_articles() -> None:
    seed = json.loads(SEED_TRUTH.read_text(encoding="utf-8"))
    layout = layout_of("seed000_columns")
    assert [a.title for a in layout.articles] == [s["title"] for s in seed]
    for article, expected in zip(layout.articles, seed, strict=True):
        ratio = similarity(article.text, expected["text"])
        print(f"seed000_columns: {expected['title']}: similarity {ratio:.4f}")
        assert ratio >= MIN_SIMILARITY
        assert article.source == expected["source"]


@pytest.mark.parametrize("name", FIXTURES)
def test_titles_keep_their_word_spaces(name: str) -> None:
    layout = layout_of(name)
    for expected in truth_of(name)["articles"]:
        title = by_title(layout, expected["title"]).title
        # Where a headline wraps at its space, the space is not printed.
        assert title in (expected["title"], squeeze(expected["title"]))


def test_a_magazine_page_reads_two_stories_apart_and_sets_aside_what_is_not_text() -> None:
    """The magazine fixture: the end of a story in two columns, a rule drawn with glyphs, a
    new story with a section label, a headline set one character at a time in two sizes, a
    byline, and a column that is narrower beside a picture than below it."""
    layout = layout_of("magazine")
    truth = truth_of("magazine")
    ending, story = layout.articles
    assert ending.title == ""
    assert story.title == truth["articles"][1]["title"] == "内心强大则世界辽阔"
    assert story.byline == truth["byline"]
    # the narrow lines beside the picture join like any other wrapped line
    assert "他在前线出生入死，不光要承受失败的痛苦" in story.text
    assert "同僚的嘲笑和排挤，应付上级的猜疑。换成别人，恐怕早已消极厌世，黯然放弃。" in story.text
    paragraphs = story.text.split("\n")
    assert len(paragraphs) == len(truth["articles"][1]["text"].split("\n"))
    assert any(p.startswith("曾国藩走向成功的历程，就是内心不断强大的过程。") for p in paragraphs)
    noise = " ".join(s.text for s in layout.set_aside if s.kind == "noise")
    for text in truth["noise"]:
        assert squeeze(text) in squeeze(noise)
        assert all(squeeze(text) not in squeeze(a.text) for a in layout.articles)


def test_a_headline_keeps_its_word_space() -> None:
    titles = [a.title for a in layout_of("two_pages").articles]
    assert titles[0] == "新能源汽车产销两旺 前三季度产量突破百万辆"


def test_article_continues_onto_the_next_page() -> None:
    layout = layout_of("two_pages")
    continued = by_title(layout, "一季度全省外贸进出口同比增长8.3%")
    assert continued.text.endswith("（完）")
    assert "优结构" in continued.text


def test_reader_text_joins_titles_and_bodies() -> None:
    doc = read_document(PDF_DIR / "two_columns.pdf", 10 * MB)
    assert doc.layout is not None
    assert doc.text.startswith(doc.layout.articles[0].title + "\n")
    assert all(a.text in doc.text for a in doc.layout.articles)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("bad_encrypted.pdf", "is encrypted"),
        ("bad_truncated.pdf", "is not a readable PDF"),
        ("bad_scanned.pdf", r"has no text layer \(a scanned PDF\?\) — OCR is not supported"),
    ],
)
def test_bad_pdfs_get_a_clear_error(name: str, message: str) -> None:
    path = PDF_DIR / name
    with pytest.raises(InputFileError, match=message) as info:
        read_document(path, 10 * MB)
    assert info.value.path == str(path)


def test_empty_and_scanned_pages_are_skipped_and_named(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        doc = read_document(PDF_DIR / "empty_and_scanned_pages.pdf", 10 * MB)
    assert doc.layout is not None
    assert [a.title for a in doc.layout.articles] == ["长江航运货运量再创新高"]
    notes = [s.text for s in doc.layout.set_aside if s.kind == "other"]
    assert notes == ["pages without a text layer (OCR is not supported): 1, 2, 3"]
    assert "pages 1, 2, 3 have no text layer" in caplog.text


def test_a_300_page_pdf_finishes_with_progress(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Built at run time from a committed page; peak memory is measured in bench/layout_bench.py."""
    source = pdfium.PdfDocument(PDF_DIR / "two_columns.pdf")
    book = pdfium.PdfDocument.new()
    for _ in range(300):
        book.import_pages(source)
    path = tmp_path / "book.pdf"
    book.save(path)
    doc = read_document(path, 100 * MB)
    assert doc.layout is not None
    assert len(doc.layout.articles) == 3 * 300
    assert "300/300" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("lower_rows", "order"),
    [
        # Columns under a headline that spans them: left column, then right column.
        ([(70, 80), (56, 66)], ["headline", "left 1", "left 2", "right 1", "right 2"]),
        # Both columns have a gap at y 40-60; cutting there would read the page row by row.
        ([(60, 80), (20, 40)], ["headline", "left 1", "left 2", "right 1", "right 2"]),
    ],
)
def test_xy_cut_reads_columns_under_a_spanning_headline(
    lower_rows: list[tuple[float, float]], order: list[str]
) -> None:
    boxes = [Line(0, 90, 200, 100, "headline", 10)]
    for row, (y0, y1) in enumerate(lower_rows, start=1):
        boxes.append(Line(0, y0, 90, y1, f"left {row}", 10))
        boxes.append(Line(110, y0, 200, y1, f"right {row}", 10))
    leaves = xy_cut(boxes, min_col_gap=6, min_row_gap=7)
    assert [b.text for leaf in leaves for b in leaf] == order
    assert [b.text for b in leaves[0]] == ["headline"]


def _stream(box: Box) -> int | None:
    return box.order if isinstance(box, Line) else None


def _labelled(labels: list[tuple[float, str]], extra: list[Box]) -> list[Box]:
    """Labels at x 0-40 (one line each, at these y), each with a line to its right,
    written to the content stream label first, then its line."""
    boxes: list[Box] = []
    for y, text in labels:
        boxes.append(Line(0, y, 40, y + 10, text, 10, order=len(boxes)))
        boxes.append(Line(60, y, 200, y + 10, f"{text} text", 10, order=len(boxes)))
    return boxes + extra


def test_xy_cut_reads_a_column_of_labels_in_the_order_the_producer_wrote() -> None:
    """A mind map's branch labels (few, far apart, each beside what it labels): read
    column by column, every label would come before any text."""
    boxes = _labelled([(300, "a"), (200, "b"), (100, "c")], [])
    leaves = xy_cut(boxes, min_col_gap=6, min_row_gap=7, stream=_stream)
    texts = [b.text for leaf in leaves for b in leaf if isinstance(b, Line)]
    assert texts == ["a", "a text", "b", "b text", "c", "c text"]
    # without the content-stream order the page is read as columns, as before
    plain = [b.text for leaf in xy_cut(boxes, 6, 7) for b in leaf if isinstance(b, Line)]
    assert plain == ["a", "b", "c", "a text", "b text", "c text"]


def test_a_dense_column_or_a_column_with_pictures_is_no_column_of_labels() -> None:
    # labels a line apart: a column of text
    dense = _labelled([(300, "a"), (285, "b"), (270, "c")], [])
    texts = [b.text for leaf in xy_cut(dense, 6, 7, _stream) for b in leaf if isinstance(b, Line)]
    assert texts[:3] == ["a", "b", "c"]
    # photos with short captions far apart, body text beside them: a column of photos
    photos = [Box(0, y + 12, 40, y + 60) for y in (300, 200, 100)]
    framed = _labelled([(300, "a"), (200, "b"), (100, "c")], photos)
    texts = [b.text for leaf in xy_cut(framed, 6, 7, _stream) for b in leaf if isinstance(b, Line)]
    assert texts[:3] == ["a", "b", "c"]


def test_a_mind_maps_name_heads_no_article() -> None:
    """mind_map: the map's name stands left of its branches and heads no text of its own:
    set aside as a headline, not joined to the first branch's label."""
    layout = layout_of("mind_map")
    titles = [a.title for a in layout.articles]
    assert titles == [a["title"] for a in truth_of("mind_map")["articles"]]
    headlines = [s.text for s in layout.set_aside if s.kind == "headline"]
    assert [squeeze(h) for h in headlines] == truth_of("mind_map")["set_aside_headlines"]


def test_xy_cut_follows_a_gutter_that_steps_sideways_round_a_photo() -> None:
    """The People's Daily layout: a photo over both columns' tops but the right column's,
    its caption (credit set apart at the right end of the last row), the text starting
    under the photo in the left column, running on in the narrow column beside the photo
    and down the right column, which is wider under the photo. No straight cut parts
    them; read row by row, the two lower columns would interleave."""
    photo = Box(0, 60, 140, 130)
    boxes: list[Box] = [photo]
    boxes += [Line(150, 130 - 10 * r, 200, 138 - 10 * r, f"narrow {r}", 8) for r in range(10)]
    boxes += [
        Line(0, 50, 140, 58, "caption", 8),
        Line(0, 40, 20, 48, "caption end", 8),
        Line(100, 40, 140, 48, "credit", 8),
    ]
    for r in range(3):
        boxes.append(Line(0, 26 - 10 * r, 90, 34 - 10 * r, f"left {r}", 8))
        boxes.append(Line(110, 26 - 10 * r, 200, 34 - 10 * r, f"right {r}", 8))
    leaves = xy_cut(boxes, min_col_gap=6, min_row_gap=7)
    texts = [b.text for leaf in leaves for b in leaf if isinstance(b, Line)]
    narrow = [f"narrow {r}" for r in range(10)]
    assert texts == [
        *["caption", "caption end", "credit"],
        *["left 0", "left 1", "left 2"],
        *narrow,
        *["right 0", "right 1", "right 2"],
    ]
    # each column's run of lines is one leaf: the narrow column and the wider one below
    assert [b.text for b in leaves[-1]] == [*narrow, "right 0", "right 1", "right 2"]


@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        ("同比增长18.", "6%，高于全国", "同比增长18.6%，高于全国"),
        (
            "the database is stored:",
            "applications must",
            "the database is stored: applications must",
        ),
        ("see the help-", "bug list", "see the help-bug list"),
    ],
)
def test_lines_join_without_a_space_in_chinese_and_with_one_in_latin_text(
    left: str, right: str, joined: str
) -> None:
    assert join_lines(left, right) == joined


@pytest.mark.parametrize(
    ("name", "date"),
    [("four_columns", "2024-04-26"), ("two_pages", "2024-10-19"), ("seed000_columns", "")],
)
def test_articles_take_the_issue_date_printed_in_the_page_header(name: str, date: str) -> None:
    assert {a.date for a in layout_of(name).articles} == {date}


def test_a_rule_near_the_top_with_columns_above_it_is_not_a_header_rule() -> None:
    header = [Line(30, 570, 300, 580, "经济周刊 第3版", 9)]
    body = [Line(30, 540 - 14 * i, 150, 550 - 14 * i, f"正文{i}", 10) for i in range(30)]
    page = PageContent(1, 400, 600, header + body, rules=[562.0])
    inside, outside = _outside_rules(page)
    assert outside == ["经济周刊第3版"]
    assert len(inside) == 30
    # A rule as high up, but under two lines of four columns: it separates articles.
    columns = [
        Line(30 + 90 * c, y, 100 + 90 * c, y + 10, "栏", 10) for c in range(4) for y in (570, 556)
    ]
    page = PageContent(1, 400, 600, columns + body, rules=[545.0])
    inside, outside = _outside_rules(page)
    assert outside == []


def test_a_photo_clipped_to_its_frame_leaves_the_gutter_and_a_large_masthead_dates_the_page() -> (
    None
):
    """cropped_photo: the photo's unclipped box would cover the gutter (the page then read
    row by row, the two stories interleaved); the masthead's date line is set in large type
    and would otherwise head the first story's title."""
    layout = layout_of("cropped_photo")
    assert [a.title for a in layout.articles] == [
        a["title"] for a in truth_of("cropped_photo")["articles"]
    ]
    assert {a.date for a in layout.articles} == {"2024-10-16"}
