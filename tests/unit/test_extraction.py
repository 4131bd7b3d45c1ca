"""Evidence-first answering, pure parts: spans found verbatim, their sentences, scope checks."""

import pytest

from rag.components.chinese_tokens import name_parts
from rag.services.evidence import chinese_numerals, find_all, normalise, sentence_bounds
from rag.services.extraction import (
    enumerated_parts,
    extract_answer,
    extract_followup,
    question_parts,
    reply_spans,
)
from rag.services.scope import evidence_scope, periods_in, question_scope, years_in

# (title, text, article year): short passages in the shapes of the seeds.
KZ_2025 = (
    "潮涌帕米尔扬帆正当时",
    "克州向西开放的区位优势得到进一步强化。今年1-9月,克州外贸进出口总额107.37亿元,"
    "同比增长45.2%,展现出强劲的外向型经济发展态势。",
    "2025",
)
KZ_2024 = (
    "今年前8月新疆克州外贸进出口增速全疆第一",
    "中新网乌鲁木齐9月27日电“2024年1至8月，克州完成外贸进出口总额65.6 亿元，同比增长270%，"
    "完成进出口货物193.1万吨，同比增长49.3%。”",
    "2024",
)
CZ = (
    "江苏成为中国新能源产业集聚度最高省份",
    "2021年，常州新能源整车产量11.2万辆；2023年，常州新能源整车产量67.8万辆。",
    "",
)
COUNTIES = (
    "潮涌帕米尔扬帆正当时",
    "阿图什市签约7个项目,金额达8.04亿元;乌恰县签约3个项目,金额达19.9亿元。"
    "2024年建成47座温室大棚;2025年将完成78座智能温室大棚建设。",
    "2025",
)
PASSAGES = [KZ_2025, KZ_2024, CZ, COUNTIES]
KZ_RANK = ("今年前8月新疆克州外贸进出口增速全疆第一", "克州外贸进出口增速全疆第一。", "2024")


def _extract(question: str, reply: str):  # type: ignore[no-untyped-def]
    return extract_answer(question, reply, PASSAGES, 0.34)


def test_offsets_point_into_the_original_text_despite_normalisation() -> None:
    text = KZ_2024[1]
    [(start, end)] = find_all("65.6亿元", text)  # the text has a space before 亿元
    assert text[start:end] == "65.6 亿元"
    [(start, end)] = find_all("４５.２％", KZ_2025[1])  # full-width digits in the reply
    assert KZ_2025[1][start:end] == "45.2%"


def test_the_quote_is_the_whole_sentence_and_keeps_closing_quotes() -> None:
    text = KZ_2024[1]
    start, end = find_all("270%", text)[0]
    left, right = sentence_bounds(text, start, end)
    assert text[left:right].startswith("中新网")
    assert text[left:right].endswith("。”")


def test_periods_and_years_in_their_usual_spellings() -> None:
    assert periods_in("1-9月") == periods_in("1至9月") == {(1, 9)}
    assert (1, 9) in periods_in("前三季度")
    assert periods_in("上半年") == {(1, 6)}
    assert periods_in("前8个月") == periods_in("截至8月底") == {(1, 8)}
    assert periods_in("10月21日至22日") == set()
    assert years_in("2024宿迁绿色产业洽谈会、2025年") == {"2024", "2025"}
    assert years_in("2500平方米、2000万元、2000余名") == set()


def test_relative_years_resolve_against_the_article() -> None:
    scope = evidence_scope("", "今年1-9月,克州外贸进出口总额107.37亿元", "", "", "2025")
    assert scope.years == {"2025"}
    assert scope.periods == {(1, 9)}


def test_a_verified_span_with_its_quote_scope_and_readable_sentence() -> None:
    result = _extract("克州1-9月外贸进出口总额是多少？", "107.37亿元")
    [part] = result.parts
    assert part.answer == "107.37亿元"
    assert part.passage == 0
    assert "107.37亿元" in KZ_2025[1][part.quote_start : part.quote_end]
    assert part.scope.startswith("2025年1-9月")
    assert part.readable.startswith("今年（2025年）1-9月")


def test_equivalent_periods_are_accepted() -> None:
    assert _extract("克州2025年前三季度外贸进出口总额是多少？", "107.37亿元").parts
    assert _extract("截至2024年8月底，克州外贸进出口总额累计多少？", "65.6亿元").parts


@pytest.mark.parametrize(
    ("question", "reply", "why"),
    [
        ("克州2024年全年外贸进出口总额是多少？", "65.6亿元", "full year"),
        ("克州2023年1至8月外贸进出口总额是多少？", "107.37亿元", "2023"),
        ("2025年1-9月克州完成进出口货物多少万吨？", "193.1万吨", "2025"),
        ("江苏2024年新能源汽车产量是多少？", "67.8万辆", "2024"),
        ("江苏2023年新能源整车产量是多少？", "67.8万辆", "江苏"),
        ("克州1-9月外贸进出口总额同比增长了多少亿元？", "45.2%", "money"),
        ("2025年建成了多少座智能温室大棚？", "78座", "planned"),
        ("乌恰县签约了几个项目？", "7个", "乌恰县"),
    ],
)
def test_scope_near_misses_are_rejected_with_the_reason(
    question: str, reply: str, why: str
) -> None:
    result = _extract(question, reply)
    assert result.parts == []
    assert why in result.reason
    assert result.near_miss is not None  # what the documents do hold, to tell the user
    assert normalise(result.near_miss.answer) in normalise(reply)


def test_a_question_about_the_plan_itself_takes_the_planned_figure() -> None:
    # 「何时开始规划兴建的？」: the question names the plan, so a planned figure answers it
    assert _extract("2025年规划建成多少座智能温室大棚？", "78座").parts


