"""How far an answer span reaches, from what the question asks for.

The model reads a window of each passage and copies a span; the checks read the whole
passage. These kinds of question want more than the span a small model copies:

- a question that asks for several things (「分布在哪些地区？」) wants the whole list the
  span is part of: 「越南、老挝、…、广东等地」, not its first items (nor the items that fitted
  in the window the model read; both items of 「A及B」), and of a sentence's labelled
  lists (「…等30强企业，…等20佳企业」) the one whose label it names; where the text gives the
  items one by one (「一个是嫡传可汗，一个是那海」, 「一是…；二是…」), each of them;
- a who-question (「是谁主演的？」) wants every name of the list the text gives as the doers
  of its verb (「由潘志文、张玛莉、林嘉华等领衔主演」);
- a question that counts (「分为几类？」) wants the count as the text writes it, with its
  classifier: 「两类」, not 「2」 (in the passage that writes the number, where one does);
- a question that asks what a term is (「什么是小鸟球？」) wants the passage's definition of
  it, where the model repeats the term or copies a piece of the definition (with none, what
  the sentence that opens with the term says of it, when the model only repeated it);
- a why-question (「伊丽莎白港机场为什么又叫十分钟机场？」) wants the reason the passage
  gives (「因为…的时间是少于十分钟」), where the model copies what happened;
- a question about a short name (「南宁二中是什么的简称？」) wants the name the passage
  shortens (「广西壮族自治区南宁市第二中学」), where the model repeats the short one;
- a question about a time wants the words that bound it: 「1990年代以后」, not 「1990年代」;
- a yes-or-no question (「丙烯颜料溶于汽油吗？」) answered 「是」 wants the passage's words that
  say so (「溶于汽油」): a bare 是 is found in any text and proves nothing;
- a question about what something does (「短叶水蜈蚣主治哪些问题？」) wants what the passage
  writes after that verb (「主治感冒发热、疟疾、…等症」), where the model copies from a
  sentence that does not say it (the plant's other names, or a passage about another one);
- a where-question wants the place whole: 「黑龙江省哈尔滨市红军街50号」, not 「哈尔滨市」;
- a question about what something is like (「夜来香的副花冠有什么特点？」) wants every feature
  its clause gives (「副花冠5裂，肉质，短于花药，…」), not the one the model copied (「肉质」);
- a question that asks 什么 of a noun wants it where the text writes it after the span:
  「BOT模式」 for 「以什么模式移交？」, not 「BOT」;
- a question about what happened in a year (「在1982年，兰比尔发生了什么事情？」) wants the
  text's own stretch from that year, where the model rewords it; one about the post held at
  a time (「1969年9月至1970年4月，…担任什么职务？」) the post of the line that opens with it;
- a question about a person's title (「胡润是什么身份？」) wants the title written right
  before the name (「胡润百富董事长兼首席调研官」), where the model copies an institute;
- a question about a share (「…占整个南疆地区进出口贸易的比重有多大？」) whose figure no
  passage holds wants the share written after the same 「占…的」 (「七成以上」).
- a question about whose relative someone is (「明圣王后是谁的母亲？」) wants the person the
  passage writes before 的母亲 (「第19代君主肃宗」), where the model gives her own mother;
- a question about a figure of one thing of several a clause measures in the same unit
  (「…酒厂面积是多少平方米？」 of 「2500平方米研发展示中心及6300平方米酒厂」) wants the figure
  written before the thing it names, where the model copies its neighbour's.

Every shape is cut from the passage text, so the answer stays verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.components.chinese_tokens import is_noun, is_word, place_words, search_tokens
from rag.services.evidence import (
    clause_bounds,
    find_all,
    longest_common_run,
    normalise,
    positional_numeral,
    sentence_bounds,
    unit_of,
    with_unit,
)
from rag.services.passage_window import bigrams, rarity

# Questions whose answer is the whole list where the text gives one: those that ask for
# several things, a plant's or a person's other names, and where something is or comes from
# (「原产地在哪里？」: 「中国海南岛、越南、…及美洲等」; 「哪个国家」 asks for one).
_ASKS_SEVERAL = re.compile(
    r"哪些|哪几|有什么|包括什么|包含什么|有何|别名|别称|又称|又名|亦称|俗称|又被称|也称|又叫|也叫|"
    r"哪里|哪儿|何处|何地|在哪|哪[两二三四五六七八九十]"
)
# Where one item of a list ends and the next begins; a list ends at a clause mark.
_ITEM_MARK = "、"
_LIST_END = "，,；;。！？!?：:\n"
_SENTENCE_END = "。！？!?\n"
_OPEN, _CLOSE = "（(「『《“[【", "）)」』》”]】"
# The end of a list's last item: 「等」「等人」「等地」.
_CLOSES_LIST = re.compile(r"(?<![平同相高中初均对头一二三特上下何])等[人地国处省市县]?")
# A list of titles or quotes that modifies the noun after it: 「…《列王纪下》的作者」.
_OWNED = re.compile(r"[》」』”]的[\u4e00-\u9fff]{1,4}$")
# A list of two: the item after 及/和/与 (no longer than the first, or it is a clause).
_AND_ONE_MORE = re.compile(r"[」』”》）)]?\s*(?:以及|及|和|与|或)")
# After a list's head, the list it introduces: 「东亚地区，包括日本、朝鲜…」.
_INTRODUCES = re.compile(r"[，,]?\s*(?:包括|例如|比如|譬如|如(?![果何今此同])|即|其中有)[:：]?")
# 「何时」「什么时候」: a question about a time, and the words a text bounds a time with
# (「1990年代以后」, 「十九世纪以来」, 「约公元700年」).
_WHEN = re.compile(r"何时|什么时候|什么时间|哪一年|哪年|何年|哪个年代|哪个朝代")
_TIME_AFTER = re.compile(r"以来|以后|之后|以前|之前|左右|前后|年间|起(?![来草义])|初|末|底")
_TIME_BEFORE = re.compile(r"(?:约|大约|近)$")
# 「几类」「多少种」: a count and the classifier it is asked with.
# The classifiers a count is asked and written with (「几处」「2股」).
_CLASSIFIERS = (
    "个种类次位名项条座所部届只头件张本家款支队批级层代间处股块片枚颗株匹艘架篇门幅栋轮套"
)
_COUNT = re.compile(rf"(?:几|多少)([{_CLASSIFIERS}])")
_NUMBER = re.compile(r"^(?:\d+|[一二两三四五六七八九十百千]+)$")
# 「什么是X？」「何谓X」「X是什么意思」「X指的是什么」: a question about what a term is.
_DEFINITION = (
    re.compile(r"^(?:请问)?(?:什么是|什么叫|何谓|何为)(.+?)[？?。]?$"),
    re.compile(r"^(?:请问)?(.+?)(?:是什么意思|指的是什么|是指什么|指什么|的定义是什么)[？?。]?$"),
)
# How a text defines a term after it: 「…，称为小鸟球」「…，史称「牛车水事件」」.
_NAMED_AFTER = r"[，,]?\s*(?:被称为|称为|称作|叫做|叫作|史称|简称|统称|合称|俗称)[「“『]?"
_MIN_DEFINITION = 6
# 「X是什么的简称？」「X的全称是什么？」: the full name of a short one.
_ASKS_FULL_NAME = (
    re.compile(r"^(?:请问)?(.+?)是(?:什么|哪个|哪一个|哪[所家个]\S{0,6}?)的(?:简称|缩写|略称)"),
    re.compile(r"^(?:请问)?(.+?)的(?:全称|全名)"),
)
# 「为什么…？」「为何…」: a question that asks for a reason (not 「称为什么」「成为什么」,
# which ask for a name), the words that give one and those that follow from one.
_REASON = re.compile(
    r"(?<![称名算作成视改译列选封叫换之誉聘编])为什么|为何|什么原因|原因是什么|缘何|因何"
)
_BECAUSE = re.compile(r"由于|因为|得益于|受益于|归因于|(?<![原基])因(?![此而素])")
_SO = re.compile(r"^(?:因此|所以|因而|故而|于是|从而)")
# 「…吗？」「是否…」: a question answered yes or no, and the replies that say only that.
_YES_NO = re.compile(
    r"吗[？?。]?$|是否|是不是|能否|可否|有没有|会不会|能不能|可不可以"
    r"|([\u4e00-\u9fff])不\1"  # 「需不需要」「用不用」: a verb, 不, the verb again
)
_YES_NO_REPLY = re.compile(r"^(?:是的?|否|不是|对|不对|会|不会|能|不能|可以|不可以|有|没有|不)$")


def asks_several(question: str) -> bool:
    return bool(_ASKS_SEVERAL.search(question))


def _item_end(text: str, at: int) -> int:
    """Where the list item that `at` is inside ends: at the next item or clause mark
    outside brackets (「拍凤裕庭路（Phahonyothin Road）」 is one item), or the sentence's end."""
    depth = 0
    while at < len(text):
        ch = text[at]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch in _SENTENCE_END or (depth == 0 and (ch == _ITEM_MARK or ch in _LIST_END)):
            return at  # a bracket left open does not carry the item past its sentence
        at += 1
    return at


