"""Rules for real pages, one by one on lines as pdf_chars makes them: noise set aside,
centred headings, bold sub-headings, paragraph indents in a column that changes width,
bylines, section labels, headline repair (rag/components/pdf_noise.py, pdf_headings.py,
pdf_layout.py)."""

from __future__ import annotations

from rag.components.chinese_tokens import rare_share
from rag.components.pdf_articles import assemble_articles
from rag.components.pdf_chars import Box, Line, PageContent
from rag.components.pdf_headings import centred_headings
from rag.components.pdf_layout import _repair_headline, page_blocks_of
from rag.components.pdf_noise import is_background, is_ornament, is_unreadable, noise_kind

BODY = 10.0


def line(x0: float, y0: float, text: str, size: float = BODY, width: float = 0) -> Line:
    width = width or size * len(text.replace(" ", ""))
    return Line(x0, y0, x0 + width, y0 + size, text, size)


def test_glyph_ornaments_and_stray_marks_are_not_text() -> None:
    assert is_ornament("卜 -——+一-—·卜 -—卜 -—卜 -—+一-—+一一—卜")
    assert is_ornament("，、，‘")
    assert is_ornament("I／")
    # the end of a wrapped sentence, figures and short words are text
    assert not is_ornament("话 。 ”")
    assert not is_ornament("。”")
    assert not is_ornament("- 12 -")
    assert not is_ornament("（完）")
    assert not is_ornament("小，直至忽略不计。”")


def test_strings_of_rare_characters_are_unreadable_and_real_text_is_not() -> None:
    assert is_unreadable("瓷堍 甏蔑魄罄 |")
    assert is_unreadable("l《氇馥 §|真")
    for text in (
        "新疆克孜勒苏柯尔克孜自治州党委副书记、州长吾肉孜阿力·哈西哈尔巴依27日说。",
        "中国铌业投资控股有限公司收购了巴西矿冶公司15%的股权。",
        "圣嘉禄·鲍荣茂像由拉吉设计。",
    ):
        assert rare_share(text) < 0.1, text
        assert not is_unreadable(text)


def test_specks_far_below_the_body_size_are_noise() -> None:
    assert noise_kind(line(0, 0, "、", size=2.9), BODY) == "speck"
    assert noise_kind(line(0, 0, "正文一行", size=BODY), BODY) == ""


def test_a_scanned_pages_picture_is_a_background_not_a_picture() -> None:
    assert is_background(Box(0, 0, 500, 700), 507, 711)
    assert not is_background(Box(100, 100, 300, 250), 507, 711)


def test_a_centred_row_over_full_width_text_is_a_heading_in_one_piece() -> None:
    lines = [
        line(90, 667, "其质量控制制度和采取的措施。", width=210),
        line(155, 614, "第五章", width=45),
        line(215, 614, "工程建设标准强制性条文执行情况", width=225),
        line(90, 570, "概述工程建设、设计、施工、监理各方执行工程建设标准强", width=415),
        line(90, 542, "制性条文的情况。", width=120),
    ]
    out, headings = centred_headings(lines, BODY)
    heading = [item for item in out if id(item) in headings]
    assert [h.text for h in heading] == ["第五章 工程建设标准强制性条文执行情况"]
    assert len(out) == 4


def test_table_cells_and_figure_captions_are_not_headings() -> None:
    cells = [
        line(90, 700, "信息内容本年制发件数本年废止件数现行有效件数总计", width=415),
        line(250, 680, "第二十条第（一）项", width=100),
        line(150, 660, "规章", width=40),
        line(350, 660, "83", width=20),
        line(250, 640, "图表 1.1 这是一幅牛的图片", width=120),
        line(90, 620, "这个过程的基本步骤是，插入一个文本框，在文本框中插入图片，", width=415),
    ]
    _, headings = centred_headings(cells, BODY)
    assert not headings


def _page(lines: list[Line]) -> PageContent:
    return PageContent(1, 500, 800, lines)