def test_the_figure_a_change_will_reach_is_planned_and_the_one_it_starts_from_is_not() -> None:
    airport = (
        "伊丽莎白港机场",
        "机场现准备2010年世界杯，所以08/26主跑道会由现时的1,980米延长至3,000米，"
        "届时就可以处理国际航班。",
        "",
    )
    question = "主跑道有多长？"
    result = extract_answer(question, "3000米", [airport], 0.34)
    assert result.parts == []
    assert "planned" in result.reason
    assert [p.answer for p in extract_answer(question, "1,980米", [airport], 0.34).parts] == [
        "1,980米"
    ]
    assert extract_answer("主跑道计划延长至多少米？", "3000米", [airport], 0.34).parts
    # the comma of a number does not cut the phrase that says what the figure is
    trade = ("", "全年外贸总额将由去年的1,065亿元增至1,200亿元。", "")
    assert not extract_answer("全年外贸总额是多少？", "1,200亿元", [trade], 0.34).parts
    # the figure the change starts from is what was reached: answered, not refused
    started = extract_answer("外贸总额是多少？", "1,065亿元", [trade], 0.34)
    assert [p.answer for p in started.parts] == ["1,065亿元"]


def test_a_reply_that_mixes_two_lists_is_never_cut_inside_a_title_mark() -> None:
    # the model joined two of the passage's lists; the longest run it shares with the
    # passage starts at the 》 of 《教子》
    actress = (
        "王爱爱",
        "七岁从艺，15、6岁就以传统晋剧《教子》、《明公断》、《回龙阁》、《樊梨花》等誉满三晋。",
        "",
    )
    reply = "《打金枝》、《明公断》、《回龙阁》、《樊梨花》、《三上桃峰》"
    [part] = extract_answer("王爱爱主演过什么剧目？", reply, [actress], 0.34).parts
    assert part.answer.startswith("《")
    assert "《明公断》、《回龙阁》、《樊梨花》" in part.answer


def test_replies_without_an_answer_are_not_accepted() -> None:
    assert _extract("克州1-9月外贸进出口总额", "[1]").parts == []
    assert _extract("克州1-9月外贸进出口总额", "资料编号：[1]").parts == []
    assert _extract("克州1-9月外贸进出口总额", "克州1-9月外贸进出口总额").parts == []
    assert "no retrieved passage" in _extract("克州外贸总额", "999.9亿元").reason


def test_a_sentence_reply_is_reduced_to_its_verbatim_figure() -> None:
    result = _extract("克州1-9月外贸进出口总额", "克州外贸进出口总额为107.37亿元。")
    assert [p.answer for p in result.parts] == ["107.37亿元"]
    assert _extract("哪个市签约了7个项目？", "签约城市：阿图什市").parts[0].answer == "阿图什市"


def test_two_part_questions_get_one_span_per_part() -> None:
    question = "2024年1至8月，克州外贸进出口总额是多少，同比增长多少？"
    assert question_parts(question) == [
        "2024年1至8月，克州外贸进出口总额是多少",
        "同比增长多少？",
    ]
    for reply in ("65.6亿元\n270%", "65.6亿元，270%", "1. 65.6亿元\n2. 270%"):
        result = _extract(question, reply)
        assert [p.answer for p in result.parts] == ["65.6 亿元", "270%"], reply
        assert result.missing == []


def test_a_part_without_an_answer_is_named_missing() -> None:
    question = "2024年1至8月克州外贸进出口总额是多少？克州常住人口有多少万人？"
    result = _extract(question, "65.6亿元")
    assert [p.answer for p in result.parts] == ["65.6 亿元"]
    assert result.missing == ["克州常住人口有多少万人？"]


def test_question_scope_takes_time_and_place_from_the_whole_question() -> None:
    scope = question_scope("同比增长多少", whole="2024年1至8月克州外贸总额是多少，同比增长多少")
    assert scope.years == {"2024"}
    assert scope.period == (1, 8)
    assert scope.places == ("克州",)


def test_reply_spans_drop_markers_labels_and_bullets() -> None:
    assert reply_spans("答案：107.37亿元[1]", 1) == [("107.37亿元", [1])]
    assert reply_spans("1. 19.9亿元\n2. 3个", 2) == [("19.9亿元", []), ("3个", [])]
    # A line of figures is one span per figure, whatever the number of parts.
    assert reply_spans("62个，9个", 1) == [("62个", []), ("9个", [])]
    assert [t for t, _ in reply_spans("9.2%、15.3%和36.2%", 1)] == ["9.2%", "15.3%", "36.2%"]
    assert reply_spans("工业项目62个，服务业9个", 1) == [("工业项目62个，服务业9个", [])]
    # A two-part question answered on one line splits at its commas, not inside a number.
    assert [t for t, _ in reply_spans("31,875美元", 2)] == ["31,875美元"]
    assert [t for t, _ in reply_spans("107.37亿元,45.2%", 2)] == ["107.37亿元", "45.2%"]


def test_a_period_that_names_an_event_in_the_passage_is_not_a_mismatch() -> None:
    event = (
        "克州2025年第三季度招商推介大会暨项目签约仪式",
        "政企签约项目17个,签约总金额达39.74亿元。",
        "2025",
    )
    result = extract_answer(
        "克州2025年第三季度招商推介大会上政企签约了多少个项目？", "17个", [event], 0.34
    )
    assert [p.answer for p in result.parts] == ["17个"]
    # ... but a period the passage never names is still not backed
    result = extract_answer("克州2025年上半年政企签约了多少个项目？", "17个", [event], 0.34)
    assert result.parts == []


