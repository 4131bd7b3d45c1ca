"""The text path of layout repair: seeds against hand-checked ground truth, and one small text per rule."""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import pytest

from rag.components.article_split import split_articles
from rag.components.page_layout import PageLayout
from rag.components.readers import decode_text
from rag.settings import PROJECT_ROOT
from tests.conftest import SEED_FOREIGN_TRADE_2024, SEED_FOREIGN_TRADE_2025

TRUTH = PROJECT_ROOT / "tests" / "fixtures" / "layout"
MIN_SIMILARITY = 0.98


def _no_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _similarity(got: str, want: str) -> float:
    return difflib.SequenceMatcher(None, _no_space(got), _no_space(want), autojunk=False).ratio()


def _layout(path: Path) -> PageLayout:
    return split_articles(path.read_text(encoding="utf-8"))


def _truth(name: str) -> list[dict[str, object]]:
    return list(json.loads((TRUTH / name).read_text(encoding="utf-8")))


SEEDS = [
    (SEED_FOREIGN_TRADE_2024, "seed000_truth.json"),
    (SEED_FOREIGN_TRADE_2025, "seed004_truth.json"),
]


# -- the seeds against ground truth -----------------------------------------------------------
@pytest.mark.parametrize(("seed", "truth_file"), SEEDS)
def test_seed_bodies_match_the_ground_truth(seed: Path, truth_file: str) -> None:
    layout = _layout(seed)
    truth = _truth(truth_file)
    assert len(layout.articles) == len(truth)
    for got, want in zip(layout.articles, truth, strict=True):
        ratio = _similarity(got.text, str(want["text"]))
        print(f"{seed.name} 《{want['title']}》 similarity {ratio:.4f}")
        assert ratio >= MIN_SIMILARITY, (want["title"], ratio)
        # titles are compared without spaces: the truth keeps the gap in a two-part headline
        assert _no_space(got.title) == _no_space(str(want["title"]))
        assert got.source == want["source"]
        assert got.date == want["date"]


@pytest.mark.parametrize(("seed", "truth_file"), SEEDS)
def test_captions_go_to_the_article_they_belong_to(seed: Path, truth_file: str) -> None:
    layout = _layout(seed)
    for got, want in zip(layout.articles, _truth(truth_file), strict=True):
        assert sorted(map(_no_space, got.captions)) == sorted(
            map(_no_space, want["captions"])  # type: ignore[arg-type]
        )
    captions = [s for s in layout.set_aside if s.kind == "caption"]
    assert all(s.article is not None for s in captions)


def test_newspaper_page_becomes_four_articles_with_their_own_headlines() -> None:
    layout = _layout(SEED_FOREIGN_TRADE_2024)
    assert len(layout.articles) == 4
    by_title = {_no_space(a.title): a.text for a in layout.articles}
    foreign_trade = by_title["今年前8月新疆克州外贸进出口增速全疆第一"]
    assert foreign_trade.startswith("中新网乌鲁木齐9月27日电")
    for key in ["2024年1至8月", "65.6亿元", "4.76万户", "活跃度达82%"]:
        assert key in foreign_trade
    assert by_title["“2024年广州文化企业30强”榜单出炉"].startswith("中新网广州9月27日电")
    assert by_title["2024宿迁绿色产业洽谈会正式开幕签约项目71个"].startswith("中新网宿迁")
    assert by_title["江苏成为中国新能源产业集聚度最高省份"].startswith("中新网常州")
    # the four headlines are titles, not body text
    for article in layout.articles:
        for title in by_title:
            assert title not in article.text


def test_no_caption_or_line_break_inside_a_sentence_in_any_body() -> None:
    layout = _layout(SEED_FOREIGN_TRADE_2024)
    for article in layout.articles:
        for caption in ["王小军摄", "唐娟摄", "宣传部供图", "基金项目现场签约", "发布会现场"]:
            assert caption not in _no_space(article.text)
        for paragraph in article.text.split("\n"):
            assert paragraph.endswith(("。", "。”")), paragraph


def test_web_article_takes_title_and_source_from_its_head_and_metadata_row() -> None:
    layout = _layout(SEED_FOREIGN_TRADE_2025)
    (article,) = layout.articles
    assert article.title == "潮涌帕米尔扬帆正当时"
    assert article.source == "克孜勒苏日报"
    assert article.date == ""  # the 发布时间 cell is empty
    assert "|" not in article.text
    assert not article.text.startswith("潮涌帕米尔扬帆正当时")
    assert {s.kind for s in layout.set_aside} == {"table_row"}
    assert layout.fields["来源"] == "克孜勒苏日报"


# -- one rule each ----------------------------------------------------------------------------
BODY_A = "中新网北京9月1日电(记者 张 三)北京 市 今 年 新建 公园 1 2 个，绿地 面积 增长 5 %。\n市民 反映 良好。"
BODY_B = "新华社上海9月2日电(记者 李四)上海港 集装箱 吞吐量 达到 4 5 0 万 标箱，创 历史 新高。"


