"""How far an answer span reaches: whole lists, counts with their classifier, definitions,
reasons, full names, and questions that ask for each of several things."""

from rag.services.answer_shape import (
    as_count,
    asked_head,
    asked_thing,
    asks_event,
    asks_reason,
    asks_several,
    asks_when,
    asks_yes_no,
    defined_term,
    definition,
    event,
    full_name,
    head_extent,
    lead,
    list_end,
    measured,
    only_yes_no,
    reason,
    share_of,
    statement,
    time_bounds,
    title_of,
    verb_objects,
    whose,
)
from rag.services.extraction import coordinated_parts, extract_answer

RANGE = (
    "五月艾",
    "五月艾是菊科蒿属的植物。分布于越南、老挝、缅甸、台湾岛以及中国大陆的四川、浙江等地，"
    "生长于海拔10米至3,200米的地区。",
    "",
)
ROADS = (
    "威拍哇丽兰室路",
    "主要的马路有，素铁讪路（Sutthisan Road）、叻抛路（Lat Phrao Road, 曼谷）及程华大那路。",
    "",
)


def _list(text: str, span: str, cut: str) -> str:
    start = text.find(span)
    return text[start : list_end(text, start, text.find(cut) + len(cut))]


def test_a_span_that_opens_a_list_reaches_to_the_lists_end() -> None:
    text = RANGE[1]
    assert _list(text, "越南", "缅甸") == "越南、老挝、缅甸、台湾岛以及中国大陆的四川、浙江等地"
    # a span the model cut inside an item (its window ended there) gets the whole item
    assert _list(text, "越南", "中国大") == "越南、老挝、缅甸、台湾岛以及中国大陆的四川、浙江等地"
    # commas inside brackets do not end an item
    roads = ROADS[1]
    assert _list(roads, "素铁讪路", "素铁讪路") == (
        "素铁讪路（Sutthisan Road）、叻抛路（Lat Phrao Road, 曼谷）及程华大那路"
    )


def test_a_list_the_span_introduces_is_taken_and_a_span_in_no_list_is_kept() -> None:
    text = "雷公藤主要分布于东亚地区，包括日本、朝鲜、台湾岛等地，生长于山地。"
    assert _list(text, "东亚地区", "东亚地区") == "东亚地区，包括日本、朝鲜、台湾岛等地"
    text = "克州外贸进出口总额107.37亿元，同比增长45.2%，如果…"
    assert _list(text, "107.37亿元", "107.37亿元") == "107.37亿元"
    text = "常见副作用有低血压、耳鸣等，严重副作用则有丧失听力。"
    assert _list(text, "低血压", "耳鸣等") == "低血压、耳鸣等"
    # a list of titles that 的 makes a modifier ends with its last title
    text = "他是《旧约》中《耶利米书》、《耶利米哀歌》及《列王纪下》的作者。"
    assert (
        _list(text, "《耶利米书》", "《耶利米哀歌》")
        == "《耶利米书》、《耶利米哀歌》及《列王纪下》"
    )
    # a place list's 的 stays inside its item
    text = "分布于越南、老挝以及中国大陆的四川。"
    assert _list(text, "越南", "老挝") == "越南、老挝以及中国大陆的四川"


def test_only_questions_that_ask_for_several_things_get_the_whole_list() -> None:
    assert asks_several("五月艾分布在哪些地区？")
    assert asks_several("纽西兰鸡毛松有什么用途？")
    assert asks_several("天门冬又称之为什么？")  # other names come as a list
    assert asks_several("五月艾分布在哪里？")  # where: the whole list where there is one
    assert not asks_several("五月艾分布于哪个国家？")
    several = extract_answer("五月艾分布在哪些地区？", "越南、老挝", [RANGE], 0.34)
    [part] = several.parts
    assert part.answer == "越南、老挝、缅甸、台湾岛以及中国大陆的四川、浙江等地"
    assert RANGE[1][part.start : part.end] == part.answer
    assert RANGE[1][part.quote_start : part.quote_end].startswith("分布于越南")
    one = extract_answer("五月艾分布于哪个国家？", "越南", [RANGE], 0.34)
    assert [p.answer for p in one.parts] == ["越南"]


def test_a_count_is_given_as_the_text_writes_it_with_its_classifier() -> None:
    texts = ["这些飞弹又分成两类：36枚射程较远的拦截弹，与64枚射程较短的拦截弹。"]
    assert as_count("2", "飞弹分为几类？", texts) == "两类"
    assert as_count("36", "部署了多少枚飞弹？", texts) == "36枚"
    assert as_count("36", "部署了多少发飞弹？", texts) == "36"  # 发: no count classifier
    assert as_count("7", "共有几处发射基地？", ["共有7处发射基地。"]) == "7处"
    assert as_count("2", "军队分成几股？", ["将军队分成2股。"]) == "2股"
    # 个 asks for any count: the classifier the text writes the number with
    family = ["已婚，育有3名子女。因案被判减刑三个月。"]
    assert as_count("3", "他有几个孩子？", family) == "3名"
    assert as_count("3", "飞弹分为几类？", texts) == "3"  # no 三类 in the text: left as it is
    assert as_count("二", "飞弹分为几类？", ["分为二类。"]) == "二类"
    passage = ("飞弹", texts[0], "")
    result = extract_answer("这些飞弹分成几类？", "2", [passage], 0.34)
    assert [p.answer for p in result.parts] == ["两类"]