def test_an_open_question_gets_the_figure_for_every_period_the_passages_give() -> None:
    result = _extract("克州外贸进出口总额是多少？", "65.6亿元")
    assert [(p.answer, p.scope.split()[0]) for p in result.parts] == [
        ("65.6 亿元", "2024年1-8月"),
        ("107.37亿元", "2025年1-9月"),
    ]
    # a question that names its period gets that period's figure only
    assert len(_extract("克州2025年1-9月外贸进出口总额是多少？", "107.37亿元").parts) == 1
    # a figure whose sentence states no time, or another place, is another subject
    college = ("山东某学院", "2010年，学院更名。学院现有两个校区，总占地面积1133.87亩。", "")
    campus = ("南宁某中学", "新民校区位于南宁市中心区，占地面积70亩。", "")
    result = extract_answer("学校总占地面积有多大？", "1133.87", [college, campus], 0.34)
    assert [p.answer for p in result.parts] == ["1133.87亩"]


def test_a_bare_figure_takes_its_unit_from_the_passage_and_never_matches_inside_another() -> None:
    assert [p.answer for p in _extract("克州1-9月外贸进出口总额", "107.37").parts] == ["107.37亿元"]
    assert [p.answer for p in _extract("阿图什市签约了几个项目？", "7").parts] == ["7个"]
    assert find_all("5.2%", "增长45.2%") == []
    assert find_all("65.6", "总额165.6亿元、65.67亿元") == []
    # 「4×50米」 is a relay of four times 50 metres, not 50米; the sign is written × or x
    relays = "她保持了4×50米自由式和4x200米自由式短池接力赛的世界纪录。"
    assert find_all("50米", relays) == []
    assert find_all("200米", relays) == []
    assert find_all("4x50米自由式和4×200米", relays) == [(4, 19)]


def test_a_reply_phrase_with_a_relay_is_not_cut_to_the_figure_inside_it() -> None:
    swimmer = ("拉诺米", "她保持了4×50米自由式和4x200米自由式短池接力赛的世界纪录。", "")
    reply = "4×50米自由式和4×200米自由式短池接力赛的世界纪录"
    result = extract_answer("拉诺米保持了哪些世界纪录？", reply, [swimmer], 0.34)
    assert [p.answer for p in result.parts] == [swimmer[1][4:-1]]


def test_a_list_of_figures_the_passage_writes_as_the_reply_does_is_one_answer() -> None:
    sixty = (
        "60",
        "数字60有12个因数，即1、2、3、4、5、6、10、12、15、20、30和60，其中2、3和5是质数。",
        "",
    )
    reply = "1、2、3、4、5、6、10、12、15、20、30和60"
    result = extract_answer("数字60的因数有哪些？", reply, [sixty], 0.34)
    assert [p.answer for p in result.parts] == [reply]
    # figures the passage writes apart are still one span each
    counts = ("项目", "工业项目62个，服务业项目9个。", "")
    result = extract_answer("签约了多少工业和服务业项目？", "62个，9个", [counts], 0.34)
    assert [p.answer for p in result.parts] == ["62个", "9个"]


def test_an_answer_that_is_a_place_or_name_is_held_to_its_own_sentence_only() -> None:
    campus = ("北京大学", "1952年，学校迁至燕园。北京大学位于北京市海淀区颐和园路5号。", "")
    result = extract_answer("北京大学位于北京的哪个区？", "海淀区", [campus], 0.34)
    assert [p.answer for p in result.parts] == ["海淀区"]  # 海淀区 is the answer, not another place
    # the year of the sentence before does not contradict a name ...
    assert extract_answer("北京大学2001年位于哪个区？", "海淀区", [campus], 0.34).parts
    # ... but a figure is held to it
    figure = ("北京大学", "1952年，学校迁至燕园。占地面积274公顷。", "")
    assert not extract_answer("北京大学2001年占地面积多少公顷？", "274公顷", [figure], 0.34).parts


def test_a_period_named_in_another_passage_of_the_same_article_counts() -> None:
    lead = ("潮涌帕米尔扬帆正当时", "——克州2025年第三季度招商推介大会暨项目签约仪式综述", "2025")
    figures = ("潮涌帕米尔扬帆正当时", "政企签约项目17个,签约总金额达39.74亿元。", "2025")
    question = "克州2025年第三季度招商推介大会上政企签约了多少个项目？"
    assert extract_answer(question, "17个", [figures], 0.34).parts == []
    assert [p.answer for p in extract_answer(question, "17个", [figures, lead], 0.34).parts] == [
        "17个"
    ]


def test_a_place_jieba_does_not_know_is_found_by_how_the_documents_write_it() -> None:
    suqian = (
        "2024宿迁绿色产业洽谈会正式开幕",
        "宿迁市委书记陈忠伟致辞。本次绿洽会共签约项目71个。",
        "2024",
    )
    changzhou = (
        "江苏成为中国新能源产业集聚度最高省份",
        "当天，现场共有42个代表项目签约，项目总投资397亿元。",
        "2024",
    )
    question = "2024宿迁绿色产业洽谈会签约项目的总投资额是多少？"
    result = extract_answer(question, "397亿元", [suqian, changzhou], 0.34)
    assert result.parts == []
    assert "宿迁" in result.reason


def test_a_rank_is_answered_only_by_a_sentence_that_states_it() -> None:
    listing = (
        "广州文化企业30强",
        "活动分别向广州博冠信息科技有限公司、三七文娱等企业授牌。",
        "2024",
    )
    ranked = ("宿迁", "宿迁经济总量增速在长三角41个城市中居第一位。", "2024")
    question = "“2024年广州文化企业30强”榜单中排名第一的是哪家企业？"
    assert extract_answer(question, "广州博冠信息科技有限公司", [listing], 0.34).parts == []
    assert extract_answer("宿迁增速在长三角城市中排第一吗？", "第一位", [ranked], 0.34).parts