def test_a_column_narrower_beside_a_headline_keeps_its_lines_in_one_paragraph() -> None:
    # x0 338 beside the headline, 322 below it; one paragraph indent (356)
    lines = [
        line(338, 700, "小，直至忽略不计。”年轻人恍然大悟，", width=148),
        line(338, 686, "辞谢而去。", width=50),
        line(356, 672, "有的人偶有小获便得意忘形。遇", width=130),
        line(338, 658, "到一点小挫折就寻死觅活，心量太小，", width=148),
        line(338, 644, "难成大器。曾国藩是晚清中兴名臣、理", width=148),
        line(322, 630, "湘军，在十几年的戎马生涯中，遭遇失", width=164),
        line(322, 616, "败无数。好几次差点全军覆没。", width=150),
    ]
    blocks, _, _ = page_blocks_of(_page(lines))
    text = assemble_articles(blocks).articles[0].text
    assert text.split("\n") == [
        "小，直至忽略不计。”年轻人恍然大悟，辞谢而去。",
        "有的人偶有小获便得意忘形。遇到一点小挫折就寻死觅活，心量太小，难成大器。"
        "曾国藩是晚清中兴名臣、理湘军，在十几年的戎马生涯中，遭遇失败无数。好几次差点全军覆没。",
    ]


def test_a_byline_becomes_metadata_and_a_section_label_is_set_aside() -> None:
    lines = [
        line(60, 740, "【生活智慧】", width=80),
        line(60, 700, "内心强大世界辽阔", size=24.5, width=250),
        line(60, 670, "◎ 文／姜钦峰", width=80),
        line(60, 640, "有个年轻人去庙里问高僧：“求大师指点迷津，为什么我老是觉得", width=400),
        line(60, 626, "自己很痛苦？”高僧笑而不答。", width=150),
    ]
    blocks, _, _ = page_blocks_of(_page(lines))
    layout = assemble_articles(blocks)
    (article,) = layout.articles
    assert article.title == "内心强大世界辽阔"
    assert article.byline == "◎文／姜钦峰"
    assert article.text.startswith("有个年轻人")
    assert "生活智慧" not in article.text
    assert article.to_json()["byline"] == "◎文／姜钦峰"


def test_headline_repair_joins_characters_placed_one_by_one() -> None:
    assert _repair_headline("内.，心强大 世界辽 阔") == "内心强大 世界辽阔"
    # a word space between two phrases stays
    assert _repair_headline("新能源汽车产销两旺 前三季度产量突破百万辆") == (
        "新能源汽车产销两旺 前三季度产量突破百万辆"
    )
    assert _repair_headline("稳中求进，开创新局") == "稳中求进，开创新局"


def _bold(item: Line, bold: bool = True) -> Line:
    item.chars = len(item.text.replace(" ", ""))
    item.bold_chars = item.chars if bold else 0
    return item


def test_a_short_bold_line_is_a_paragraph_of_its_own_where_the_body_is_not_bold() -> None:
    body = "预计2024-2026年归母净利润分别为24.0/27.6/30.0亿元，同比下降，主要原因"
    lines = [
        _bold(line(60, 700, "这一章从十个方面阐述涉及三角形原理的问题。", width=230), False),
        _bold(line(60, 686, "盈利预测调整说明", width=80)),
        _bold(line(60, 672, body, width=400), False),
        _bold(line(60, 658, "说明如下：收入端受消费环境疲软影响。", width=200), False),
    ]
    blocks, _, _ = page_blocks_of(_page(lines))
    text = assemble_articles(blocks).articles[0].text
    assert text.split("\n") == [
        "这一章从十个方面阐述涉及三角形原理的问题。",
        "盈利预测调整说明",
        body + "说明如下：收入端受消费环境疲软影响。",
    ]