def list_end(text: str, start: int, end: int) -> int:
    """The end of the list that the span [start, end) opens or is part of: each further
    「、item」 and the last item (「…澳洲及美洲等」), up to the clause mark that ends the
    list. `end` itself when the span is in no list. A list the span's head introduces
    (「东亚地区，包括日本、…等地」) is taken too."""
    stop = _item_end(text, max(start, end - 1)) if end > start else end
    in_list = _ITEM_MARK in text[start:end]  # the model's list may stop inside its last item
    last = text.rfind(_ITEM_MARK, start, end) + 1
    while stop < len(text) and text[stop] == _ITEM_MARK:
        in_list = True
        last = stop + 1
        stop = _item_end(text, last)
    if in_list:
        # 「…杨祐宁等人开始了模特儿的工作」: the list ends with its 等.
        closing = _CLOSES_LIST.search(text, last, stop)
        if closing:
            return max(end, closing.end())
        # 「《耶利米书》、…及《列王纪下》的作者」: the list is what 的 makes a modifier of
        owner = _OWNED.search(text, last, stop)
        return max(end, owner.start() + 1) if owner else stop
    second = _AND_ONE_MORE.match(text, end)
    if second and 0 < stop - second.end() <= 1.5 * (end - start):
        # 「「旅游业务管理文凭课程」及「款待与旅游管理文凭课程」」: two items, no 、
        return stop
    introduced = _INTRODUCES.match(text, stop)
    if introduced and stop - end <= 1:
        first = _item_end(text, introduced.end())
        if first < len(text) and text[first] == _ITEM_MARK:
            return list_end(text, introduced.end(), first)
    return end


# The verb a question asks about, right before its 哪些/什么 (「主治哪些问题」): not a
# copula or a helper (是什么, 有哪些, 叫什么, 能做什么).
_PREDICATE = re.compile(r"([\u4e00-\u9fff]{2})(?:哪些|什么|何种|哪种)")
_NOT_PREDICATE = set("是有的了在为和与及能可会要叫称做些么被把对")
_CLAUSE_END = "，,；;。！？!?\n"


# 「短叶水蜈蚣有哪些功能？」: the noun asked for after 有哪些/有什么, which a text writes right
# before what it gives (「功能发汗退热、消肿解毒」).
_HAS_WHAT = re.compile(r"有(?:哪些|什么)([\u4e00-\u9fff]{2})[？?。]?$")


def asked_verb(question: str) -> str:
    """The verb before the question word; not the words a question opens with (「学校什么
    时候…」: its subject) and not in a when-question (a time is found by other rules). For
    「有哪些功能？」 the noun after it."""
    if asks_when(question):
        return ""
    found = _PREDICATE.search(question)
    if found and found.start() > 0 and not set(found.group(1)) & _NOT_PREDICATE:
        return found.group(1)
    noun = _HAS_WHAT.search(question)
    return noun.group(1) if noun else ""


def verb_objects(
    question: str, texts: list[str], passage: int, start: int, end: int
) -> list[tuple[int, int, int]]:
    """Where the span [start, end) of `texts[passage]` stands in a sentence that does not
    write the verb the question asks about: what the sentences that do write after it, to
    the end of the clause (「感冒发热、疟疾、…等症」 after 「主治」), as (passage, start, end),
    the span's own passage first. Empty where the span's own sentence says it."""
    verb = asked_verb(question)
    if not verb:
        return []
    begin, stop = sentence_bounds(texts[passage], start, end)
    if verb in texts[passage][begin:stop]:
        return []
    found: list[tuple[int, int, int]] = []
    order = [passage, *(i for i in range(len(texts)) if i != passage)]
    for index in order:
        text = texts[index]
        for hit in re.finditer(re.escape(verb), text):
            after = close = hit.end()
            while close < len(text) and text[close] not in _CLAUSE_END:
                close += 1
            if close - after >= 2 and text[after].isalnum():
                found.append((index, after, close))
    return found


_WHERE = re.compile(r"哪里|哪儿|何处|何地|在哪|什么地方|出生地|籍贯")
# An address's street part after a place: 「红军街50号」, 「中山路1号」
# (「…广陵区的一条东西向街道」 names no street: no 的 inside one)
_STREET = re.compile(r"(?:(?!的)[\u4e00-\u9fff]){1,6}(?:路|街|大道|巷|胡同)(?:\d+号)?")
_PLACE_SUFFIX = "省市县区州"
# 「河南郡洛阳县（今中国河南省洛阳市东）」: an old place's modern name, in brackets.
_MODERN_NAME = re.compile(r"[（(]今[^（()）]{2,20}[)）]")