def test_this_city_in_the_sentence_is_the_place_the_article_names() -> None:
    suqian = (
        "2024宿迁绿色产业洽谈会",
        "宿迁市委书记致辞。该市今年上半年地区生产总值增长7.3%，增速在长三角居第一位。",
        "2024",
    )
    assert extract_answer("2024年上半年宿迁地区生产总值增长多少？", "7.3%", [suqian], 0.34).parts


def test_a_county_of_the_asked_prefecture_is_in_scope_another_county_is_not() -> None:
    question = "在克州2025年招商推介大会上，阿图什市和乌恰县签约项目的金额各是多少？"
    result = extract_answer(question, "8.04亿元\n19.9亿元", [COUNTIES, KZ_2025], 0.34)
    assert [p.answer for p in result.parts] == ["8.04亿元", "19.9亿元"]
    assert (
        extract_answer("克州阿克陶县签约项目的金额是多少？", "8.04亿元", [COUNTIES], 0.34).parts
        == []
    )


def test_a_list_of_places_or_years_asked_for_each_gives_one_question_per_item() -> None:
    assert enumerated_parts("大会上，阿图什市、乌恰县和阿合奇县签约金额分别是多少？") == [
        "大会上，阿图什市签约金额是多少？",
        "大会上，乌恰县签约金额是多少？",
        "大会上，阿合奇县签约金额是多少？",
    ]
    assert enumerated_parts("常州新能源整车产量2021年和2023年各是多少万辆？") == [
        "常州新能源整车产量2021年是多少万辆？",
        "常州新能源整车产量2023年是多少万辆？",
    ]
    assert enumerated_parts("工业项目和服务业项目各有多少个？") == []  # not places or years
    assert enumerated_parts("阿图什市和乌恰县签约金额是多少？") == []  # no 各/分别


def test_each_listed_year_is_held_to_its_own_year() -> None:
    question = "常州新能源整车产量2021年和2023年分别是多少万辆？"
    result = extract_answer(question, "67.8万辆\n11.2万辆", [CZ], 0.34)
    assert result.parts == []  # each figure is the other year's
    result = extract_answer(question, "11.2万辆\n67.8万辆", [CZ], 0.34)
    assert [p.answer for p in result.parts] == ["11.2万辆", "67.8万辆"]


def test_a_missing_part_is_offered_for_a_second_call_and_merged() -> None:
    question = "2024年1至8月，克州外贸进出口总额是多少，同比增长多少？"
    result = extract_answer(question, "65.6亿元", [KZ_2024], 0.34)
    assert result.missing == ["同比增长多少？"]
    assert result.followups == {"同比增长多少？": f"{question}\n（这里只问：同比增长多少？）"}
    result.merge(
        "同比增长多少？", extract_followup(question, "同比增长多少？", "270%", [KZ_2024], 0.34)
    )
    assert [p.answer for p in result.parts] == ["65.6 亿元", "270%"]
    assert result.missing == []
    assert result.followups == {}


def test_numbers_are_also_looked_for_as_the_text_writes_them() -> None:
    assert chinese_numerals("1961年9月10日") == "一九六一年九月十日"
    assert chinese_numerals("19世纪") == "十九世纪"
    assert chinese_numerals("305个") == "三百零五个"
    treaty = ("条约", "一九六一年九月十日，双方代表互换批准书。香港自十九世纪以来为殖民地。", "")
    when = extract_answer("什么时候双方代表互换批准书？", "1961年9月10日", [treaty], 0.34)
    assert [p.answer for p in when.parts] == ["一九六一年九月十日"]
    # A bare number is never looked for as a Chinese numeral: 「四」 is inside many words.
    squad = ("军队", "元亲将军队分为两股，四处出击。", "")
    assert extract_answer("元亲将军队分成几股？", "4", [squad], 0.34).parts == []


def test_a_reply_that_restates_the_question_or_changes_punctuation_is_found() -> None:
    event = (
        "牛车水",
        "1927年3月12日，由国民党左派带领的游行队伍在牛车水警局前与警方发生冲突，造成六死14伤。",
        "",
    )
    reply = "牛车水事件是1927年3月12日由国民党左派带领的游行队伍在牛车水警局前与警方发生冲突"
    result = extract_answer("什么是牛车水事件？", reply, [event], 0.34)
    assert result.parts[0].answer.startswith("1927年3月12日，由国民党左派")


def test_a_reply_that_restates_the_question_first_answers_with_what_follows() -> None:
    rules = ("规则", "本游戏中，每人有三条命，生命值耗完即算为出局，由下一人接替。", "")
    result = extract_answer("生命值耗完即算为什么？", "生命值耗完即算为出局", [rules], 0.34)
    assert [p.answer for p in result.parts] == ["出局"]
    # two characters the question shares open the answer; they are not a restatement
    prism = ("棱柱", "棱柱中不在同一平面上的两个顶点的连线叫做对角线。", "")
    result = extract_answer(
        "棱柱的哪条线叫做对角线？", "棱柱中不在同一平面上的两个顶点的连线", [prism], 0.34
    )
    assert [p.answer for p in result.parts] == ["棱柱中不在同一平面上的两个顶点的连线"]


def test_pieces_of_one_sentence_give_the_stretch_that_holds_them() -> None:
    bamboo = (
        "箭竹",
        "箭竹的繁殖有两种方式：一是从竹根部地下茎繁发竹笋，二是开花结子后繁殖成林。",
        "",
    )
    result = extract_answer(
        "箭竹的繁殖方式有哪些？", "从竹根部地下茎繁发竹笋，开花结子后繁殖成林", [bamboo], 0.34
    )
    assert [p.answer for p in result.parts] == ["从竹根部地下茎繁发竹笋，二是开花结子后繁殖成林"]