def test_a_text_that_opens_with_a_sub_heading_takes_it_as_its_title() -> None:
    body = "预计2024-2026年归母净利润分别为24.0/27.6/30.0亿元，同比下降，主要原因"
    lines = [
        _bold(line(60, 700, "盈利预测调整说明", width=80)),
        _bold(line(60, 686, body, width=400), False),
        _bold(line(60, 672, "说明如下：收入端受消费环境疲软影响。", width=200), False),
    ]
    blocks, _, _ = page_blocks_of(_page(lines))
    (article,) = assemble_articles(blocks).articles
    assert article.title == "盈利预测调整说明"
    assert article.text == body + "说明如下：收入端受消费环境疲软影响。"


def test_a_smaller_headline_a_line_below_the_title_is_a_section_heading() -> None:
    body = "第三季度收入下滑11%，销售费用率提升，盈利承压。某服装企业是国内大众男装"
    lines = [
        line(60, 760, "某服装企业（600398.SH）", size=21.5, width=250),
        line(60, 735, "第三季度收入下滑11%，费用率提升盈利承压", size=17.5, width=360),
        line(60, 685, "核心观点", size=14, width=56),
        line(60, 665, body, width=400),
        line(60, 651, "龙头品牌公司。", width=70),
    ]
    blocks, _, _ = page_blocks_of(_page(lines))
    (article,) = assemble_articles(blocks).articles
    assert article.title == "某服装企业（600398.SH）第三季度收入下滑11%，费用率提升盈利承压"
    assert article.text.split("\n") == ["核心观点", body + "龙头品牌公司。"]
    # a subtitle that stands close under the headline stays part of it
    lines[2] = line(60, 717, "——前三季度主品牌线下承压", size=14, width=200)
    blocks, _, _ = page_blocks_of(_page(lines))
    (article,) = assemble_articles(blocks).articles
    assert article.title.endswith("盈利承压——前三季度主品牌线下承压")


def test_bold_lines_that_are_not_sub_headings_stay_in_their_paragraph() -> None:
    lead = "第三季度收入下滑11%，销售费用率提升，盈利承压，存货大幅增长，周转效"
    lines = [
        # a bold lead sentence that wraps: its first line runs to the column's edge
        _bold(line(60, 700, lead, width=400)),
        _bold(line(60, 686, "率下降。", width=40)),
        _bold(
            line(60, 672, "公司第三季度主品牌线下承压，电商及其他品牌表现优异。", width=300), False
        ),
    ]
    blocks, _, _ = page_blocks_of(_page(lines))
    assert assemble_articles(blocks).articles[0].text.split("\n")[0] == lead + "率下降。"
    # on a page set all in bold, bold tells nothing
    all_bold = [
        _bold(line(60, 700, "这一章阐述涉及三角形原理的问题。", width=230)),
        _bold(line(60, 686, "盈利预测调整说明", width=80)),
        _bold(line(60, 672, body_line := "预计2024-2026年归母净利润分别为", width=400)),
    ]
    blocks, _, _ = page_blocks_of(_page(all_bold))
    assert "盈利预测调整说明" + body_line in assemble_articles(blocks).articles[0].text


def test_pdfium_reads_fill_and_stroke_as_bold() -> None:
    from io import BytesIO

    import pypdfium2 as pdfium
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from rag.components.pdf_chars import read_page

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = BytesIO()
    page = canvas.Canvas(out, pagesize=(500, 800))
    for y, words, mode in ((700, "盈利预测调整说明", 2), (680, "预计收入分别为二百亿元。", 0)):
        page.saveState()  # the render mode is graphics state: it would carry on
        text = page.beginText(60, y)
        text.setFont("STSong-Light", 12)
        text.setTextRenderMode(mode)
        text.textLine(words)
        page.drawText(text)
        page.restoreState()
    page.save()
    pdf = pdfium.PdfDocument(out.getvalue())
    content = read_page(pdf[0], 1)
    pdf.close()
    assert [(item.text, item.bold) for item in content.lines] == [
        ("盈利预测调整说明", True),
        ("预计收入分别为二百亿元。", False),
    ]