def asks_where(question: str) -> bool:
    return bool(_WHERE.search(question))


def place_extent(text: str, start: int, end: int) -> tuple[int, int]:
    """A place with the places that contain it written right before it (also with 的:
    「加利福尼亚州的旧金山」), the suffix of a name the span cut (「扬州」 of 「扬州市」), the
    places inside it and the street after it, and a modern name given in brackets:
    「黑龙江省哈尔滨市红军街50号」, not 「哈尔滨市」; 「江苏省扬州市广陵区」, not 「江苏省扬州」;
    「迪吉脑儿（今辽宁省昌图县）」 (a place, whatever the tagger knows of it). Otherwise the span
    itself when it is not a place name (jieba's ns, or a word ending in 省/市/县/州)."""
    begin, stop = sentence_bounds(text, start, end)
    if place_words(text[start:end]):
        start = _outer_places(text, begin, start)
        end = _inner_places(text, start, end, stop)
        street = _STREET.match(text, end, stop)
        end = street.end() if street else end
    modern = _MODERN_NAME.match(text, end, stop)
    return start, modern.end() if modern else end


def _outer_places(text: str, begin: int, start: int) -> int:
    """Where the places that contain the one at `start` begin (not before `begin`)."""
    head = text[begin:start]
    while True:
        before = place_words(head[-7:])
        outer = next((p for p in before if head.endswith(p) or head.endswith(p + "的")), "")
        if not outer:
            return start
        taken = len(outer) + head.endswith("的")
        head = head[:-taken]
        start -= taken


def _inner_places(text: str, start: int, end: int, stop: int) -> int:
    """Where the place [start, end) ends with the suffix it cut and the places after it."""
    if end < stop and text[end] in _PLACE_SUFFIX:
        # 「扬州」 of 「扬州市广陵区」 (the tagger, shown the next character too, reads 扬州市),
        # not of 「扬州市场」
        named = place_words(text[start : end + 2])
        end += any(text.startswith(p, end + 1 - len(p)) for p in named)
    while True:
        inner = next((p for p in place_words(text[end : end + 8]) if text.startswith(p, end)), "")
        if not inner:
            return end
        end += len(inner)


_FEATURES = re.compile(r"外形|外观|形态|特点|特征|特色|样子")
_FEATURES_ASKED = re.compile(
    rf"(?:{_FEATURES.pattern})(?:是|为)?(?:什么|怎样|怎么样|如何|哪些)?的?[？?]?$"
)
# What a features question says before its features word: 「夜来香的副花冠有什么」.
_FEATURES_ASK = re.compile(r"(?:的|有|是|什么|哪些|何|主要|最)+$")
# A clause that opens by pointing back at the thing: 「该快餐厅之…」, 「本鱼头部…」, 「其叶柄…」.
_POINTS_BACK = re.compile(r"[该本其此它牠他她]")


def asks_features(question: str) -> bool:
    """「…有什么特点？」, 「…的外形是怎样的？」: the features are what is asked (not in
    「外观是怎么设计的？」, which asks how)."""
    return bool(_FEATURES_ASKED.search(question.strip()))


def featured(question: str) -> str:
    """The thing whose features a question asks for: 「副花冠」 of 「夜来香的副花冠有什么特点？」
    (after its last 的), 「冰雪皇后冰淇淋」 of 「冰雪皇后冰淇淋有什么特点？」."""
    found = _FEATURES.search(question)
    before = _FEATURES_ASK.sub("", question[: found.start()]) if found else ""
    return before.split("的")[-1].strip(' “”"「」《》')


def feature_extent(question: str, text: str, start: int, end: int) -> tuple[int, int]:
    """Every feature the clause of [start, end) gives the thing the question asks about:
    from where the clause names it to the clause's end (「副花冠5裂，肉质，短于花药，著生于
    合蕊冠上，顶端渐尖」 for 「肉质」), or the whole clause when it opens by pointing back at
    it (「该快餐厅之冰淇林类产品标榜…」). Unchanged when the clause names neither, which is
    then about something else."""
    left, right = clause_bounds(text, start, end)
    thing = featured(question)
    named = text.rfind(thing, left, end) if len(thing) >= 2 else -1
    if named >= 0:
        left = min(named, start)
    elif not _POINTS_BACK.match(text, left):
        return start, end
    while right > max(left, end) and text[right - 1] in "。！？!?；;，,":
        right -= 1
    return left, max(right, end)


# 「…新能源汽车、锂离子电池、太阳能电池产量分别占全国的9.2%、15.3%和36.2%」: items before
# 分别 (group 1) and the figures after it (group 2), one for each in the same order.
_RESPECTIVELY = re.compile(
    r"([^，,；;。]+)分别[^，,；;。\d]{0,12}?"
    r"((?:\d+(?:\.\d+)?[%‰]?[^\d、和及与，,；;。]{0,4}[、和及与])+\d+(?:\.\d+)?[%‰]?)"
)
_FIGURE_IN_LIST = re.compile(r"\d+(?:\.\d+)?[%‰]?")
_ITEM_SEP = re.compile(r"[、和及与]")
_MIN_SHARED = 3  # characters an item shares with the question (not just 产量 or 电池)


def respective(question: str, text: str, start: int, end: int) -> tuple[int, int]:
    """The figure a 「分别」 sentence gives the item the question names: 「15.3%」, not the
    model's 「36.2%」, for 「…锂离子电池产量占全国的比重是多少？」 of 「新能源汽车、锂离子电池、
    太阳能电池产量分别占全国的9.2%、15.3%和36.2%」. Only where the span is one of those
    figures, the items and figures are as many, and one item shares more of the question
    than any other; else [start, end) as it is."""
    left, right = sentence_bounds(text, start, end)
    for m in _RESPECTIVELY.finditer(text, left, right):
        figures = list(_FIGURE_IN_LIST.finditer(text, m.start(2), m.end(2)))
        if not any(f.start() <= start < f.end() for f in figures):
            continue
        items = [i for i in _ITEM_SEP.split(m.group(1)) if i]
        if len(items) != len(figures):
            return start, end
        # the first item carries the sentence's place (「江苏省新能源汽车」), which any
        # question about the sentence names too
        items[0] = items[0][sum(len(p) for p in _leading_places(items[0])) :]
        named = _named_most(items, question, _MIN_SHARED)
        if named is None:
            return start, end
        chosen = figures[named]
        return chosen.start(), chosen.end()
    return start, end