def test_a_definition_question_answered_with_the_term_gets_the_texts_definition() -> None:
    assert defined_term("什么是小鸟球？") == "小鸟球"
    assert defined_term("放线菌酮是什么意思？") == "放线菌酮"
    assert defined_term("胜利广场是什么形状的？") == ""
    golf = "总杆数低于标准杆数一杆完成比赛，称为小鸟球（Birdie），或者简称小鸟。"
    assert definition("小鸟球", [golf]) == "总杆数低于标准杆数一杆完成比赛"
    drug = "放线菌酮是一种具苦味的物质，它是灰色链霉菌的一种产物。"
    assert definition("放线菌酮", [drug]) == "一种具苦味的物质，它是灰色链霉菌的一种产物"
    assert definition("小鸟球", [drug]) == ""
    result = extract_answer("什么是小鸟球？", "小鸟球", [("高尔夫", golf, "")], 0.34)
    assert [p.answer for p in result.parts] == ["总杆数低于标准杆数一杆完成比赛"]
    # with no definition in the passages the restated term is still refused
    refused = extract_answer("什么是小鸟球？", "小鸟球", [("药", drug, "")], 0.34)
    assert not refused.parts
    assert "restates" in refused.reason


def test_a_figure_with_thousands_separators_is_one_figure() -> None:
    stadium = ("地球体育场", "地球体育场可容纳6,476名观众。", "")
    result = extract_answer("地球体育场能容纳多少名观众？", "6,476", [stadium], 0.34)
    assert [p.answer for p in result.parts] == ["6,476名"]


def test_a_list_ends_with_its_etc() -> None:
    text = "于是便与名模孟广美、倪雅伦、赖雅妍等人开始了模特儿的工作。"
    assert _list(text, "孟广美", "倪雅伦") == "孟广美、倪雅伦、赖雅妍等人"
    # 「等」 inside a word (平等, 高等) does not end it
    text = "学校有北京大学、武汉高等专科学校，还有…"
    assert _list(text, "北京大学", "北京大学") == "北京大学、武汉高等专科学校"


PAINT = (
    "丙烯颜料",
    "丙烯颜料又称为压克力颜料，是颜料粉调和丙烯树脂制成的。丙烯颜料可以用水稀释，但在干后迅速"
    "失去可溶性，不再溶于水，且不易褪色。丙烯颜料有轻微毒性。颜料干后，可用热水浸泡，再搓洗。"
    "溶于汽油。",
    "",
)


def test_a_yes_or_no_is_answered_with_the_words_that_say_so() -> None:
    assert asks_yes_no("丙烯颜料溶于汽油吗？")
    assert asks_yes_no("克州外贸增速是否全疆第一？")
    assert not asks_yes_no("丙烯颜料溶于什么？")
    assert only_yes_no("是")
    assert only_yes_no("不是")
    assert not only_yes_no("是颜料")
    texts = [PAINT[1]]
    assert statement("丙烯颜料溶于汽油吗？", texts) == "溶于汽油"
    assert statement("丙烯颜料有毒吗？", texts) == "丙烯颜料有轻微毒性"
    assert statement("克州外贸增速是否全疆第一？", texts) == ""
    # a word counts as written when half its characters are: 「不易褪色」 for 容易褪色
    assert statement("丙烯颜料容易褪色吗？", texts) == "且不易褪色"
    # the phrase that says it, not the one that dates the sentence
    kz = [
        "“2024年1至8月，克州完成外贸进出口总额65.6亿元，同比增长270%，增速全疆第一，"
        "完成进出口货物193.1万吨，占整个南疆地区进出口贸易的七成以上。”",
        "今年以来，克州外贸进出口保持增长。克州口岸外贸进出口货运量稳步提升。",
    ]
    assert statement("2024年1至8月克州外贸进出口增速是否全疆第一？", kz) == "增速全疆第一"
    result = extract_answer("丙烯颜料溶于汽油吗？", "是", [PAINT], 0.34)
    assert [p.answer for p in result.parts] == ["溶于汽油"]


def test_a_bare_yes_or_no_is_never_an_answer() -> None:
    # no phrase of the passages says it: a 是 found in any text proves nothing
    result = extract_answer("丙烯颜料可以吃吗？", "是", [PAINT], 0.34)
    assert not result.parts
    assert "only a yes or no" in result.reason
    assert not extract_answer("丙烯颜料的主要成分是什么？", "有", [PAINT], 0.34).parts
    # nothing to say it with: no passage text, or only marks
    assert statement("吗？", [PAINT[1]]) == ""
    assert statement("丙烯颜料有毒吗？", []) == ""
    assert statement("a有毒吗？", ["a", "。。", "有毒"]) == ""


def test_a_whole_list_from_the_model_also_ends_with_its_etc() -> None:
    text = "于是便与名模孟广美、倪雅伦、赖雅妍等人开始了模特儿的工作。"
    assert _list(text, "孟广美", "赖雅妍") == "孟广美、倪雅伦、赖雅妍等人"
    # a bracket left open does not carry a list past its sentence
    text = "主要的马路有素铁讪路、叻抛路（Lat。第二句、第三句。"
    assert _list(text, "素铁讪路", "素铁讪路") == "素铁讪路、叻抛路（Lat"