def test_a_flat_glyph_boxed_at_mid_height_stays_in_its_line() -> None:
    """Some fonts give pdfium no ascent or descent: 「一」 then gets a box as tall as its
    stroke, half-way up the line (the mind-map page: 「可以精确标示 一 个化合物」 came out
    as two lines and a lone 「一」). Centred on the line, it belongs to it; a line below
    does not."""
    from rag.components.pdf_chars import _Char, _lines

    def char(x: float, text: str, y0: float = 100.0, y1: float = 110.5) -> _Char:
        return _Char(text, x, y0, x + 10.5, y1, 10.5, False)

    chars = [char(0, "标"), char(10.5, "示"), char(21, "一", 104.8, 105.6), char(31.5, "个")]
    chars.append(char(0, "下", 85.0, 95.5))
    assert [item.text for item in _lines(chars)] == ["标示一个", "下"]


def test_vertical_text_is_read_down_its_columns_right_to_left() -> None:
    """A photo caption set vertically (People's Daily): one character under the other,
    the right column first; its credit spread to the foot of the left column. Read as
    rows, the two columns would be joined across (「金韩惠国景总」)."""
    from rag.components.pdf_chars import _Char, _lines

    def column(x: float, text: str, top: float, step: float = 10.0) -> list[_Char]:
        return [
            _Char(c, x, top - i * step - 8, x + 8, top - i * step, 8.3, False)
            for i, c in enumerate(text)
        ]

    chars = column(120, "一月五日下午，国家", 500) + column(108, "主席会见。", 500)
    chars += column(108, "新华", 420) + column(108, "社摄", 395, step=18)
    chars += [
        _Char(c, 200 + 9 * i, 300, 208 + 9 * i, 308.3, 8.3, False) for i, c in enumerate("正文一行")
    ]
    lines = _lines(chars)
    vertical = [item for item in lines if item.vertical]
    assert [item.text for item in vertical] == ["一月五日下午，国家主席会见。新华社摄"]
    assert [item.text for item in lines if not item.vertical] == ["正文一行"]


def test_vertical_text_and_a_caption_in_pieces_under_a_photo_are_captions() -> None:
    photo = Box(60, 600, 400, 760)
    caption = line(60, 585, "1月5日上午，国家主席在人民大会堂会见来访的爱尔兰总理", width=340)
    pieces = [line(60, 572, "马丁。", width=30), line(300, 572, "新华社记者 李响摄", width=100)]
    vertical = Line(
        410,
        600,
        420,
        760,
        "一月五日下午，国家主席同来访的总统举行会谈。新华社记者谢环驰摄",
        10,
        vertical=True,
    )
    body = [
        line(60, 540, "新华社北京1月5日电（记者董雪）1月5日上午，国家主席在北京会见", width=400),
        line(60, 526, "来华进行正式访问的爱尔兰总理马丁。", width=200),
    ]
    content = _page([caption, *pieces, vertical, *body])
    content.images = [photo]
    blocks, _, _ = page_blocks_of(content)
    layout = assemble_articles(blocks)
    (article,) = layout.articles
    assert article.text.startswith("新华社北京1月5日电")
    captions = [item.text for item in layout.set_aside if item.kind == "caption"]
    assert len(captions) == 2
    assert any(text.endswith("新华社记者李响摄") for text in captions)
    assert any(text.endswith("谢环驰摄") for text in captions)