# 「2500平方米研发展示中心及6300平方米酒厂」: a figure (its unit read by `with_unit`) and the
# thing it measures, written right after it up to the next item or clause mark.
_NUMBER_AT = re.compile(r"\d[\d,]*(?:\.\d+)?")
_MEASURED_THING = re.compile(r"[\u4e00-\u9fff]{2,10}?(?=以及|及|和|与|、|，|,|；|;|。|$)")
_MIN_THING_SHARED = 2  # 酒厂: a thing's name is often two characters


def measured(question: str, text: str, start: int, end: int) -> tuple[int, int]:
    """The figure of a clause that measures the thing the question names: 「6300平方米」, not
    the model's 「2500平方米」, for 「…建成的酒厂面积是多少平方米？」 of 「建成47座温室大棚、
    2500平方米研发展示中心及6300平方米酒厂」. Only where the span is one figure with its unit
    followed by the thing it measures, another figure in the same unit measures another thing
    in the clause, and one thing shares more of the question (≥ 2 characters) than any
    other; else [start, end) as it is."""
    unit = unit_of(text[start:end])
    left, right = clause_bounds(text, start, end)
    things: list[tuple[int, int, str]] = []
    for m in _NUMBER_AT.finditer(text, left, right):
        stop = with_unit(text, m.start(), m.end())
        thing = _MEASURED_THING.match(text[:right], stop)
        if stop > m.end() and unit_of(text[m.start() : stop]) == unit and thing:
            things.append((m.start(), stop, thing.group(0)))
    if len(things) < 2 or not any(t[:2] == (start, end) for t in things):
        return start, end
    named = _named_most([thing for _, _, thing in things], question, _MIN_THING_SHARED)
    if named is None:
        return start, end
    chosen = things[named]
    return chosen[0], chosen[1]


def _named_most(items: list[str], question: str, minimum: int) -> int | None:
    """The index of the one item that shares the longest run with the question, at least
    `minimum` characters; None when none does or two share as much."""
    shared = [longest_common_run(item, question)[2] for item in items]
    best = max(shared)
    if best < minimum or shared.count(best) > 1:
        return None
    return shared.index(best)


def _leading_places(text: str) -> list[str]:
    places: list[str] = []
    for place in place_words(text[:8]):
        if text.startswith("".join(places) + place):
            places.append(place)
    return places


# 「以什么模式移交」「什么类型的医院」: the noun the question asks 什么/哪种 of.
_ASKED_OF = re.compile(r"(?:(?<!为)什么|哪种|哪一种|何种|哪类|哪一类)([\u4e00-\u9fff的]{1,8})")
_NOT_HEAD = set("是有的了在为和与及能可会要叫称做被把对时地")  # 什么是, 什么时候: no noun
_HEAD_MAX = 3  # characters of the longest noun tried


def asked_head(question: str) -> list[str]:
    """The nouns the question's 什么 asks for: 「模式」 of 「以什么模式移交」 (the longest
    word of jieba's dictionary that opens what follows it), 「医院」 of 「什么类型的医院」
    (after 的)."""
    heads: list[str] = []
    for m in _ASKED_OF.finditer(question):
        for piece in (m.group(1).split("的")[0], m.group(1).split("的")[-1]):
            heads += [piece[:n] for n in range(min(_HEAD_MAX, len(piece)), 1, -1)]
    return list(dict.fromkeys(h for h in heads if h[0] not in _NOT_HEAD and is_word(h)))


def head_extent(question: str, text: str, start: int, end: int) -> tuple[int, int]:
    """The span with the noun the question asks for when the text writes it right after:
    「BOT」 → 「BOT模式」 for 「以什么模式移交…？」, 「三级甲等」 → 「三级甲等医院」."""
    head = next((h for h in asked_head(question) if text.startswith(h, end)), "")
    return start, end + len(head)


def asks_when(question: str) -> bool:
    return bool(_WHEN.search(question))


def time_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """A time span [start, end) with the words that bound it in the text: 「1990年代」 of
    「1990年代以后」 is 「1990年代以后」, 「公元700年」 of 「约公元700年」 is 「约公元700年」
    (without them the time is another one)."""
    after = _TIME_AFTER.match(text, end)
    before = _TIME_BEFORE.search(text[max(0, start - 2) : start])
    return (start - len(before.group(0)) if before else start, after.end() if after else end)


def labelled_list(question: str, text: str, start: int, end: int) -> tuple[int, int]:
    """The list [start, end) the question asks for, where its sentence holds several lists
    each closed by 「等」 and a label (「…、珠江钢琴等30强企业，…、黄埔文商旅等“20佳”企业」):
    the list whose label shares most with the question, when that is clearly more than the
    chosen list's label shares; else [start, end) itself."""
    begin, stop = sentence_bounds(text, start, end)
    asked = bigrams(question)

    def share(label: str) -> float:
        grams = bigrams(label)
        return len(grams & asked) / len(grams) if grams else 0.0

    lists: list[tuple[float, int, int]] = []
    for closing in _CLOSES_LIST.finditer(text, begin, stop):
        head = max(text.rfind(mark, begin, closing.start()) for mark in _LIST_END) + 1
        head = max(head, begin)
        if _ITEM_MARK not in text[head : closing.start()]:
            continue
        label_end = min(
            (i for i in (text.find(m, closing.end(), stop) for m in _LIST_END) if i >= 0),
            default=stop,
        )
        lists.append((share(text[closing.end() : label_end]), head, closing.end()))
    mine = next((score for score, a, b in lists if a <= start < b), None)
    if mine is None or not lists:
        return start, end
    best, a, b = max(lists)
    return (a, b) if best >= 0.5 and best >= 2 * mine and (a, b) != (start, end) else (start, end)


def _count_forms(number: str) -> list[str]:
    if not number.isdigit():
        return [number]
    value = int(number)
    forms = [number]
    if value < 10000:
        forms.append(positional_numeral(value))
    if value == 2:
        forms.append("两")
    return forms