def test_a_definition_is_the_texts_own_whatever_the_model_copied() -> None:
    text = (
        "暴发户（），也称为新贵，指一个人在短时间内就取得了可观的财富。"
        "百老汇剧院以演出音乐剧著名。棱柱中过不相邻的两条侧棱的截面叫做棱柱的对角面。"
    )
    # the encyclopaedia's opening sentence; 「也称为」 is not the definition's verb
    assert definition("暴发户", [text]) == "一个人在短时间内就取得了可观的财富"
    assert definition("棱柱的对角线", [text]) == ""
    prism = ("棱柱", text + "棱柱中不在同一平面上的两个顶点的连线叫做棱柱的对角线。", "")
    result = extract_answer("什么是棱柱的对角线？", "棱柱中过不相邻的两条侧棱的截面", [prism], 0.34)
    assert [p.answer for p in result.parts] == ["棱柱中不在同一平面上的两个顶点的连线"]


def test_the_words_that_answer_yes_or_no_are_held_to_the_asked_time_like_a_figure() -> None:
    kz = (
        "今年前8月新疆克州外贸进出口增速全疆第一",
        "“2024年1至8月，克州完成外贸进出口总额65.6亿元，同比增长270%，增速全疆第一，"
        "完成进出口货物193.1万吨。”",
        "2024",
    )
    asked = extract_answer("2024年1至8月，克州外贸进出口增速是否全疆第一？", "是", [kz], 0.34)
    assert [p.answer for p in asked.parts] == ["增速全疆第一"]
    full_year = extract_answer("2024年全年，克州外贸进出口增速是否全疆第一？", "是", [kz], 0.34)
    assert not full_year.parts
    assert "full year" in full_year.reason


def test_a_count_copied_as_another_number_is_the_count_its_sentence_states() -> None:
    texts = ["这些飞弹又分成两类：36枚射程较远的拦截弹，与64枚射程较短的拦截弹。"]
    assert as_count("36", "飞弹分为几类？", texts) == "两类"
    # a sentence that states no count, or two of them, gives no count
    assert as_count("36", "飞弹分为几类？", ["部署了36枚拦截弹。"]) == "36"
    assert as_count("36", "飞弹分为几类？", ["分成两类：36枚；另有三类。"]) == "36"


def test_a_short_name_question_gets_the_name_the_passage_shortens() -> None:
    texts = [
        "东山市第二实验中学，简称东山二实，创建于1952年。",
        "西河县农业农村局（以下简称“农业局”）负责全县的农业工作。",
    ]
    assert full_name("东山二实是什么的简称？", texts) == "东山市第二实验中学"
    assert full_name("农业局的全称是什么？", texts) == "西河县农业农村局"
    quoted = ["“外贸增长很快。”新疆西河哈萨克自治州(下称“西州”)州长说。"]
    assert full_name("西州是什么的简称？", quoted) == "新疆西河哈萨克自治州"
    # 下称 says what 简称 asks: the word 简称 need not be in the text
    said = extract_answer("西州是什么的简称？", "西州", [("西州", quoted[0], "")], 0.34)
    assert [p.answer for p in said.parts] == ["新疆西河哈萨克自治州"]
    assert full_name("东山二实是什么？", texts) == ""  # not asked
    assert full_name("南山二中是什么的简称？", texts) == ""  # no passage writes it
    passage = ("东山二实", texts[0], "")
    result = extract_answer("东山二实是什么的简称？", "东山二实", [passage], 0.34)
    assert [p.answer for p in result.parts] == ["东山市第二实验中学"]


def test_an_answer_that_repeats_the_question_counts_where_the_passage_puts_it_in_the_slot() -> None:
    bank = ("东方银行", "1990年，南方银行收购旧东方银行，并改名为东方银行，总部迁往上海。", "")
    result = extract_answer("旧东方银行后来改名为什么？", "东方银行", [bank], 0.34)
    assert [p.answer for p in result.parts] == ["东方银行"]
    # the same repetition with no such slot in the passage answers nothing
    moved = ("东方银行", "1990年，南方银行收购旧东方银行，总部迁往上海。", "")
    assert not extract_answer("旧东方银行后来改名为什么？", "东方银行", [moved], 0.34).parts