def test_a_teaser_and_the_masthead_are_not_articles() -> None:
    """People's Daily's front page: the date box (「人民日报社出版」, 「星期二乙巳年十一月十八」)
    and a 「导读」 box whose body is only the page it points to are set aside."""
    story = "新华社北京1月5日电 1月5日，国家副主席韩正在北京会见加拿大前总理克雷蒂安。"
    lines = [
        line(60, 780, "人民日报社出版", width=70),
        line(60, 766, "国内统一连续出版物号 CN 11-0065 代号1-1 第28304期 今日20版", width=300),
        line(60, 700, "韩正会见加拿大前总理克雷蒂安", size=20, width=280),
        line(60, 670, story, width=400),
        line(60, 600, "坚持创新驱动，加紧培育壮大新动能", size=16, width=260),
        line(60, 570, "第五版", width=30),
    ]
    blocks, _, _ = page_blocks_of(_page(lines))
    layout = assemble_articles(blocks)
    assert [a.title for a in layout.articles] == ["韩正会见加拿大前总理克雷蒂安"]
    kinds = {(item.kind, item.text[:7]) for item in layout.set_aside}
    assert ("furniture", "人民日报社出版") in kinds
    assert ("other", "坚持创新驱动，") in kinds
    # a short notice is still an article
    notice = [
        line(60, 700, "停水通知", size=20, width=80),
        line(60, 670, "本周六凌晨两点至四点停水", width=130),
    ]
    blocks, _, _ = page_blocks_of(_page(notice))
    assert [a.title for a in assemble_articles(blocks).articles] == ["停水通知"]


def test_a_jump_line_is_set_aside_not_kept_in_the_story() -> None:
    lines = [
        line(60, 700, "李强在广东调研时强调", size=20, width=200),
        line(
            60,
            670,
            "在佛山市，李强考察了广东美的厨房电器制造有限公司，参观数字化智能化生",
            width=400,
        ),
        line(60, 656, "产线。 （下转第二版）", width=200),
    ]
    blocks, _, _ = page_blocks_of(_page(lines))
    layout = assemble_articles(blocks)
    (article,) = layout.articles
    assert article.text.endswith("参观数字化智能化生产线。")
    assert ("furniture", "（下转第二版）") in {(s.kind, s.text) for s in layout.set_aside}


def test_a_band_with_text_printed_on_it_is_a_header_not_a_picture() -> None:
    """A report's coloured band across the top with its date and rating printed on it: the
    band is a header rule (what is on it is furniture), and it is no picture either: as a
    box across the page it would join the sidebar and the main column below it."""
    page = PageContent(1, 595, 842)
    page.images = [Box(0, 743, 595, 774)]
    page.lines = [
        line(58, 748, "2024 年 10 月 29 日", size=14, width=122),
        line(303, 752, "公司研究", size=14, width=56),
        line(16, 729, "研究所：", size=9, width=36),
        line(253, 716, "国产算力领军者，前三季度业绩保持稳健", size=16, width=289),
        line(
            232,
            600,
            "10月28日，公司发布2024年三季报，前三季度营收80.41亿元。",
            size=10.5,
            width=330,
        ),
        line(232, 586, "同比增长3.65%，业绩保持稳健。", size=10.5, width=160),
    ]
    assert is_background(page.images[0], 595, 842, page.lines)
    blocks, furniture, _ = page_blocks_of(page)
    assert {"2024年10月29日", "公司研究"} <= set(furniture)
    titles = [a.title for a in assemble_articles(blocks).articles]
    assert "国产算力领军者，前三季度业绩保持稳健" in titles
    # a photo with no text printed on it stays a picture
    assert not is_background(Box(0, 743, 595, 774), 595, 842, page.lines[2:])