def as_count(span: str, question: str, texts: list[str]) -> str:
    """「分为几类？」 answered 「2」: the count as the passages write it with the question's
    classifier (「两类」); answered with the things counted (「有限期医院令及无限期医院令」):
    the one count their sentence states before them. The span itself when no passage
    writes it so."""
    asked = _COUNT.search(question)
    if not asked:
        return span
    classifier = asked.group(1)
    if not _NUMBER.match(span):
        return _count_before(span, classifier, texts) if not re.search(r"\d", span) else span
    # Where a passage writes the number itself (「育有3名子女」), the count is looked for
    # there: 「三个」 in another passage counts something else.
    holding = [text for text in texts if find_all(span, text)] or texts
    for form in _count_forms(span):
        counted = f"{form}{classifier}"
        if any(find_all(counted, text) for text in holding):
            return counted
        if classifier == "个":
            # 「几个孩子？」 of 「育有3名子女」: 个 asks for any count; the text's own classifier
            # (not the 三个 of 「减刑三个月」 elsewhere in the passage)
            written = re.compile(rf"(?<![\d.]){re.escape(form)}[{_CLASSIFIERS}]")
            own = next((m.group(0) for t in holding if (m := written.search(t))), "")
            if own:
                return own
    # 「36」 copied from 「分成两类：36枚…；与64枚…」: the number counts something else; the
    # count its sentence states with the classifier, when it states one.
    counts = _counts(classifier)
    for text in texts:
        for start, end in find_all(span, text):
            if text[end : end + 1].isdigit() or text[start - 1 : start].isdigit():
                continue
            found = set(counts.findall(text[slice(*sentence_bounds(text, start, end))]))
            if len(found) == 1:
                return found.pop()
    return span


def _counts(classifier: str) -> re.Pattern[str]:
    """A count written with `classifier`: 「两类」, 「3名」."""
    return re.compile(rf"(?:\d+|[一二两三四五六七八九十百]+){classifier}")


def _count_before(span: str, classifier: str, texts: list[str]) -> str:
    """The one count with `classifier` that the sentence holding `span` states before it
    (「主要分为两类：有限期医院令及无限期医院令」 → 「两类」), else `span`."""
    counts = _counts(classifier)
    for text in texts:
        for start, _ in find_all(span, text):
            first = sentence_bounds(text, start, start)[0]
            found = set(counts.findall(text[first:start]))
            if len(found) == 1:
                return found.pop()
    return span


# A count answered where the things counted were asked for (「有哪几座？」 → 「4间」), and
# what introduces the things after it: 「有4间高水平实验室，包括物理…实验室、…」.
_A_COUNT = re.compile(rf"^(?:\d+|[一二两三四五六七八九十百]+)[{_CLASSIFIERS}]$")
_ASKS_WHICH = re.compile(r"哪些|哪几|哪[两二三四五六七八九十]")
_NAMES_THEM = re.compile(r"包括|包含|分别是|分别为|分别有|即|[:：]")


def counted_list(question: str, text: str, start: int, end: int) -> tuple[int, int]:
    """「凤岭校区的高水平实验室有哪几座？」 answered with the count 「4间」: the list the count's
    sentence gives after it (「包括物理探究性实验室、…」, from its first to its last item);
    (start, end) when the question asks no 哪些/哪几, the span is no count or no list
    follows."""
    if not _ASKS_WHICH.search(question) or not _A_COUNT.match(text[start:end]):
        return start, end
    sentence_end = sentence_bounds(text, start, end)[1]
    marker = _NAMES_THEM.search(text, end, sentence_end)
    if not marker or marker.start() - end > 20:
        return start, end
    first = _item_end(text, marker.end())
    if first < sentence_end and text[first] == _ITEM_MARK:
        return marker.end(), list_end(text, marker.end(), first)
    count = _small_count(text[start : end - 1])
    if marker.group().startswith("分别") and count:
        # 「分为三种，分别是百老汇音乐剧（Broadway），外百老汇音乐剧（…），…」: one item per
        # clause, as many as the count says, all inside the sentence
        stop = marker.end() - 1
        for n in range(count):
            if n and (stop >= len(text) or text[stop] in _SENTENCE_END):
                return start, end  # fewer items than the count
            stop = _item_end(text, stop + 1)
        return marker.end(), stop
    return start, end


def _small_count(number: str) -> int:
    """「三」 → 3, 「两」 → 2, 「4」 → 4 (as `_count_forms` writes them); 0 outside 2..10."""
    return next((n for n in range(2, 11) if number in _count_forms(str(n))), 0)


# 「…由两位可汗掌管，一个是嫡传可汗，一个是那海」: items the text gives one by one, each after
# its own 「一个是」「另一家名为」 (「一是…；二是…」) at the start of a clause (not 「统一为」).
_AFTER_MARK = r"(?<![^，,；;：:。、\s])"
_FIRST_OF = re.compile(
    _AFTER_MARK + r"(?:其一|一)[个家位种名条部所支路]?(?:是|为|名为|叫做|叫|称为)$"
)
_SEMICOLON = re.compile("[；;]")
_ORDINAL = re.compile(r"^(?:其)?[一二三四五六七八九十](?:是|为)$")  # 「一是…；二是…」: clauses
_NEXT_OF = re.compile(
    _AFTER_MARK
    + r"(?:另一|其[二三四五]|[一二三四五六七八九十])[个家位种名条部所支路]?(?:是|为|名为|叫做|叫|称为)"
)


def further_items(question: str, text: str, start: int, end: int) -> list[tuple[int, int]]:
    """「蓝帐汗国由哪两位可汗掌管？」 answered with the item after the first 「一个是」: the
    items after the next ones in the same sentence (「那海」), each a name to its clause's
    end; after 「一是」「二是」 each a clause, to its 「；」 or the next item. Empty when the
    question asks for one thing or the span follows no such words."""
    first = _FIRST_OF.search(text, max(0, start - 6), start)  # its lookbehind sees the text
    if not _ASKS_WHICH.search(question) or not first:
        return []
    ordinal = _ORDINAL.match(first.group())
    stop = sentence_bounds(text, start, end)[1]
    items: list[tuple[int, int]] = []
    at = end
    while (found := _NEXT_OF.search(text, at, stop)) is not None:
        if ordinal:
            ends = (
                _NEXT_OF.search(text, found.end(), stop),
                _SEMICOLON.search(text, found.end(), stop),
            )
            close = min((m.start() for m in ends if m), default=stop)
            while close > found.end() and text[close - 1] in _LIST_END:
                close -= 1
        else:
            close = _item_end(text, found.end())
        if close > found.end():
            items.append((found.end(), close))
        at = max(close, found.end())
    return items


# 「《鳄鱼泪》是谁主演的？」: who did what the question names (the two characters after 谁),
# where the text names a group as the doers: 「本剧由潘志文、张玛莉、林嘉华等领衔主演」.
_WHO_DID = re.compile(r"谁(?:来|最先|首先|最早)?([\u4e00-\u9fff]{2})")
_NOT_DEED = set("的是呢了吗")
_DEED_AFTER = 6  # characters from the list's end to the verb: 「等领衔主演」


def asks_who(question: str) -> bool:
    return "谁" in question


