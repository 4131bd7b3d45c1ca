"""Property tests (hypothesis) over text repair, article splitting and chunking, on
generated pages built from the pieces real pages are made of: they never raise, and no
Chinese character is lost: each one of the input is in the output (or in what was set
aside, which is reported), and chunks are exact, gapless slices of their article."""

from __future__ import annotations

import os
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from llama_index.core.schema import Document

from rag.components.article_split import split_articles
from rag.components.splitter import ChineseSentenceSplitter
from rag.components.text_repair import repair_text

PIECES = [
    "中新网北京9月27日电",
    "新华社乌鲁木齐电",
    "本报讯",
    "(完)",
    "（记者 王小军）",
    "王小军 摄",
    "图为签约现场。",
    "| 来源 | 克孜勒苏日报 |",
    "| --- | --- |",
    "责任编辑：李明",
    "1 0 7 . 3 7 亿 元",
    "６５．６％",
    "\n",
    "\n\n",
    "  ",
    "\u3000\u3000",
    "——",
    "……",
    "今年1-9月，克州外贸进出口总额107.37亿元。",
    "克州外贸稳步增长",
]
ALPHABET = st.characters(
    codec="utf-8",
    categories=["Lo", "Nd", "Po", "Ps", "Pe", "Zs", "Lu", "Ll", "Sm", "Pd"],
    exclude_characters="\x85\u2028\u2029",
)
HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
PAGE = st.lists(
    st.one_of(
        st.sampled_from(PIECES),
        st.text(HAN, min_size=1, max_size=40),
        st.text(ALPHABET, max_size=20),
    ),
    max_size=40,
).map("".join)
PROPERTY = settings(
    max_examples=int(os.environ.get("RAG_HYPOTHESIS_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def han(text: str) -> Counter[str]:
    return Counter(c for c in text if "\u4e00" <= c <= "\u9fff")


@PROPERTY
@given(PAGE)
def test_repair_keeps_every_chinese_character_in_order(page: str) -> None:
    repaired = repair_text(page)
    kept = [c for c in repaired.text if "\u4e00" <= c <= "\u9fff"]
    set_aside = han("\n".join(repaired.set_aside))
    assert Counter(kept) + set_aside == han(page)
    source = iter(c for c in page if "\u4e00" <= c <= "\u9fff")
    assert all(c in source for c in kept)  # a subsequence: order kept


@PROPERTY
@given(PAGE)
def test_article_splitting_loses_no_chinese_character(page: str) -> None:
    layout = split_articles(page)
    out = Counter[str]()
    for article in layout.articles:
        out += han(article.title) + han(article.text)
    for item in layout.set_aside:
        out += han(item.text)
    missing = han(page) - out
    assert not missing, f"lost {''.join(missing.elements())!r}"


@PROPERTY
@given(PAGE)
def test_chunks_are_exact_gapless_slices_of_their_article(page: str) -> None:
    splitter = ChineseSentenceSplitter(chunk_size=120, chunk_overlap=20)
    for article in split_articles(page).articles:
        if not article.text.strip():
            continue
        nodes = splitter.get_nodes_from_documents([Document(text=article.text)])
        covered = 0
        for node in nodes:
            start, end = node.start_char_idx, node.end_char_idx  # type: ignore[attr-defined]
            assert start is not None
            assert end is not None
            assert node.get_content() == article.text[start:end]
            assert not article.text[covered:start].strip()  # no gap but whitespace
            covered = max(covered, end)
        assert not han(article.text[covered:])