def test_a_template_tag_is_noise_and_a_date_or_a_label_set_large_is_no_article() -> None:
    assert noise_kind(line(0, 0, "[Table_Title]"), BODY) == "template tag"
    assert noise_kind(line(0, 0, "[注]"), BODY) == ""
    lines = [
        line(60, 760, "2024年10月29日", size=16, width=130),
        line(60, 720, "国产算力领军者，前三季度业绩保持稳健", size=16, width=300),
        line(60, 660, "事件:", size=16, width=40),
        line(60, 630, "10月28日，公司发布2024年三季报，前三季度营收80.41亿元。", width=330),
        line(60, 590, "投资要点:", size=16, width=80),
        line(60, 560, "公司业绩保持稳健，盈利能力仍有提升空间。", width=260),
    ]
    blocks, _, _ = page_blocks_of(_page(lines))
    layout = assemble_articles(blocks)
    (article,) = layout.articles
    assert article.title == "国产算力领军者，前三季度业绩保持稳健"
    assert article.text.split("\n") == [
        "事件:",
        "10月28日，公司发布2024年三季报，前三季度营收80.41亿元。",
        "投资要点:",
        "公司业绩保持稳健，盈利能力仍有提升空间。",
    ]
    assert "2024年10月29日" in [s.text for s in layout.set_aside if s.kind == "furniture"]
    # a label over a headline is its kicker: the next article's title, not a section
    lines += [
        line(60, 480, "人民时评：", size=16, width=80),
        line(60, 450, "让数据多跑路群众少跑腿", size=16, width=180),
        line(60, 420, "政务服务一网通办，办事效率明显提高。", width=260),
    ]
    blocks, _, _ = page_blocks_of(_page(lines))
    titles = [a.title for a in assemble_articles(blocks).articles]
    assert titles == ["国产算力领军者，前三季度业绩保持稳健", "人民时评：让数据多跑路群众少跑腿"]


def test_a_mark_and_a_name_of_rare_characters_is_a_byline_not_glyphs() -> None:
    lines = [
        line(60, 700, "奔向人工智能的“海油高地”", size=24, width=300),
        line(60, 670, "□ 田昀澍", width=40),
        line(60, 640, "习近平总书记指出，加快发展新一代人工智能是重要战略抓手。", width=400),
    ]
    blocks, _, noise = page_blocks_of(_page(lines))
    (article,) = assemble_articles(blocks).articles
    assert article.byline == "□田昀澍"
    assert not noise
    # a bullet and a heading word is no byline
    blocks, _, _ = page_blocks_of(
        _page([*lines[:1], line(60, 670, "■ 投资要点", width=60), lines[2]])
    )
    assert not assemble_articles(blocks).articles[0].byline


def test_a_short_table_read_as_text_is_set_aside_and_a_long_one_stays_a_document() -> None:
    table = [
        line(60, 760, "表2：可比公司估值", width=100),
        line(60, 746, "公司名称 收盘价 评级 EPS PE", width=200),
        line(60, 732, "人民币 5.6 优于大市 4.01 8.9", width=200),
    ]
    article = [
        line(60, 690, "投资建议：关注高分红龙头", size=20, width=240),
        line(60, 660, "公司现金流充裕、分红率高，长期拥有良好的现金回报。", width=400),
    ]
    blocks, _, _ = page_blocks_of(_page(table + article))
    layout = assemble_articles(blocks)
    assert [a.title for a in layout.articles] == ["投资建议：关注高分红龙头"]
    [row] = [s for s in layout.set_aside if s.kind == "table_row"]
    assert row.text.startswith("表2：可比公司估值")
    # a whole financial table, long: its figures stay searchable
    rows = [
        line(60, 760 - 14 * i, f"营业收入 {i}3,{i}45.6 {i}2.3% 净利润 {i}81.2", width=300)
        for i in range(40)
    ]
    layout = assemble_articles(page_blocks_of(_page(rows))[0])
    assert len(layout.articles) == 1


def test_text_with_no_chinese_sentence_is_never_taken_for_data() -> None:
    # an English page: no Chinese sentence anywhere, so nothing on it is data
    english = [
        line(60, 760, "Quarterly results", size=20, width=200),
        line(60, 730, "Total 107.37 in Q3, up 4.5% on 2023", width=300),
    ]
    layout = assemble_articles(page_blocks_of(_page(english))[0])
    assert "107.37" in layout.articles[0].text
    # an English paragraph beside a Chinese article
    mixed = [
        line(60, 760, "Revenue grew 12% in the third quarter. Margins held.", width=400),
        line(60, 690, "投资建议：关注高分红龙头", size=20, width=240),
        line(60, 660, "公司现金流充裕、分红率高，长期拥有良好的现金回报。", width=400),
    ]
    layout = assemble_articles(page_blocks_of(_page(mixed))[0])
    assert any("Margins held." in a.text for a in layout.articles)