def doers(question: str, text: str, start: int, end: int) -> tuple[int, int]:
    """The span [start, end) widened to the list it opens, when that list is the subject
    of the verb the who-question asks about (the verb follows the list within a few
    characters, in the same clause); (start, end) otherwise: 「谁饰演…」 answered from
    「A饰演X、B饰演Y」 keeps A."""
    asked = _WHO_DID.search(question)
    if not asked or set(asked.group(1)) & _NOT_DEED:
        return start, end
    stop = list_end(text, start, end)
    after = text[stop : stop + _DEED_AFTER]
    verb = after.find(asked.group(1))
    if stop == end or verb < 0 or any(ch in _CLAUSE_END for ch in after[:verb]):
        return start, end
    return start, stop


def defined_term(question: str) -> str:
    """The term a question asks the meaning of (「小鸟球」 of 「什么是小鸟球？」), else ''."""
    for pattern in _DEFINITION:
        match = pattern.match(question.strip())
        if match:
            return match.group(1).strip(" 「」“”\"'")
    return ""


# 「翼尖小翼是什么？」: a bare term (no 的, no other question word) asked about as a whole.
_WHAT_IS = re.compile(r"^(?:请问)?([^的，,？?]{2,20}?)(?:是什么|是何物)[？?。]?$")


def asked_thing(question: str) -> str:
    """The term of 「X是什么？」 when X is a bare term (「翼尖小翼」), else ''. A weaker ask than
    `defined_term`: 「主导产业是什么」 asks for an answer the text need not define."""
    match = _WHAT_IS.match(question.strip())
    term = match.group(1).strip(" 「」“”\"'") if match else ""
    return "" if not term or re.search("什么|哪|谁|多少|几|何", term) else term


def lead(term: str, texts: list[str]) -> str:
    """What the sentence that opens with `term` says of it, verbatim (an encyclopaedia's
    first sentence: 「翼尖小翼（），又称作翼梢小翼…，通常用于提高…」 → from 又称作 on), when
    no passage defines it (`definition`); '' when no sentence opens with it."""
    if not term:
        return ""
    opening = re.compile(
        rf"(?:^|(?<=[{_SENTENCE_END}\n]))\s*{re.escape(term)}(?:[（(][^）)]*[）)])?[，,：:]?\s*"
        rf"([^{_SENTENCE_END}\n]+)"
    )
    for text in texts:
        for match in opening.finditer(text):
            words = match.group(1).strip(" ，,")
            if len(normalise(words)) >= _MIN_DEFINITION:
                return words
    return ""


def definition(term: str, texts: list[str]) -> str:
    """The words a passage defines `term` with, verbatim: what follows 「term是」 (「term（…），
    简称…，是指」 too), or the sentence before 「，称为term」; '' if no passage has one. A
    sentence that opens with the term (an encyclopaedia's first sentence) comes first, then
    是/指 before 即/为, then the earliest."""
    if not term:
        return ""
    escaped = re.escape(term)
    after = re.compile(
        rf"{escaped}(?:[（(][^）)]*[）)])?(?:[，,][^，,。；;！？!?\n]{{1,12}})?[，,]?\s*"
        rf"(是指|是(?!否)|指|即|(?<!称)为(?![了何]))([^。！？!?\n]+)"
    )
    before = re.compile(rf"([^。！？!?\n]+?){_NAMED_AFTER}{escaped}")
    found: list[tuple[tuple[int, int, int, int], str]] = []
    for number, text in enumerate(texts):
        for pattern in (after, before):
            for match in pattern.finditer(text):
                words = match.group(match.lastindex or 1).strip(' ，,：:“"')
                if len(normalise(words)) < _MIN_DEFINITION:
                    continue
                opens = match.start() == 0 or text[match.start() - 1] in _SENTENCE_END
                plain = pattern is before or match.group(1) in ("是指", "是", "指")
                found.append(((not opens, not plain, number, match.start()), words))
    return min(found)[1] if found else ""


def full_name(question: str, texts: list[str]) -> str:
    """「南宁二中是什么的简称？」「南宁二中的全称是什么？」: the name a passage shortens
    (「广西壮族自治区南宁市第二中学，简称南宁二中」, 「…自治州(下称“克州”)」), verbatim;
    '' when the question asks no such thing or no passage writes it."""
    short = next((m.group(1) for p in _ASKS_FULL_NAME if (m := p.match(question.strip()))), "")
    short = short.strip(" 「」“”\"'")
    if not short:
        return ""
    shortened = re.compile(
        rf"([^{_LIST_END}（(]{{2,40}}?)\s*[，,（(]\s*(?:以下)?(?:简称|缩写|略称|下称)[为作]?[:：]?"
        rf"\s*[「“『]?{re.escape(short)}"
    )
    for text in texts:
        match = shortened.search(text)
        name = match.group(1).strip(" 「」“”\"'") if match else ""
        if name and normalise(name) != normalise(short):
            return name
    return ""


# 「克州进出口贸易占整个南疆地区进出口贸易的比重有多大？」: what the share is of, and a
# share as a text writes it after 「占…的」 (七成以上, 近6%, 一半).
_SHARE_OF = re.compile(r"占(.{2,30}?)的?(?:比重|比例|份额|比率|百分比)")
_SHARE = (
    r"(?:近|约|超过|逾|接近)?(?:\d+(?:\.\d+)?\s*[%％]|[一二三四五六七八九两]成(?:以上|左右|多)?"
    r"|一半以上|一半|半数以上|半数|[二三四五六七八九十]分之[一二三四五六七八九])"
)


def share_of(question: str, texts: list[str]) -> str:
    """The share a passage writes for what the question asks it of: 「七成以上」 of 「…占整个
    南疆地区进出口贸易的七成以上」 for 「…占整个南疆地区进出口贸易的比重有多大？」 (the model
    writes a precise 70.3% that no passage holds); '' when no passage writes one."""
    asked = _SHARE_OF.search(question)
    if not asked:
        return ""
    whole = re.compile(rf"占{re.escape(asked.group(1))}的?\s*({_SHARE})")
    for text in texts:
        match = whole.search(text)
        if match:
            return match.group(1)
    return ""


# 「胡润是什么身份？」: the title a text writes before a person's name (胡润百富董事长兼首席
# 调研官胡润), which ends in a word for a post.
_ASKS_TITLE = re.compile(r"(?:什么|何种|哪种)(?:身份|职务|职位|头衔|官职|职称)")
_TITLE_END = re.compile(
    r"(?:长|官|员|书记|主任|主席|经理|总裁|总监|董事|教授|院士|专家|记者|代表|委员|顾问|"
    r"秘书|司令|主编|会长|理事|厂长|律师|医生|研究员|工程师|创始人|负责人)$"
)
_TITLE_START = "，,。；;：:、（）()「」“”\n 的由据和与及"


def asks_title(question: str) -> bool:
    return bool(_ASKS_TITLE.search(question))