def test_a_why_question_gets_the_reason_the_passage_gives() -> None:
    assert asks_reason("东湖机场为什么又叫五分钟机场？")
    assert asks_reason("潘某为何被封为道员？")
    assert not asks_reason("东湖机场后来改名为什么？")  # asks for a name
    assert not asks_reason("东湖又被称之为什么？")
    texts = [
        "东湖机场位于东湖市南郊。因为市中心至机场所需的时间少于五分钟，东湖机场又叫五分钟机场。",
        "河谷地带日照长，土壤肥沃；因此，西河县的畜牧业发达。",
        "鸦片战争爆发时，他又捐助军需银八万两，得赏戴花翎，封为道员头衔。",
    ]
    # the outcome the question states already is not part of the reason
    assert reason("东湖机场为什么又叫五分钟机场？", texts) == (
        "因为市中心至机场所需的时间少于五分钟"
    )
    assert reason("为什么西河县的畜牧业发达？", texts) == "河谷地带日照长，土壤肥沃"
    assert reason("他为何被封为道员？", texts) == (
        "鸦片战争爆发时，他又捐助军需银八万两，得赏戴花翎"
    )
    assert reason("为什么北湖结冰？", texts) == ""  # no sentence says it
    passage = ("东湖机场", texts[0], "")
    result = extract_answer("东湖机场为什么又叫五分钟机场？", "五分钟机场", [passage], 0.34)
    assert [p.answer for p in result.parts] == [reason("东湖机场为什么又叫五分钟机场？", texts)]
    # a reply that gives a reason of its own is checked as any other
    own = extract_answer("东湖机场为什么又叫五分钟机场？", "东湖市南郊", [passage], 0.34)
    assert [p.answer for p in own.parts] == ["东湖市南郊"]


def test_a_why_question_answered_with_a_word_of_the_reason_gets_the_reason() -> None:
    texts = [
        "景宗即位时年仅十岁。由于景宗年幼，所以李氏得以把持朝政，并重用东人派。",
        "冯某因私自出售库银被革职，家人因受牵连而迁往乡间。",
    ]
    passage = ("李氏", texts[0], "")
    # 能 of the question is 得以 in the passage: a modal verb does not keep the sentence out
    assert reason("为什么李氏能把持朝政？", texts) == (
        "由于景宗年幼，所以李氏得以把持朝政，并重用东人派"
    )
    result = extract_answer("为什么李氏能把持朝政？", "东人派", [passage], 0.34)
    assert [p.answer for p in result.parts] == ["由于景宗年幼，所以李氏得以把持朝政，并重用东人派"]
    # 「因为什么罪行」 asks for the offence, a thing, not for a reason
    assert not asks_reason("冯某因为什么罪行被革职？")
    assert asks_reason("冯某因为什么而被革职？")
    assert asks_reason("冯某因为什么原因被革职？")
    crime = extract_answer(
        "冯某因为什么罪行被革职？", "私自出售库银", [("冯某", texts[1], "")], 0.34
    )
    assert [p.answer for p in crime.parts] == ["私自出售库银"]


def test_a_question_that_asks_for_each_of_several_things_has_a_part_for_each() -> None:
    assert coordinated_parts("大陆桥的东段和西端终点分别是哪里？") == [
        "大陆桥的东段终点是哪里？",
        "大陆桥的西端终点是哪里？",
    ]
    assert coordinated_parts("男子和女子的平均年收入分别是多少？") == [
        "男子的平均年收入是多少？",
        "女子的平均年收入是多少？",
    ]
    assert coordinated_parts("新能源汽车、锂电池、太阳能电池的产量分别占全国的多少？") == [
        "新能源汽车的产量占全国的多少？",
        "锂电池的产量占全国的多少？",
        "太阳能电池的产量占全国的多少？",
    ]
    assert coordinated_parts("印度野驴与非洲野驴的分别是什么？") == []  # 分别: a difference
    assert coordinated_parts("男子和女子的平均年收入是多少？") == []  # not asked for each
    road = ("大陆桥", "达曼是大陆桥的东段终点，西端终点在吉达港。达曼位于东部省。", "")
    result = extract_answer("大陆桥的东段和西端终点分别是哪里？", "达曼", [road], 0.34)
    assert [p.answer for p in result.parts] == ["达曼"]
    assert result.missing == ["大陆桥的西端终点是哪里？"]
    # the quote is the sentence that says what is asked, not the first that names 达曼
    [part] = result.parts
    assert road[1][part.quote_start : part.quote_end].startswith("达曼是大陆桥的东段终点")


def test_a_time_keeps_the_words_that_bound_it() -> None:
    text = "1990年代以后，街道开始彻底改建。约公元700年以来，当地人形成了自己的文明。"
    assert asks_when("什么时候开始，街道开始彻底改建？")
    assert not asks_when("街道有多长？")
    start = text.find("1990年代")
    assert time_bounds(text, start, start + 6) == (start, start + 8)
    start = text.find("公元700年")
    assert text[slice(*time_bounds(text, start, start + 6))] == "约公元700年以来"
    passage = ("街道", text, "")
    result = extract_answer("什么时候开始，街道开始彻底改建？", "1990年代", [passage], 0.34)
    assert [p.answer for p in result.parts] == ["1990年代以后"]
    # not for a question that does not ask when
    result = extract_answer("街道在1990年代以后怎样了？", "开始彻底改建", [passage], 0.34)
    assert [p.answer for p in result.parts] == ["开始彻底改建"]


