from rag.components.text_repair import join_pair, normalize_width, remove_spaces, repair_text
from tests.conftest import SEED_FOREIGN_TRADE_2024, SEED_FOREIGN_TRADE_2025


def test_seed_page_is_repaired_into_whole_sentences() -> None:
    text = repair_text(SEED_FOREIGN_TRADE_2024.read_text(encoding="utf-8")).text
    for expected in [
        "2024年1至8月",
        "65.6亿元",
        "4.76万户",
        "活跃度达82%",
        "中新网广州9月27日电",
        "78.49亿元",
    ]:
        assert expected in text
    # a sentence broken over four narrow PDF lines comes back in one piece
    assert "克州完成外贸进出口总额65.6亿元，同比增长270%，增速全疆第一" in text
    # no paragraph ends in the middle of a sentence in the first article
    first_article = text.split("“2024年广州文化企业30强”榜单出炉")[0]
    for paragraph in first_article.strip().split("\n"):
        assert paragraph.endswith(("。", "。”", "说。")), paragraph


def test_headlines_stay_separate_from_the_next_article() -> None:
    paragraphs = repair_text(SEED_FOREIGN_TRADE_2024.read_text(encoding="utf-8")).text.split("\n")
    assert "江苏成为中国新能源产业集聚度最高省份" in paragraphs
    assert any(p.startswith("中新网广州9月27日电") for p in paragraphs)


def test_markdown_metadata_row_leaves_the_body_and_becomes_fields() -> None:
    repaired = repair_text(SEED_FOREIGN_TRADE_2025.read_text(encoding="utf-8"))
    assert repaired.fields["来源"] == "克孜勒苏日报"
    assert "发布时间" not in repaired.fields  # the date cell is empty in the seed
    assert "|" not in repaired.text
    assert repaired.text.startswith("潮涌帕米尔扬帆正当时\n")


def test_spaces_inside_numbers_and_between_cjk_go() -> None:
    assert remove_spaces("中 新 网 广 州 9 月") == "中新网广州9月"
    assert remove_spaces("总额 6 5 . 6 亿元") == "总额65.6亿元"
    assert remove_spaces("活 跃 度 达 82 %") == "活跃度达82%"
    assert remove_spaces("( 第 9 场 )") == "(第9场)"


def test_latin_words_keep_their_spaces() -> None:
    assert remove_spaces("发布 iPhone 15 Pro 手机") == "发布iPhone 15 Pro手机"
    assert join_pair("the new", "model") == "the new model"
    assert join_pair("增长", "45.2%") == "增长45.2%"
    assert join_pair("193", "1") == "1931"


def test_full_width_digits_become_ascii_but_chinese_punctuation_stays() -> None:
    assert normalize_width("１０７．３７亿元，增长４５．２％。") == "107.37亿元，增长45.2%。"


def test_unwrapped_text_keeps_headings_and_joins_a_long_broken_line() -> None:
    body = "这是一段很长的正文，" * 6 + "说完了。"
    raw = f"标题一\n{body}\n{body[:-4]}有序\n运转，后面还有内容。\n小标题\n{body}\n{body}"
    paragraphs = repair_text(raw).text.split("\n")
    assert paragraphs[0] == "标题一"
    assert paragraphs[2].endswith("有序运转，后面还有内容。")
    assert paragraphs[3] == "小标题"