def test_a_phrase_needs_the_questions_subject_in_its_article() -> None:
    # The subject (a name the dictionary does not know) weighs more than 担任 and 职务:
    # naming it backs the question; sharing only 担任 does not.
    career = ("履历", "王家瑞，吉林人。1973年10月，任长春市邮局国际联邮员。", "")
    result = extract_answer(
        "1973年10月，王家瑞担任什么职务？", "长春市邮局国际联邮员", [career], 0.34
    )
    assert [p.answer for p in result.parts] == ["长春市邮局国际联邮员"]
    other = ("履历", "李四，吉林人。1973年10月，担任长春市邮局国际联邮员。", "")
    assert (
        extract_answer(
            "1973年10月，王家瑞担任什么职务？", "长春市邮局国际联邮员", [other], 0.34
        ).parts
        == []
    )
    # The subject may be named in another retrieved passage of the same article.
    lead = ("TRIAL_231", "天门冬是天门冬科的植物。", "")
    use = ("TRIAL_231", "块根入药，可治疗滋肾、虚劳、气喘等症。", "")
    assert extract_answer("天门冬能治疗哪些问题？", "滋肾、虚劳、气喘", [lead, use], 0.34).parts
    assert not extract_answer("天门冬能治疗哪些问题？", "滋肾、虚劳、气喘", [use], 0.34).parts


def test_a_rank_asked_as_a_number_is_the_rank_the_text_writes() -> None:
    result = extract_answer("克州外贸增速在全疆排第几？", "1", [KZ_RANK], 0.34)
    assert [p.answer for p in result.parts] == ["第一"]


def test_parts_in_one_long_sentence_show_each_its_own_clause() -> None:
    long = (
        "推介大会",
        "各县(市)签约项目同样亮点纷呈,阿图什市聚焦铁路货运、高纯石墨、城市商业综合体等领域签约7个项目,"
        "金额达8.04亿元;阿克陶县聚焦矿产资源开发、新能源、农副产品加工、文化旅游等领域签约5个项目,"
        "金额达11.42亿元;乌恰县聚焦新能源、矿产品加工等领域签约3个项目,金额达19.9亿元。",
        "2025",
    )
    question = "在克州2025年的推介大会上，阿图什市和阿克陶县签约项目的金额各是多少？"
    result = extract_answer(question, "8.04亿元\n11.42亿元", [long], 0.34)
    text = "".join(result.sentences({0: 1}))
    assert "8.04亿元" in text
    assert "11.42亿元" in text


def test_an_answer_from_an_article_that_does_not_name_the_asked_person_is_refused() -> None:
    other = (
        "渠成",
        "渠成是江苏南京人，小学就读于南昌路小学，四年级进入南京市足球代表队。",
        "",
    )
    assert question_scope("符泳中学就读于哪里？").names == ("符泳",)
    result = extract_answer("符泳中学就读于哪里？", "南昌路小学", [other], 0.34)
    assert not result.parts
    assert "does not name 符泳" in result.reason
    # the person the article is about, named in its title or text, is fine
    assert extract_answer("渠成小学就读于哪里？", "南昌路小学", [other], 0.34).parts
    # words jieba glues together are not names (「排第」 of 「排第几」)
    assert question_scope("宿迁市2023年排第几？").names == ()
    # a word the question opens with that jieba does not know is its subject, even where
    # the tagger splits it (祁/玩)
    assert question_scope("祁玩是谁的妻子？").names == ("祁玩",)
    wife = ("克伦先生", "克伦先生的妻子是伊丽莎·克伦，育有两子。", "")
    result = extract_answer("祁玩是谁的妻子？", "伊丽莎·克伦", [wife], 0.34)
    assert not result.parts
    assert "does not name 祁玩" in result.reason


def test_a_place_inside_a_name_is_the_names_not_the_questions_scope() -> None:
    bank = (
        "",
        "西贡商信银行是越南的商业银行。该银行的总部位于胡志明市，成立时最初的注册资本为30亿越南盾。",
        "",
    )
    question = "西贡商信银行成立初时的注册资本是多少？"
    assert question_scope(question, documents=bank[1]).places == ()
    assert "西贡" in question_scope(question, documents=bank[1]).names
    result = extract_answer(question, "30亿越南盾", [bank], 0.34)
    assert [p.answer for p in result.parts] == ["30亿越南盾"]
    # a surname before it: 林永康 is a person
    person = "林永康是香港个人资料私隐专员公署前副个人资料私隐专员。"
    assert question_scope("林永康离职前，是做什么工作的？", documents=person).places == ()
    # a place the documents only write on its own stays the question's scope
    assert question_scope("克州外贸总额是多少？", documents="克州外贸进出口总额").places == (
        "克州",
    )
    assert question_scope("西贡商信银行的总部在哪？", documents="胡志明市").places == ("西贡",)
    # the bank's name with another city's bank is still a refusal: the article must name it
    other = ("", "河内商业银行成立时的注册资本为50亿越南盾。", "")
    assert not extract_answer(question, "50亿越南盾", [other], 0.34).parts


def test_a_piece_of_a_persons_name_is_no_place() -> None:
    # jieba tags 德克 and 海斯 as places; in a transliterated name they are the person's
    relay = (
        "",
        "荷兰泳手因赫·德克和马伦·费尔德海斯都是接力队成员。2008年北京奥运会上，荷兰队派出四名"
        "选手。她伙拍德克、费尔德海斯和海姆斯凯克，以3分33秒76获得银牌。",
        "",
    )
    question = "2008年北京奥运会，荷兰队接力的成绩是多少？"
    result = extract_answer(question, "3分33秒76", [relay], 0.34)
    assert [p.answer for p in result.parts] == ["3分33秒76"]
    assert name_parts(relay[1]) == {"德克", "海斯"}
    # two places on either side of the dot stay places; a common place after a word the
    # tagger takes for a name stays a place
    assert name_parts("2025中国·喀什商品交易博览会") == set()
    assert name_parts("2025·喀什商品交易博览会") == set()
    assert name_parts("先后荣获中国纺织工业联合会表彰") == set()
    # the answer from another city's games is still refused
    other = ("", "2012年伦敦奥运会上，她伙拍德克，以3分33秒76获得银牌。", "")
    assert not extract_answer(question, "3分33秒76", [other], 0.34).parts