def test_of_several_labelled_lists_in_a_sentence_the_one_the_question_names_is_taken() -> None:
    text = (
        "大会上举行了系列授牌仪式，分别向东湖信息科技有限公司、西山文娱、南岭钢琴等十强企业，"
        "北港文化科技集团股份有限公司、中原虚拟现实科技股份有限公司、东岸文商旅集团有限公司等"
        "“最具潜力企业五佳”企业颁发奖牌，充分展示了培育文化新质生产力所取得的成就和企业形象。"
    )
    passage = ("大会", text, "")
    asked = "获颁“最具潜力企业五佳”奖牌的企业有哪几家？"
    result = extract_answer(asked, "东湖信息科技有限公司、西山文娱", [passage], 0.34)
    listed = "北港文化科技集团股份有限公司、中原虚拟现实科技股份有限公司、东岸文商旅集团有限公司等"
    assert [p.answer for p in result.parts] == [listed]
    [part] = result.parts
    assert text[part.start : part.end] == part.answer
    # the sentence shown (cut to the span's clause in a long sentence) holds the whole list
    assert listed in "".join(result.sentences({0: 1}))
    # the list whose label the question names is kept
    top = extract_answer("获颁奖牌的十强企业有哪些？", "东湖信息科技有限公司", [passage], 0.34)
    assert [p.answer for p in top.parts] == ["东湖信息科技有限公司、西山文娱、南岭钢琴等"]


HERB = (
    "短叶水蜈蚣",
    "短叶水蜈蚣（学名：），别名无头土香、无头香、白香附、散寒草、金钮草，是莎草科水蜈蚣属的植物。"
    "中医上以全草入药，性平、味辛，功能发汗退热、消肿解毒，主治感冒发热、疟疾、痢疾、皮肤瘙痒、"
    "蛇虫咬伤等症；近用于乳糜尿。",
    "",
)


def test_an_answer_from_a_sentence_without_the_asked_verb_moves_to_the_one_with_it() -> None:
    """「主治哪些问题？」 answered with the plant's other names (the model read the sentence
    that names it): what the passage writes after 主治, in the sentence that says it."""
    question = "短叶水蜈蚣主治哪些问题？"
    (part,) = extract_answer(question, "无头香", [HERB], 0.5).parts
    assert part.answer == "感冒发热、疟疾、痢疾、皮肤瘙痒、蛇虫咬伤等症"
    assert HERB[1][part.quote_start : part.quote_end].startswith("中医上以全草入药")
    # a span in the sentence that says 主治 stays where it is (and gets its whole list)
    (part,) = extract_answer(question, "疟疾", [HERB], 0.5).parts
    assert part.answer.startswith("疟疾、痢疾")
    # a question that asks for its names is answered from the names
    (part,) = extract_answer("短叶水蜈蚣有哪些别名？", "无头香", [HERB], 0.5).parts
    assert part.answer.startswith("无头香、白香附")
    # 是/有/叫 before the question word are not verbs to look for
    assert verb_objects("短叶水蜈蚣是什么？", [HERB[1]], 0, 0, 5) == []
    assert verb_objects("短叶水蜈蚣有哪些特点？", [HERB[1]], 0, 0, 5) == []
    # nor the words a question opens with, nor a when-question
    school = "学校于2005年获“中国百强中学”称号。在南宁市内有两个校区。"
    assert verb_objects("学校什么时候获“中国百强中学”称号？", [school], 0, 2, 7) == []
    # from a passage about another plant, to the one the question names
    other = ("蓍", "蓍是菊科蓍属的植物。全草可以入药，用于医治风湿痛。有助于治疗黏液。", "")
    herb = ("天门冬", "天门冬是天门冬科天门冬属的植物。归肺，肾经。治疗滋肾、虚劳、气喘等症。", "")
    (part,) = extract_answer("天门冬能治疗哪些问题？", "风湿痛", [other, herb], 0.5).parts
    assert part.answer == "滋肾、虚劳、气喘等症"


def test_a_noun_asked_after_which_moves_the_answer_to_where_the_text_writes_it() -> None:
    """「有哪些功能？」 answered with the plant's other names: what the text writes after 功能."""
    dandelion = (
        "蒲公英",
        "蒲公英（学名：），别名黄花地丁、婆婆丁，是菊科的植物。中医上以全草入药，"
        "功能清热解毒、消肿散结，主治疔疮肿毒。",
        "",
    )
    (part,) = extract_answer("蒲公英有哪些功能？", "黄花地丁", [dandelion], 0.5).parts
    assert part.answer == "清热解毒、消肿散结"
    # a noun the text does not write before a list leaves the span where it is
    (part,) = extract_answer("蒲公英有哪些别名？", "黄花地丁", [dandelion], 0.5).parts
    assert part.answer == "黄花地丁、婆婆丁"


def test_a_where_question_gets_the_whole_place_with_its_street() -> None:
    museum = (
        "黑龙江省博物馆",
        "黑龙江省博物馆是中国省级综合性博物馆，位于黑龙江省哈尔滨市红军街50号。",
        "",
    )
    singer = (
        "蔡敏",
        "蔡敏（），籍贯湖北云梦大山乡人，出生地于台湾台北市，台湾三大女高音之一。",
        "",
    )
    (part,) = extract_answer("黑龙江省博物馆在哪？", "哈尔滨市", [museum], 0.5).parts
    assert part.answer == "黑龙江省哈尔滨市红军街50号"
    (part,) = extract_answer("蔡敏的出生地在哪里？", "台北市", [singer], 0.5).parts
    assert part.answer == "台湾台北市"
    # not a where-question, or not a place: the span as it is
    (part,) = extract_answer("黑龙江省博物馆是什么？", "中国省级综合性博物馆", [museum], 0.5).parts
    assert part.answer == "中国省级综合性博物馆"