def title_of(question: str, names: Sequence[str], texts: list[str]) -> str:
    """「X是什么身份/职务？」 of a person the question names: the title a passage writes right
    before the name (「胡润百富董事长兼首席调研官」 of 「…大会上，胡润百富董事长兼首席调研官胡润发布
    了这一榜单」), back to the mark or 的 before it; '' when the question asks no title or no
    passage writes one."""
    if not asks_title(question):
        return ""
    for name in sorted(names, key=len, reverse=True):
        for text in texts:
            for match in re.finditer(re.escape(name), text):
                start = match.start()
                while start > 0 and text[start - 1] not in _TITLE_START:
                    start -= 1
                title = text[start : match.start()].strip()
                if len(title) >= 2 and _TITLE_END.search(title):
                    return title
    return ""


# 「明圣王后是谁的母亲？」「高英是哪位皇帝的皇后？」: whose relative or consort the subject is;
# a text writes the other person before 的 and the relation (「肃宗的母亲」), or before 之 and
# its one-character form (「王蕴之女」).
_WHOSE = re.compile(
    r"^(?:请问)?(.{2,12}?)是(?:谁|哪位|哪一位|哪个)[\u4e00-\u9fff]{0,4}?的"
    r"(女儿|儿子|妻子|丈夫|母亲|父亲|皇后|王后|王妃|妃子|女婿|长子|次子|长女|次女|孙子|孙女)"
    r"[？?。]?$"
)
_RELATION_SHORT = {"女儿": "女", "儿子": "子", "妻子": "妻", "母亲": "母", "父亲": "父"}
_PERSON_START = "，,。；;：:、（）()「」“”\n "


def whose(question: str, texts: list[str]) -> str:
    """「X是谁的K？」 (K a relative or consort): the person that the first passage naming X
    writes before 的K, or 之 and K's one-character form, back to the mark before it
    (「第19代君主肃宗」 of 「…显宗的王妃，第19代君主肃宗的母亲」; 「晋陵郡太守王蕴」 of
    「…，晋陵郡太守王蕴之女」), the earliest in the passage, and never X itself (「X的母亲」
    names X's mother, the other way round); '' when the question is not of that form or no
    passage writes it."""
    asked = _WHOSE.match(question.strip())
    if not asked:
        return ""
    subject, relation = asked.groups()
    marks = [f"的{relation}"]
    if relation in _RELATION_SHORT:
        marks.append(f"之{_RELATION_SHORT[relation]}")
    pattern = re.compile("|".join(re.escape(m) for m in marks))
    for text in texts:
        if subject not in text:
            continue
        for hit in pattern.finditer(text):
            start = hit.start()
            while start > 0 and text[start - 1] not in _PERSON_START:
                start -= 1
            other = text[start : hit.start()].strip()
            if 2 <= len(other) <= 20 and subject not in other:
                return other
    return ""


def asks_yes_no(question: str) -> bool:
    return bool(_YES_NO.search(question.strip()))


def only_yes_no(span: str) -> bool:
    return bool(_YES_NO_REPLY.match(normalise(span)))


# Modal and auxiliary verbs: how a sentence may put them varies (能 → 得以, 会 → 将).
_MODALS = frozenset("能会要可该应需得想")


def _grams(text: str) -> set[str]:
    """Characters and character bigrams of `text` (letters, digits, Han)."""
    flat = [ch for ch in normalise(text) if ch.isalnum()]
    return set(flat) | {a + b for a, b in zip(flat, flat[1:], strict=False)}


def _best_sentence(
    asked_text: str, texts: list[str]
) -> tuple[list[str], int, dict[str, float], set[str]] | None:
    """The sentences of `texts` and the index of the one that holds most of `asked_text`
    (its characters and bigrams weighed by rarity among the sentences; at least half), with
    those weights and grams. None when no sentence holds half, or the passages lack one of
    its words (a word counts as written when half its characters are: 「不易褪色」 for 容易褪色)."""
    # A bigram across two words of the question that no passage writes (「成被」 of 「潘仕成被
    # 封为道员」) is glue, not something the passages could say: it only weighs the rest down.
    # A modal verb the passage puts otherwise (能 of 「金氏能影响朝政」, written 「金氏得以影响
    # 朝政」) says nothing the sentence must hold.
    flat = normalise("".join(texts))
    written = set(flat)
    words = [w for w in search_tokens(asked_text) if w not in _MODALS or w in written]
    asked = {
        g
        for g in _grams(asked_text)
        if (len(g) == 1 and (g not in _MODALS or g in written))
        or g in flat
        or any(g in w for w in words)
    }
    if not asked or any(2 * sum(ch in written for ch in word) < len(word) for word in words):
        return None
    sentences = [
        sentence.strip()
        for text in texts
        for sentence in re.split(f"(?<=[{_SENTENCE_END}])", text)
        if len(normalise(sentence)) >= 2
    ]
    if not sentences:
        return None
    seen = [_grams(sentence) for sentence in sentences]
    weight = rarity(asked, seen)
    total = sum(weight.values())
    scores = [sum(weight[g] for g in asked & s) for s in seen]
    best = max(range(len(sentences)), key=lambda i: scores[i])
    if total <= 0 or scores[best] < 0.5 * total:
        return None
    return sentences, best, weight, asked


def statement(question: str, texts: list[str]) -> str:
    """The words of `texts` that say what a yes-or-no question asks: of the sentence that
    holds most of it (at least half, see `_best_sentence`), the comma phrase that holds
    most. '' when there is no such sentence. 「丙烯颜料溶于汽油吗？」 → 「溶于汽油」;
    「2024年1至8月克州外贸进出口增速是否全疆第一？」 → 「增速全疆第一」."""
    plain = _YES_NO.sub("", question.strip(" ？?"))
    found = _best_sentence(plain, texts)
    if found is None:
        return ""
    sentences, best, weight, asked = found
    # The phrase that says it, not the one that dates or names it: a gram weighs by its
    # rarity among the sentences times its rarity among this sentence's phrases, and digits
    # (the time, which the scope rules check anyway) not at all.
    phrases = [p.strip() for p in re.split(f"[{_LIST_END}]", sentences[best]) if p.strip()]
    if not phrases:
        return ""
    grams = [_grams(p) for p in phrases]
    said = {g for g in asked if not any(ch.isdigit() for ch in g)}
    inner = rarity(said, grams)
    return phrases[
        max(range(len(phrases)), key=lambda i: sum(weight[g] * inner[g] for g in said & grams[i]))
    ]


def asks_reason(question: str) -> bool:
    found = _REASON.search(question)
    if found is None:
        return False
    if found.group() == "为什么" and question[found.start() - 1 : found.start()] == "因":
        # 「琦善因为什么罪行被治罪？」 asks for the 罪行, a thing; 「…因为什么而闻名？」 and
        # 「因为什么原因…」 ask why.
        after = question[found.end() :]
        words = search_tokens(after)
        if words and after.startswith(words[0]) and is_noun(words[0]):
            return words[0] in ("原因", "理由", "缘故")
    return True