def test_an_area_word_after_a_place_is_the_place() -> None:
    assert question_scope("此品牌的台湾地区代理人是谁？").places == ("台湾",)
    agent = ("", "台湾方面，2006年5月前是由EMI代理，目前由爱贝克思代理。", "")
    result = extract_answer("目前，此品牌的台湾地区代理人是谁？", "爱贝克思", [agent], 0.34)
    assert [p.answer for p in result.parts] == ["爱贝克思"]


def test_a_figure_takes_the_range_it_closes_its_unit_and_its_approximation() -> None:
    fruit = ("", "非洲猴面包树的果实长约15至20厘米。", "")
    result = extract_answer("非洲的猴面包树果实的长度约是多少厘米？", "20", [fruit], 0.34)
    assert [p.answer for p in result.parts] == ["约15至20厘米"]  # 约: the text's own hedge
    leaf = ("", "下部叶有长达3-4毫米的细柄。", "")
    assert [p.answer for p in extract_answer("细柄多长？", "4", [leaf], 0.34).parts] == ["3-4毫米"]
    # a bound is part of the figure too: 「超过1800个」 is not 「1800个」
    courses = ("", "截至2007年11月，线上课程超过1800个，学员约有24万人。", "")
    result = extract_answer("2007年11月，线上的课程有多少？", "1800个", [courses], 0.34)
    assert [p.answer for p in result.parts] == ["超过1800个"]
    result = extract_answer("2007年11月，学员有多少人？", "24万人", [courses], 0.34)
    assert [p.answer for p in result.parts] == ["约有24万人"]
    # the 近 of 附近 is another word
    town = ("", "镇政府附近3公里内有两所学校。", "")
    result = extract_answer("镇政府多少公里内有两所学校？", "3公里", [town], 0.34)
    assert [p.answer for p in result.parts] == ["3公里"]
    # the 约 of 签约 is another word
    assert [p.answer for p in _extract("阿图什市签约了几个项目？", "7").parts] == ["7个"]


def test_a_measure_in_two_units_and_a_rate_stay_whole() -> None:
    player = ("", "李强身高1米98，体重95公斤，司职前锋。他的800米最好成绩为1分52秒36。", "")
    # 「1米98」 is one measure (not 1米 and 98); the model's 「1米」 is read up to its end
    for reply in ("1米98", "1米"):
        result = extract_answer("李强的身高是多少？", reply, [player], 0.34)
        assert [p.answer for p in result.parts] == ["1米98"]
    result = extract_answer("李强800米最好成绩是多少？", "1分52秒", [player], 0.34)
    assert [p.answer for p in result.parts] == ["1分52秒36"]
    district = ("", "该区面积3.2平方公里，人口密度达到每平方公里2.3万人。", "")
    result = extract_answer("该区的人口密度是多少？", "2.3万人", [district], 0.34)
    assert [p.answer for p in result.parts] == ["每平方公里2.3万人"]  # a density, not a count
    # a number after a unit that a word follows counts something else
    estate = ("", "小区占地面积12000平方米12栋住宅楼已全部封顶。", "")
    result = extract_answer("小区占地面积是多少？", "12000平方米", [estate], 0.34)
    assert [p.answer for p in result.parts] == ["12000平方米"]


def test_measures_apart_in_a_reply_answer_a_question_of_two_measures() -> None:
    player = ("", "李强身高1米98，体重95公斤，司职前锋。", "")
    result = extract_answer("李强的身高体重是多少？", "1米98 95公斤", [player], 0.34)
    assert [p.answer for p in result.parts] == ["1米98", "95公斤"]
    # a time and its figure are one answer, not two
    assert reply_spans("2025年1-9月 107.37亿元", 1) == [("2025年1-9月 107.37亿元", [])]
    assert reply_spans("William Laimbeer Jr.", 1) == [("William Laimbeer Jr.", [])]


def test_a_place_suffix_jieba_glues_to_the_next_word_is_not_a_term() -> None:
    # jieba cuts 冷湖/市是/何时/设立: 「市是」 is not what the question asks about
    town = ("", "冷湖原为无人区，1954年发现石油后开始建设，1959年设立冷湖市，1964年降格为镇。", "")
    scope = question_scope("冷湖市是何时设立的？", documents=town[1])
    assert scope.places == ("冷湖",)
    assert scope.metric_terms == ("设立",)
    assert [p.answer for p in extract_answer("冷湖市是何时设立的？", "1959年", [town], 0.34).parts]
    # 东关/街有/多长: 街 glued to 有, and 多长 asks how long, like 多少
    street = ("", "东关街是扬州城里最具代表性的一条历史老街，全长1122米。", "")
    assert question_scope("东关街有多长？", documents=street[1]).metric_terms == ()
    assert [p.answer for p in extract_answer("东关街有多长？", "1122米", [street], 0.34).parts] == [
        "1122米"
    ]
    # a word of the dictionary after a place is no glue: 州长 of 克州州长
    assert "州长" in question_scope("克州州长叫什么名字？").metric_terms
    # 什么/时候: the noun of the question word names nothing the evidence must say
    assert question_scope("占旭刚什么时候正式结束运动生涯？").metric_terms == (
        "占旭刚",
        "正式",
        "结束",
        "运动",
        "生涯",
    )