@pytest.mark.parametrize(
    "caption",
    [
        "公园一角。张 三 摄",
        "公园一角。（记者 张三 摄）",
        "公园一角。北京市园林局供图",
        "图为新建的公园一角",
        "▲ 新建的公园一角",
    ],
)
def test_caption_forms_are_set_aside_and_attached(caption: str) -> None:
    layout = split_articles(f"{BODY_A}\n\n{caption}\n\n{BODY_B}")
    assert len(layout.articles) == 2
    assert [s.kind for s in layout.set_aside] == ["caption"]
    assert layout.set_aside[0].article == 0
    assert layout.articles[0].captions == [layout.set_aside[0].text]
    assert "公园一角" not in layout.articles[0].text
    assert layout.articles[1].captions == []


def test_a_caption_goes_to_the_article_of_its_photographer() -> None:
    text = f"{BODY_A}\n\n{BODY_B}\n\n现场。李四 摄"
    layout = split_articles(text)
    assert layout.articles[1].captions == ["现场。李四 摄"]


def test_a_sentence_with_a_shooting_verb_is_not_a_caption() -> None:
    layout = split_articles("小组在公园里拍摄了一部短片，讲述市民生活。")
    assert layout.set_aside == []
    assert layout.articles[0].text == "小组在公园里拍摄了一部短片，讲述市民生活。"


@pytest.mark.parametrize("end_mark", ["(完)", "（完）", "(责任编辑：王五)", "【编辑：王五】"])
def test_end_marks_close_an_article(end_mark: str) -> None:
    text = f"{BODY_A}{end_mark}\n\n一个没有电头的短讯，正文在这里。\n第二段也在这里。"
    layout = split_articles(text)
    assert len(layout.articles) == 2
    assert end_mark not in layout.articles[0].text
    assert layout.articles[0].text.endswith("市民反映良好。")
    assert layout.articles[1].text.startswith("一个没有电头的短讯")
    if "编辑" in end_mark:
        assert [(s.kind, s.article) for s in layout.set_aside] == [("furniture", 0)]


def test_text_without_a_dateline_is_one_article() -> None:
    text = "社区通知\n本周六上午，社区将组织义务植树活动。\n请居民带好工具，准时参加。"
    layout = split_articles(text)
    assert len(layout.articles) == 1
    assert layout.articles[0].title == "社区通知"
    assert layout.articles[0].source == ""
    assert layout.articles[0].text.startswith("本周六上午")


def test_plain_text_without_a_heading_leaves_the_title_to_the_caller() -> None:
    layout = split_articles("今天天气很好，我们去公园散步。公园里人很多。")
    assert [a.title for a in layout.articles] == [""]


def test_latin_words_keep_their_spaces() -> None:
    layout = split_articles("苹果公司发布 iPhone 15 Pro 手机，售价 7 9 9 9 元。")
    assert layout.articles[0].text == "苹果公司发布iPhone 15 Pro手机，售价7999元。"


def test_gbk_text_goes_through_the_same_path(tmp_path: Path) -> None:
    raw = SEED_FOREIGN_TRADE_2024.read_text(encoding="utf-8")
    path = tmp_path / "page.txt"
    path.write_bytes(raw.encode("gbk"))
    text, encoding = decode_text(path, path.read_bytes())
    assert encoding == "gb18030"
    assert split_articles(text) == split_articles(raw)


def test_bunched_headlines_go_to_the_article_whose_opening_they_match() -> None:
    # headlines printed together between two articles, in the opposite order to the articles
    text = f"{BODY_A}\n\n上海港吞吐量创历史新高\n\n北京今年新建公园12个\n\n{BODY_B}"
    layout = split_articles(text)
    assert [a.title for a in layout.articles] == ["北京今年新建公园12个", "上海港吞吐量创历史新高"]
    assert "上海港吞吐量创历史新高" not in layout.articles[0].text


def test_a_headline_above_its_dateline_is_the_title() -> None:
    layout = split_articles(f"秋季运动会开幕\n\n{BODY_A}")
    assert [a.title for a in layout.articles] == ["秋季运动会开幕"]
    assert layout.articles[0].text.startswith("中新网北京9月1日电")


def test_full_date_from_a_dateline_or_a_metadata_row() -> None:
    dated = split_articles("新华社北京2024年9月27日电 国务院今天召开常务会议。")
    assert dated.articles[0].date == "2024-09-27"
    assert dated.articles[0].source == "新华社"
    undated = split_articles(BODY_A)
    assert undated.articles[0].date == ""
    row = split_articles(
        "标题\n| 来源 | 某某日报 | 发布时间 | 2025-10-24 09:30 |\n正文一句。\n正文两句。"
    )
    assert (row.articles[0].date, row.articles[0].source) == ("2025-10-24", "某某日报")


def test_page_furniture_is_set_aside() -> None:
    text = f"第 3 版\n2024年9月28日 星期六\n\n{BODY_A}\n\n- 3 -"
    layout = split_articles(text)
    assert [s.kind for s in layout.set_aside] == ["furniture"] * 3
    assert layout.articles[0].text.startswith("中新网北京9月1日电")
    assert "星期六" not in layout.articles[0].text


def test_a_sentence_that_mentions_an_editor_is_not_an_end_mark() -> None:
    text = "本次活动的稿件由专人负责，校对：全部完成。\n活动圆满结束。"
    layout = split_articles(text)
    assert layout.set_aside == []
    assert "校对：全部完成。" in layout.articles[0].text