def reason(question: str, texts: list[str]) -> str:
    """The words of `texts` that give the reason a why-question asks for, verbatim: in the
    sentence that holds most of what the question says happened (see `_best_sentence`),
    from its 由于/因为 to the sentence's end; the sentence before when this one opens with
    因此/所以; else the phrases of the sentence before the one that says it, or after it
    when that one comes first (「…封锁了隘道，以防止…」). '' when there is no such sentence.
    「伊丽莎白港机场为什么又叫十分钟机场？」 → 「因为伊丽莎白港的商业中心区至机场所需的时间是少于十分钟」."""
    plain = _REASON.sub("", question.strip(" ？?"))
    found = _best_sentence(plain, texts)
    if found is None:
        return ""
    sentences, best, weight, asked = found
    sentence = sentences[best].rstrip("".join(_SENTENCE_END))
    because = _BECAUSE.search(sentence)
    if because:
        return _without_outcome(sentence[because.start() :], plain)
    if _SO.match(sentence) and best > 0:
        return sentences[best - 1].rstrip("".join(_SENTENCE_END))
    phrases = re.split(f"([{_LIST_END}])", sentence)
    pieces = phrases[::2]
    if len(pieces) < 2:
        return sentence
    said = [sum(weight[g] for g in asked & _grams(p)) for p in pieces]
    at = max(range(len(pieces)), key=lambda i: said[i])
    # 「…，土壤肥沃；因此，畜牧业发达」: the 因此 between reason and outcome is neither.
    chosen = [
        i
        for i in (range(at) if at > 0 else range(1, len(pieces)))
        if not _SO.fullmatch(pieces[i].strip())
    ]
    if not chosen:
        return sentence
    first, last = min(chosen), max(chosen)
    return "".join(phrases[2 * first : 2 * last + 1]).strip(" ，,")


def _said_before(phrase: str, question: str) -> bool:
    """Half or more of `phrase` (its characters and bigrams) is in `question`."""
    grams = _grams(phrase)
    return bool(grams) and 2 * len(grams & _grams(question)) >= len(grams)


def _without_outcome(told: str, question: str) -> str:
    """A reason without the outcome that closes it when the question states that outcome
    already: 「由于叔侄皆锋芒过露，排挤异己阴狠毒辣，引起时人的强烈反感」 →
    「由于叔侄皆锋芒过露，排挤异己阴狠毒辣」 for 「为什么时人强烈反感高英叔侄？」;
    「因有力家臣…等人的战死而受到重大打击」 → 「因有力家臣…等人的战死」. An outcome followed
    by more (「所以金氏得以影响朝政，并宠信西人派」) is kept: the reason goes on."""
    kept = told
    while True:
        phrases = re.split(f"([{_LIST_END}])", kept)
        if len(phrases) < 3 or not _said_before(phrases[-1], question):
            break
        kept = "".join(phrases[:-2])
    cut = kept.rfind("而")
    if cut > 0 and _said_before(kept[cut + 1 :], question):
        kept = kept[:cut]
    kept = kept.strip(" ，,")
    return kept if len(normalise(kept)) >= 4 else told


# 「1982年，兰比尔发生了什么事情？」「2016年…做出了什么决定？」: what happened at a time;
# 「1969年9月至1970年4月，吴双战担任什么职务？」: the post a career line gives for that time
# (「1969年9月至1970年4月任陆军团司令部作训股参谋。」).
_EVENT = re.compile(
    r"(?:(?:发生|遭遇|经历|做出|作出|有)了?)?(?:什么|哪些)(?:事情?|事件|活动|变化|决定)"
    r"|(?:发生|遭遇|经历)了?(?:什么|哪些)"
)
_POST = re.compile(r"(?:担任|出任|任)了?(?:什么|哪些|何)(?:职务|职位|官职|职)")
# The verb a career line gives the post after: the first of them in the line.
_TOOK_POST = re.compile(r"当选为|当选|升任|出任|担任|兼任|转任|调任|任|为")
# The time a question opens with (group 1: 「1969年9月至1970年4月」) and its year (group 2).
_YEAR_OPENING = re.compile(
    r"^[在于自从]?(((?:19|20)\d{2}年)(?:\d{1,2}月)?"
    r"(?:(?:至|到)(?:(?:19|20)\d{2}年(?:\d{1,2}月)?|\d{1,2}月))?)"
)


def asks_event(question: str) -> bool:
    """A question about what happened in a year the question opens with."""
    return bool(
        _YEAR_OPENING.match(question.strip())
        and (_EVENT.search(question) or _POST.search(question))
    )


def event(question: str, texts: list[str]) -> str:
    """What happened at the time an event-question (`asks_event`) opens with: of the
    stretches of `texts` from that year to their sentence's end, the one that holds most of
    the question's other words (at least one): 「1982年，骑士把兰比尔交换到底特律活塞队…」.
    The year may open a clause: 「…，2014年，吕志兴随和富大埔升上…」. '' when none does."""
    opening = _YEAR_OPENING.match(question.strip())
    if opening is None:
        return ""
    rest = _POST.sub("", _EVENT.sub("", question.strip(" ？?")[opening.end() :]))
    words = [w for w in search_tokens(rest) if len(w) >= 2]
    # The whole time first (「1992年4月」, not the 「1992年1月」 of the line before), then
    # its year with the words of the rest of the question to choose.
    whole, year = opening.group(1), opening.group(2)
    post = bool(_POST.search(question))
    for time, needed in ([(whole, 0)] if whole != year else []) + [(year, 1)]:
        opens = re.compile(rf"(?:^|(?<=[{_SENTENCE_END}，,；;]))\s*(?=[在于自从]?{time})")
        best, said = "", needed - 1
        for text in texts:
            for m in opens.finditer(text):
                told = text[m.end() : sentence_bounds(text, m.end(), m.end() + 1)[1]]
                told = told.strip().rstrip("".join(_SENTENCE_END))
                # a question about the post held then: the line that names one
                # (「1973年10月，任…联邮员」, not 「1973年10月加入中国共产党」)
                count = sum(w in told for w in words) + (post and _took_post(told))
                if count > said:
                    best, said = told, count
        if best:
            return _post(best) if post else best
    return ""


def _took_post(line: str) -> bool:
    return _post(line) != line


def _post(line: str) -> str:
    """The post a career line gives: what follows its first 任/当选为 (「1969年9月至1970年4月
    任陆军团司令部作训股参谋」 → 「陆军团司令部作训股参谋」); the line when it has none."""
    took = _TOOK_POST.search(line)
    post = line[took.end() :].strip(" ，,") if took else ""
    return post if len(post) >= 2 else line