def test_a_figure_the_question_quotes_ties_the_sentence_to_it() -> None:
    tower = ("", "塔身为直立火箭形，高23.5米，暗示北回归线的纬度值，塔身连塔基共高30.4米。", "")
    question = "塔身高23.5米象征着什么？"
    assert question_scope(question).figures == ("23.5",)
    result = extract_answer(question, "北回归线的纬度值", [tower], 0.34)
    assert [p.answer for p in result.parts] == ["北回归线的纬度值"]
    # another figure does not: 123.5 is not 23.5
    other = ("", "塔身为直立火箭形，高123.5米，暗示北回归线的纬度值。", "")
    assert not extract_answer(question, "北回归线的纬度值", [other], 0.34).parts
    # a period's numbers are the question's scope, not a quoted figure
    assert question_scope("克州2025年1-9月外贸总额是多少？").figures == ()


def test_a_place_the_tagger_only_guesses_is_a_name_and_a_range_keeps_its_units() -> None:
    plant = (
        "",
        "锦地罗是茅膏菜科茅膏菜属的植物。分布在亚洲、非洲以及中国大陆的广西、广东等地，"
        "生长于海拔50米至1,520米的地区。",
        "",
    )
    question = "锦地罗生长的地区海拔约是多少米？"
    assert question_scope(question).places == ()  # 锦地罗: not in jieba's dictionary, no suffix
    assert "锦地罗" in question_scope(question).names
    result = extract_answer(question, "1,520米", [plant], 0.34)
    assert [p.answer for p in result.parts] == ["50米至1,520米"]
    # a rise is no range: 「由45.2%增至50%」 gives 50%
    rise = ("", "占比由45.2%增至50%。", "")
    assert [p.answer for p in extract_answer("占比增至多少？", "50%", [rise], 0.34).parts] == [
        "50%"
    ]


def test_a_range_written_the_models_way_is_found_as_the_text_writes_it() -> None:
    plant = ("", "分布在蒙古、伊朗等地，生长于海拔200米至2,300米的地区。株高20－100厘米。", "")
    question = "蓍所生长的地区海拔约是多少米？"
    assert [p.answer for p in extract_answer(question, "200-2300", [plant], 0.34).parts] == [
        "200米至2,300米"
    ]
    # other numbers are no such range
    assert not extract_answer(question, "200-2400", [plant], 0.34).parts
    # a two-part question answered on one line keeps a number's thousands together
    income = ("", "男子的平均年收入为31,875美元，女子的平均年收入为23,235美元。", "")
    result = extract_answer("男子和女子的平均年收入分别是多少？", "31,875美元", [income], 0.34)
    assert [p.answer for p in result.parts] == ["31,875美元"]


def test_a_reply_that_drops_a_parenthesis_is_found_as_the_sentence_says_it() -> None:
    museum = (
        "",
        "黑龙江省博物馆位于黑龙江省哈尔滨市（旧称滨江）南岗区红军街50号，是综合博物馆。",
        "",
    )
    question = "黑龙江省博物馆位于哪里？"
    result = extract_answer(question, "黑龙江省哈尔滨市的南岗区红军街50号", [museum], 0.34)
    assert [p.answer for p in result.parts] == ["黑龙江省哈尔滨市（旧称滨江）南岗区红军街50号"]
    # the same sentence after another one: its stretch, not one reaching into the first
    later = ("", "该馆始建于1923年，藏品丰富。" + museum[1], "")
    result = extract_answer(question, "黑龙江省哈尔滨市的南岗区红军街50号", [later], 0.34)
    assert [p.answer for p in result.parts] == ["黑龙江省哈尔滨市（旧称滨江）南岗区红军街50号"]
    # a reply the sentence does not nearly say is not found, nor one with another number
    assert not extract_answer(question, "黑龙江省齐齐哈尔市的龙沙区公园路8号", [museum], 0.34).parts
    assert not extract_answer(question, "黑龙江省哈尔滨市的南岗区红军街60号", [museum], 0.34).parts


def test_the_kind_a_question_asks_for_need_not_be_written_beside_a_phrase() -> None:
    person = ("", "严长寿，出生于上海市，目前为公益平台文化基金会董事长、亚都丽致大饭店总裁。", "")
    question = "严长寿现今的职业有哪些？"
    assert question_scope(question).kind == "职业"
    result = extract_answer(
        question, "公益平台文化基金会董事长、亚都丽致大饭店总裁", [person], 0.34
    )
    assert [p.answer for p in result.parts] == ["公益平台文化基金会董事长、亚都丽致大饭店总裁"]
    # ... the question's subject still has to be in the article
    other = ("", "林永康目前为亚都丽致大饭店总裁。", "")
    assert not extract_answer(question, "亚都丽致大饭店总裁", [other], 0.34).parts
    # a verb before 什么 is no kind; another name for something is asked with a name word
    assert question_scope("苹果状西番莲被当作什么？").kind == ""
    assert "称之为" not in question_scope("阿閦佛又称之为什么？").metric_terms
    # a figure still needs its metric beside it
    count = ("", "严长寿目前为董事长，公司有员工300人。", "")
    assert not extract_answer("严长寿的职业有哪些？", "300人", [count], 0.34).parts


def test_a_figure_copied_for_another_time_gives_way_to_the_one_stated_for_the_asked_time() -> None:
    question = "截至2025年9月底，克州当年外贸进出口总额累计达到多少？"
    result = _extract(question, "65.6亿元")  # the model copied the 2024年1至8月 figure
    assert [(p.answer, p.scope.split()[0]) for p in result.parts] == [("107.37亿元", "2025年1-9月")]
    # a time no passage states is still refused, with what the documents do hold
    result = _extract("截至2024年9月底，克州外贸进出口总额累计达到多少？", "107.37亿元")
    assert result.parts == []
    assert result.near_miss is not None
    assert _extract("江苏2024年新能源汽车产量是多少？", "67.8万辆").parts == []