def test_a_place_keeps_the_name_the_span_cut_the_places_inside_and_its_modern_name() -> None:
    lane = ("东街", "东街是江苏省扬州市广陵区的一条东西向街道，全长1千米。", "")
    (part,) = extract_answer("东街在哪里？", "江苏省扬州", [lane], 0.5).parts
    assert part.answer == "江苏省扬州市广陵区"  # not on to 「的一条东西向街」
    writer = ("作家", "这位作家1950年生于加利福尼亚州的旧金山，后移居纽约。", "")
    (part,) = extract_answer("这位作家出生在哪里？", "旧金山", [writer], 0.5).parts
    assert part.answer == "加利福尼亚州的旧金山"
    battle = ("战役", "1213年，他率军在迪吉脑儿（今辽宁省昌图县）击败金兵。", "")
    (part,) = extract_answer("他在哪儿击败金兵？", "迪吉脑儿", [battle], 0.5).parts
    assert part.answer == "迪吉脑儿（今辽宁省昌图县）"
    # 市 that opens the next word is no suffix of the place
    market = ("商人", "他早年在扬州市场做布匹生意。", "")
    (part,) = extract_answer("他早年在哪里做生意？", "扬州", [market], 0.5).parts
    assert part.answer == "扬州"


def test_a_count_is_looked_for_where_the_number_itself_is_written() -> None:
    texts = ["故事围绕著三个为一位侦探工作的女孩。", "林永康已婚，育有3名子女。"]
    # its own classifier, not another passage's 三个
    assert as_count("3", "林永康有几个孩子？", texts) == "3名"
    assert as_count("3", "有几个女孩？", texts[:1]) == "三个"  # no passage writes 3 itself


def test_a_list_of_two_joined_by_and_is_taken_whole_but_not_a_clause() -> None:
    text = "分别是「旅游业务管理（航空及邮轮）文凭课程」及「款待与旅游管理文凭课程」。"
    assert _list(text, "旅游业务管理", "文凭课程") == (
        "旅游业务管理（航空及邮轮）文凭课程」及「款待与旅游管理文凭课程」"
    )
    text = "发起人是张三和李四共同创办的研究会，成立于1990年。"
    assert _list(text, "张三", "张三") == "张三"  # what follows 和 is a clause, not an item
    assert asks_several("龙胆又被称之为什么？")


def test_the_noun_the_question_asks_for_is_taken_where_the_text_writes_it_after_the_span() -> None:
    railway = "2008年，林务局将阿里山森林铁路以BOT模式移交宏都阿里山公司经营。"
    question = "2008年，林业局将阿里山森林铁路以什么模式移交宏都阿里山公司经营？"
    start = railway.find("BOT")
    assert railway[slice(*head_extent(question, railway, start, start + 3))] == "BOT模式"
    hospital = "华西医院是一座著名大型三级甲等医院，也是全世界单体规模最大的医院。"
    start = hospital.find("三级甲等")
    assert hospital[
        slice(*head_extent("华西医院是什么类型的医院？", hospital, start, start + 4))
    ] == ("三级甲等医院")
    # no noun asked (为什么, 什么是): the span is kept
    assert asked_head("为什么会被列入名录？") == []
    assert asked_head("什么是小鸟球？") == []


def test_an_event_question_gets_what_the_text_says_happened_in_its_year() -> None:
    texts = [
        "兰比尔是美国篮球运动员。1982年，骑士把兰比尔交换到底特律活塞队，其后他一直效力于该队。",
        "该大厦原名西北银行，1982年11月25日至26日感恩节期间，该大厦发生大火，需要重建。",
    ]
    assert asks_event("在1982年，兰比尔发生了什么事情？")
    assert not asks_event("兰比尔发生了什么事情？")  # no year: nothing to find it by
    assert event("在1982年，兰比尔发生了什么事情？", texts) == (
        "1982年，骑士把兰比尔交换到底特律活塞队，其后他一直效力于该队"
    )
    # the year may open a clause; the stretch that holds the question's words is chosen
    assert event("在1982年感恩节期间，此大厦遭遇了什么事情？", texts) == (
        "1982年11月25日至26日感恩节期间，该大厦发生大火，需要重建"
    )
    assert event("1982年，王五发生了什么事情？", texts) == ""  # none names 王五


def test_a_post_asked_for_a_time_is_taken_from_the_line_that_opens_with_that_time() -> None:
    career = [
        "吴双战，河南清丰人。1967年4月至1969年9月任陆军排长。"
        "1969年9月至1970年4月任陆军团司令部作训股参谋。"
        "1992年1月，任大港区委常委。1992年4月，任大港区委副书记、代区长。"
    ]
    question = "1969年9月至1970年4月，吴双战担任什么职务？"
    assert asks_event(question)
    assert event(question, career) == "陆军团司令部作训股参谋"
    # the whole time, not another month of the year
    assert event("1992年4月，罗保铭担任什么职务？", career) == "大港区委副书记、代区长"
    assert not asks_event("罗保铭担任什么职务？")
    # of two lines that open with the time, the one that names a post
    joined = ["1970年6月参加工作，1973年10月加入中国共产党。1973年10月，任市邮局联邮员。"]
    assert event("1973年10月，他担任什么职务？", joined) == "市邮局联邮员"
    result = extract_answer(question, "陆军排长", [("", career[0], "")], 0.34)
    assert [(p.answer, p.readable) for p in result.parts] == [
        ("陆军团司令部作训股参谋", "1969年9月至1970年4月任陆军团司令部作训股参谋。")
    ]