def test_which_ones_answered_with_a_count_gives_the_things_counted() -> None:
    campus = ("", "新校区建有3座体育馆，包括游泳馆、篮球馆、羽毛球馆，均对外开放。", "")
    result = extract_answer("新校区的体育馆有哪几座？", "3座", [campus], 0.34)
    assert [p.answer for p in result.parts] == ["游泳馆、篮球馆、羽毛球馆"]
    # how many, answered with the things: the count the sentence states before them
    members = ("", "该委员会的成员主要分为两类：常任委员及非常任委员。", "")
    result = extract_answer("该委员会的成员分为几类？", "常任委员及非常任委员", [members], 0.34)
    assert [p.answer for p in result.parts] == ["两类"]
    # a count with no list after it stays the count
    hall = ("", "新校区建有3座体育馆，均对外开放。", "")
    assert [
        p.answer for p in extract_answer("新校区有哪几座体育馆？", "3座", [hall], 0.34).parts
    ] == ["3座"]


def test_a_verb_not_verb_question_is_answered_yes_or_no_from_the_passage() -> None:
    server = ("", "更换服务器时，比如从甲机房迁到乙机房，配置文件不需要重新编写。", "")
    result = extract_answer("更换服务器时，配置文件需不需要重新编写？", "不需要", [server], 0.34)
    assert result.parts
    assert "不需要" in result.parts[0].answer


def test_a_rank_a_why_question_takes_as_given_is_not_asked_for() -> None:
    chief = ("", "由于王某在局长任内泄露侦查情资，他在卸任后被起诉并入狱。", "")
    question = "王某为什么会成为第一位入狱的卸任局长？"
    result = extract_answer(question, "王某在局长任内泄露侦查情资", [chief], 0.34)
    assert result.parts
    # a question that asks for the rank still needs it stated
    assert not extract_answer("第一位入狱的卸任局长是谁？", "王某", [chief], 0.34).parts


def test_an_answer_closes_the_quote_or_bracket_it_opens() -> None:
    school = (
        "画派",
        "该画派反对模仿古人，提倡“以造化为师”。其成员有：张三（江南）、李四（岭南）等。",
        "",
    )
    result = extract_answer("该画派的主张是什么？", "提倡“以造化为师", [school], 0.34)
    assert [p.answer for p in result.parts] == ["提倡“以造化为师”"]
    # a bracket the reply closes takes the item it glosses, set off by its mark
    result = extract_answer("该画派有哪些成员？", "江南）、李四（岭南）", [school], 0.34)
    assert [p.answer for p in result.parts] == ["张三（江南）、李四（岭南）等"]


def test_a_figure_of_a_respectively_sentence_is_the_one_at_the_asked_items_place() -> None:
    shares = (
        "浙江产业",
        "今年1月至6月，浙江省光伏组件、风电整机、储能电池产量分别占全国的12.5%、8.1%和20.4%。",
        "2025",
    )
    result = extract_answer(
        "2025年1月至6月，浙江省风电整机产量占全国的比重？", "20.4%", [shares], 0.34
    )
    assert [p.answer for p in result.parts] == ["8.1%"]
    question = "2025年1月至6月，浙江省光伏组件、风电整机、储能电池的产量分别占全国的多少？"
    result = extract_answer(question, "12.5%\n20.4%\n20.4%", [shares], 0.34)
    assert [p.answer for p in result.parts] == ["12.5%", "8.1%", "20.4%"]
    # the question names no one item more than another: the model's figure stays
    result = extract_answer("2025年1月至6月，浙江省产量占全国的比重？", "8.1%", [shares], 0.34)
    assert [p.answer for p in result.parts] == ["8.1%"]
    asked = "2025年1月至6月，浙江省光伏组件和风电整机产量占全国的比重？"
    result = extract_answer(asked, "20.4%", [shares], 0.34)
    assert [p.answer for p in result.parts] == ["20.4%"]  # two items named: a tie
    # as many items as figures, or nothing is moved
    uneven = (shares[0], shares[1].replace("、8.1%和20.4%", "和8.1%"), "2025")
    result = extract_answer(
        "2025年1月至6月，浙江省光伏组件产量占全国的比重？", "8.1%", [uneven], 0.34
    )
    assert [p.answer for p in result.parts] == ["8.1%"]


def test_a_figure_is_the_one_written_before_the_thing_the_question_names() -> None:
    park = (
        "产业园",
        "2024年建成32座冷库、1800平方米检测中心及5200平方米加工车间，带动就业超千人。",
        "2024",
    )
    asked = "2024年建成的加工车间面积是多少平方米？"
    result = extract_answer(asked, "1800平方米", [park], 0.34)
    assert [p.answer for p in result.parts] == ["5200平方米"]
    # a figure in another unit is not a candidate (32座 counts cold stores)
    result = extract_answer("2024年建成的冷库有多少座？", "32座", [park], 0.34)
    assert [p.answer for p in result.parts] == ["32座"]
    # the question names no thing: the model's figure stays
    result = extract_answer("2024年建成了多少平方米？", "1800平方米", [park], 0.34)
    assert [p.answer for p in result.parts] == ["1800平方米"]


def test_whose_mother_is_answered_with_the_child_not_her_own_mother() -> None:
    queen = ("明圣王后", "明圣王后金氏，第18代君主显宗的王妃，第19代君主肃宗的母亲。", "")
    other = ("高英", "高英的母亲是武邑郡君王氏。", "")
    result = extract_answer("明圣王后是谁的母亲？", "武邑郡君王氏", [other, queen], 0.34)
    assert [p.answer for p in result.parts] == ["第19代君主肃宗"]