def test_a_bare_term_asked_about_gets_what_its_opening_sentence_says() -> None:
    texts = [
        "翼尖小翼（），又称作翼梢小翼、翼尖帆或翼端帆，通常用于提高固定翼航空器机翼的效率。"
        "翼尖小翼的原理在于减少翼尖涡流。"
    ]
    assert asked_thing("翼尖小翼是什么？") == "翼尖小翼"
    assert asked_thing("蓝线裸顶鲷的俗名是什么？") == ""  # asks for one thing of it
    assert lead("翼尖小翼", texts) == (
        "又称作翼梢小翼、翼尖帆或翼端帆，通常用于提高固定翼航空器机翼的效率"
    )
    assert lead("翼尖帆", texts) == ""  # no sentence opens with it
    # only where the model's reply restated the question
    result = extract_answer("翼尖小翼是什么？", "翼尖小翼", [("", texts[0], "")], 0.34)
    assert [p.answer for p in result.parts] == [
        "又称作翼梢小翼、翼尖帆或翼端帆，通常用于提高固定翼航空器机翼的效率"
    ]
    result = extract_answer("翼尖小翼是什么？", "减少翼尖涡流", [("", texts[0], "")], 0.34)
    assert [p.answer for p in result.parts] == ["减少翼尖涡流"]


def test_a_share_the_text_writes_in_words_replaces_a_precise_figure_it_does_not_hold() -> None:
    grain = ("", "2023年，该省粮食产量达到1200万吨，占全国粮食总产量的一成左右。", "2023")
    question = "2023年该省粮食产量占全国粮食总产量的比重是多少？"
    assert share_of(question, [grain[1]]) == "一成左右"
    result = extract_answer(question, "10.2%", [grain], 0.34)
    assert [p.answer for p in result.parts] == ["一成左右"]
    # a share of something else is not it
    assert share_of("该省棉花产量占全国的比重是多少？", [grain[1]]) == ""
    assert not extract_answer("该省棉花产量占全国的比重是多少？", "10.2%", [grain], 0.34).parts


def test_a_title_asked_of_a_person_is_the_one_written_before_the_name() -> None:
    text = (
        "李若岚研究所最新发布的报告显示，全省产量居首。在9月26日举行的大会上，"
        "若岚科技董事长兼首席研究员李若岚发布了这一报告。"
    )
    question = "发布这份报告的李若岚是什么身份？"
    assert title_of(question, ["李若岚"], [text]) == "若岚科技董事长兼首席研究员"
    result = extract_answer(question, "李若岚研究所", [("", text, "")], 0.34)
    assert [p.answer for p in result.parts] == ["若岚科技董事长兼首席研究员"]
    # no title before the name, or no title asked: nothing
    assert title_of(question, ["李若岚"], ["李若岚研究所最新发布的报告显示。"]) == ""
    assert title_of("李若岚发布了什么报告？", ["李若岚"], [text]) == ""


def test_a_who_question_gets_every_doer_the_text_lists_for_its_verb() -> None:
    drama = ("海边", "《海边》是一部电视剧。本剧由王明、李华、张强等领衔主演，陈涛监制。", "")
    result = extract_answer("《海边》是谁主演的？", "王明", [drama], 0.34)
    assert [p.answer for p in result.parts] == ["王明、李华、张强等"]
    # the list is not the subject of the verb asked about: each did his own part
    roles = ("船", "在这部戏中，王明饰演船长、李华饰演大副。", "")
    result = extract_answer("谁饰演船长？", "王明", [roles], 0.34)
    assert [p.answer for p in result.parts] == ["王明"]
    # no verb after 谁: nothing to match the list to
    result = extract_answer("这部剧的监制是谁？", "王明", [drama], 0.34)
    assert [p.answer for p in result.parts] == ["王明"]


def test_items_given_one_by_one_are_each_a_part_when_the_question_asks_which_two() -> None:
    league = ("联盟", "该联盟由两个城邦领导，一个是雅典，另一个是斯巴达。联盟存在了百年。", "")
    result = extract_answer("该联盟由哪两个城邦领导？", "雅典", [league], 0.34)
    assert [p.answer for p in result.parts] == ["雅典", "斯巴达"]
    assert all(p.quote_start == 0 for p in result.parts)
    result = extract_answer("该联盟由哪个城邦领导？", "雅典", [league], 0.34)
    assert [p.answer for p in result.parts] == ["雅典"]
    duties = (
        "乡约",
        "乡约的职责有三：一是教化乡民；二是管理户籍；三是维护治安。后来统一为县。",
        "",
    )
    result = extract_answer("乡约的职责有哪些？", "教化乡民", [duties], 0.34)
    assert [p.answer for p in result.parts] == ["教化乡民", "管理户籍", "维护治安"]
    # 「统一为」 opens no item: its 一为 is inside a word, not at a clause's start
    merged = ("联盟", "该联盟由两个城邦领导，一个是雅典，后来两国统一为一个国家。", "")
    result = extract_answer("该联盟由哪两个城邦领导？", "雅典", [merged], 0.34)
    assert [p.answer for p in result.parts] == ["雅典"]


def test_a_count_answered_for_which_ones_gets_its_items_set_off_by_commas() -> None:
    campus = (
        "校区",
        "学校的校区分为三种，分别是主校区（本部），分校区（东区），实习基地（郊区）。另有宿舍。",
        "",
    )
    result = extract_answer("学校的校区有哪几种？", "三种", [campus], 0.34)
    assert [p.answer for p in result.parts] == ["主校区（本部），分校区（东区），实习基地（郊区）"]
    # the text gives fewer items than its count: the count stays
    short = ("校区", "学校的校区分为三种，分别是主校区，分校区。", "")
    result = extract_answer("学校的校区有哪几种？", "三种", [short], 0.34)
    assert [p.answer for p in result.parts] == ["三种"]


def test_a_features_question_gets_every_feature_its_clause_gives() -> None:
    plant = (
        "山茶",
        "山茶为常绿灌木。叶片卵形，边缘有锯齿；花瓣5枚，白色，长约1厘米，顶端圆钝。",
        "",
    )
    result = extract_answer("山茶的花瓣有什么特点？", "白色", [plant], 0.34)
    assert [p.answer for p in result.parts] == ["花瓣5枚，白色，长约1厘米，顶端圆钝"]
    # to the clause's end, not into the next thing's features
    result = extract_answer("山茶的叶片有什么特点？", "卵形", [plant], 0.34)
    assert [p.answer for p in result.parts] == ["叶片卵形，边缘有锯齿"]
    # a clause that points back at the thing (本鱼) instead of naming it
    fish = ("青鱼", "青鱼是淡水鱼。本鱼体长约30厘米，背部青灰色，腹部银白。", "")
    result = extract_answer("青鱼的外形是怎样的？", "背部青灰色", [fish], 0.34)
    assert [p.answer for p in result.parts] == ["本鱼体长约30厘米，背部青灰色，腹部银白"]
    # a clause that neither names the thing nor points back is about something else
    fruit = ("山茶", "山茶为常绿灌木。果实球形，直径约2厘米，成熟时红色。", "")
    result = extract_answer("山茶的花瓣有什么特点？", "红色", [fruit], 0.34)
    assert [p.answer for p in result.parts] == ["红色"]
    # a question about how something was made is no features question
    church = ("教堂", "这座教堂建于1650年，外观以巴洛克方式设计，内部简朴。", "")
    result = extract_answer("这座教堂的外观是怎么设计的？", "巴洛克方式", [church], 0.34)
    assert [p.answer for p in result.parts] == ["巴洛克方式"]


def test_a_measured_thing_is_named_by_two_characters_of_the_question_at_least() -> None:
    text = "新区建成32座冷库、1800平方米检测楼及5200平方米加工车间。"
    span = text.index("5200"), text.index("加工")
    assert text[slice(*measured("加工车间的面积是多少？", text, *span))] == "5200平方米"
    assert text[slice(*measured("检测楼的面积是多少？", text, *span))] == "1800平方米"
    # 楼 alone (one character shared with 检测楼) names no thing
    assert text[slice(*measured("那座楼的面积是多少？", text, *span))] == "5200平方米"
    # two things named as much: a tie, nothing is moved
    assert text[slice(*measured("检测车间的面积是多少？", text, *span))] == "5200平方米"
    # only figures in the span's unit are candidates (32座 counts cold stores)
    assert text[slice(*measured("冷库的面积是多少平方米？", text, *span))] == "5200平方米"
    # only a figure with its unit is moved: a bare number stays
    bare = text.index("5200"), text.index("5200") + 4
    assert measured("检测楼的面积是多少？", text, *bare) == bare


def test_whose_relative_someone_is_is_the_person_written_before_the_relation() -> None:
    queen = "明圣王后金氏，清风府院君之长女，第18代君主显宗的王妃，第19代君主肃宗的母亲。"
    assert whose("明圣王后是谁的母亲？", [queen]) == "第19代君主肃宗"
    assert whose("明圣王后是哪位君主的王妃？", [queen]) == "第18代君主显宗"
    # 之 and the one-character form, the earliest in the passage
    daughter = "王法慧，晋陵郡太守王蕴之女。后来朝廷走访王蕴的女儿王法慧。"
    assert whose("王法慧是谁的女儿？", [daughter]) == "晋陵郡太守王蕴"
    # 「X的母亲」 names X's mother: the other way round
    assert whose("明圣王后是谁的母亲？", ["明圣王后的母亲宋氏出身名门。"]) == ""
    # a passage that does not name the subject, a relation not asked about
    assert whose("明圣王后是谁的母亲？", ["高英是北魏宣武帝的皇后，元诩的母亲。"]) == ""
    assert whose("成公英是谁的将领？", ["成公英归降，而成为曹魏的将领。"]) == ""
