"""The scope of a question and of a figure's evidence: year, period, place, unit, plan vs fact.

A cited figure is only an answer when its evidence states the time, place and kind of figure
the question asks for: 「克州2024年全年外贸总额」 is not answered by a 1至8月 total, nor
「江苏2024年产量」 by 常州's 2023 output. These are deterministic rules over the evidence
sentence, its clause, the sentence before it and the article's year (for 今年/去年); they
never look at what the model said about scope.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from rag.components.chinese_tokens import (
    content_terms,
    is_noun,
    is_word,
    name_parts,
    place_words,
    proper_names,
    term_support,
    term_weight,
    unknown_words,
)
from rag.components.synonyms import synonyms
from rag.services.evidence import find_all

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_CN_DIGITS.update({"七": 7, "八": 8, "九": 9, "十": 10, "十一": 11, "十二": 12})
_MONTH = r"(\d{1,2}|十[一二]?|[一二两三四五六七八九])"

# A year: 4 digits starting 19/20, followed by 年 or by a word (「2024宿迁绿洽会」), never by
# a digit, a decimal point or a unit (「2500平方米」 is not a year, nor 「2023.5万」).
_YEAR = re.compile(
    r"(?<![\d.])((?:19|20)\d{2})(?=\s*年|\s*[\u4e00-\u9fff])(?!\s*[万亿千百元个吨座台人项家余多])"
)
_RELATIVE_YEAR = {"今年": 0, "本年": 0, "当年": 0, "去年": -1, "上年": -1, "前年": -2, "明年": 1}
_RELATIVE = re.compile("|".join(_RELATIVE_YEAR))

# Periods within a year as (first month, last month).
_PERIODS: list[tuple[re.Pattern[str], object]] = [
    (re.compile(rf"{_MONTH}\s*(?:月份?)?\s*[-—–~～至到]\s*{_MONTH}\s*月"), "range"),
    (re.compile(rf"前\s*{_MONTH}\s*个?月"), "first"),
    (
        re.compile(
            rf"(?:截至|截止到|截止)\s*(?:(?:19|20)\d{{2}}\s*年)?\s*{_MONTH}\s*月(?:底|末|份)?"
        ),
        "first",
    ),
    (re.compile(r"前三季度"), (1, 9)),
    (re.compile(r"前两季度|前二季度"), (1, 6)),
    (re.compile(r"(?:第)?一季度"), (1, 3)),
    (re.compile(r"第二季度|二季度"), (4, 6)),
    (re.compile(r"第三季度|三季度"), (7, 9)),
    (re.compile(r"第四季度|四季度"), (10, 12)),
    (re.compile(r"上半年"), (1, 6)),
    (re.compile(r"下半年"), (7, 12)),
    (re.compile(r"全年|全年度|年度|年末|年底"), (1, 12)),
]
FULL_YEAR = (1, 12)

# Units a question can ask for, grouped by what they measure.
_UNIT_FAMILIES = {
    "money": ("元",),
    "weight": ("吨",),
    "power": ("瓦",),
    "area": ("平方米", "亩", "公顷"),
    "people": ("人",),
    "percent": ("%", "％", "百分之", "成"),
}
_ASKED_UNIT = re.compile(
    r"多少\s*(万亿元|亿元|万元|元|万吨|吨|万千瓦|千瓦|兆瓦|瓦|平方米|亩|公顷|万人|人|%)"
)
_ASKED_SHARE = re.compile(r"(比重|占比|百分之|增长率|增速|增幅)")

# A rank the question asks about: only a sentence that states that rank answers it
# (「排名第一的是哪家」 is not answered by the first company a sentence lists).
_RANK = re.compile(
    r"(?:排名|排在|排|位列|位居|居)(第[一二三四五六七八九十百\d]+)|(第[一二三四五六七八九十百\d]+)[名位]"
    r"|(首位|榜首|冠军)"
)

# A figure that is planned, expected or a target, not one that was reached.
_FORECAST = re.compile(r"预计|计划|目标|力争|有望|将达|将完成|将实现|将建成|规划|拟")
# The figure a change is going to reach: 「主跑道会由现时的1,980米延长至3,000米」,
# 「将由65亿元增至100亿元」: the figure after 至/到 is planned, the one after 由 is not.
_FUTURE_TARGET = re.compile(
    r"(?:将|会)(?:由|从)[^，。；;：:]*(?:至|到)\s*$"
    r"|将[增提扩延升降减缩达上下][^\s，。；;]{0,2}?(?:至|到)\s*$"
)
# Words of a question that carry its time, its unit or its form, not the metric it asks about.
_SCOPE_WORDS = re.compile(
    r"\d|年|月|季度|截至|截止|累计|多少|多[长高大重远深宽久]|几|哪|什么|是否|预计|实际|完成|达到|何|谁|怎|"
    r"如何|吗|呢"
)
# Words for "now", which texts write one for another (现今 asked, 目前 written).
_NOW = frozenset(["现今", "现在", "如今", "目前", "当前", "至今", "现时", "时至今日"])
# Words that ask for the full or short form of a name, or for its other names, which texts
# write many ways (简称, 下称, 以下称; 又称, 又名, 别名): not a metric the evidence must repeat.
_NAME_FORM = re.compile(
    r"^(?:简称|全称|全名|缩写|略称|别名|别称|又名|又称|称之为|称为|又叫|也叫|俗称|昵称|外号|绰号)$"
)
# 「X的职业有哪些」「X的功效是什么」: the noun before these asks for a kind of thing; the
# answer is one of that kind (董事长 for 职业), which a text names without the noun.
_ASKS_KIND = re.compile(r"(?:都|主要)?(?:有哪些|是哪些|包括哪些|是什么)[？?]?\s*$")
_UNIT_WORD = re.compile(
    r"[多几]?[个万亿千百]*(?:美元|元|吨|千瓦|瓦|辆|个|人|项|家|座|户|名|平方米)"
)


@dataclass(frozen=True)
class QuestionScope:
    years: frozenset[str] = frozenset()
    period: tuple[int, int] | None = None
    period_words: tuple[str, ...] = ()  # as the question writes it: 「第三季度」「1至8月」
    places: tuple[str, ...] = ()
    unit_family: str = ""
    forecast: bool = False  # the question asks for a planned or expected figure
    metric_terms: tuple[str, ...] = ()
    ranks: tuple[str, ...] = ()  # 「第一」「榜首」: ranks the question asks about
    # Names of people, organisations and other things the question asks about, not places
    # (`proper_names`): 「符泳」 in 「符泳中学就读于哪里？」.
    names: tuple[str, ...] = ()
    # Figures the question quotes (「塔身高23.5米象征着什么？」): a sentence that writes
    # them is about what the question asks, whatever words it uses (暗示 for 象征).
    figures: tuple[str, ...] = ()
    # The metric term that names the kind of thing asked for (职业 of 「X的职业有哪些」,
    # `_ASKS_KIND`): a name or phrase answers it without the word; a figure does not.
    kind: str = ""

    def for_phrases(self) -> QuestionScope:
        """The scope a name or phrase is held to: the metric without the asked kind."""
        if not self.kind:
            return self
        return replace(self, metric_terms=tuple(t for t in self.metric_terms if t != self.kind))


@dataclass
class EvidenceScope:
    """What a figure's evidence states about its own scope."""

    years: set[str] = field(default_factory=set)
    periods: set[tuple[int, int]] = field(default_factory=set)
    places: list[str] = field(default_factory=list)
    forecast: bool = False
    # True when the years come from the clause or sentence itself, not from around it.
    years_stated: bool = False

    def describe(self) -> str:
        """「2025年1-9月 克州」: the scope as a reader would say it."""
        when = "、".join(f"{y}年" for y in sorted(self.years))
        if self.periods and self.periods != {FULL_YEAR}:
            when += "、".join(f"{a}-{b}月" if a != b else f"{a}月" for a, b in sorted(self.periods))
        return " ".join(p for p in (when, "、".join(self.places[:2])) if p)


def _month(text: str) -> int:
    return int(text) if text.isdigit() else _CN_DIGITS.get(text, 0)


def period_words(text: str) -> list[str]:
    return [m.group(0) for pattern, _ in _PERIODS for m in pattern.finditer(text)]


def periods_in(text: str) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for pattern, kind in _PERIODS:
        for m in pattern.finditer(text):
            if kind == "range":
                first, last = _month(m.group(1)), _month(m.group(2))
            elif kind == "first":
                first, last = 1, _month(m.group(1))
            else:
                first, last = kind  # type: ignore[misc]
            if 1 <= first <= last <= 12:
                found.add((first, last))
    return found


def years_in(text: str) -> set[str]:
    return set(_YEAR.findall(text))


def first_year(text: str) -> str:
    match = _YEAR.search(text)
    return match.group(1) if match else ""


def relative_years(text: str, anchor: str) -> set[str]:
    """今年/去年 resolved against the article's year (a 4-digit string, or '' if unknown)."""
    if not anchor.isdigit():
        return set()
    return {str(int(anchor) + _RELATIVE_YEAR[m]) for m in _RELATIVE.findall(text)}


# 「该市」「全州」「各县」 point at a place named elsewhere; they name none themselves. 中国
# is in the names of lists and bodies (「胡润中国…榜」) more often than it scopes a figure;
# 城市, 超市, 上市 end in 市 without being places.
_PLACE_POINTER = re.compile(
    r"^(?:[该本全我各此其当](?:省|市|县|州|区|镇|乡)|[省市县州区镇乡]+|中国|全国|我国|"
    r"城市|都市|超市|股市|楼市|夜市|集市|门市|上市)$"
)


_PLACE_SUFFIXES = ("市", "县", "州", "省")
# What jieba glues to the word after a place (冷湖/市是, 东关/街有).
_GLUED_SUFFIXES = (*_PLACE_SUFFIXES, "区", "镇", "乡", "村", "街", "路")
_PLACE_GUESS_END = (*_PLACE_SUFFIXES, "区", "镇", "乡", "村", "岛", "山", "河", "湖", "江")
# A number the question quotes with its unit (「23.5米」, not 「2024年」 or the 1 of 「1-9月」,
# which are its scope), of two digits or more.
_QUOTED_FIGURE = re.compile(
    r"(?<![\d.A-Za-z])(?:\d{2,}(?:\.\d+)?|\d\.\d+)(?=\s*(?:%|[^\d\s年月日至到季度—~～，。？?、；;,.\-]))"
)
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]{2,4}")
# 该市/本县 in an evidence sentence stand for the place the article names.
_POINTER = re.compile(r"[该本全我此](?:省|市|县|州|区)")


def places_in(text: str) -> list[str]:
    """Place names in `text`: what jieba tags as a place, and words ending in 省/市/县/州.
    A word the tagger only guesses is a place (not in its dictionary, no place suffix:
    「锦地罗」, a plant; 「四加亭」) is left out: it is more often a name."""
    return [
        p
        for p in place_words(text)
        if not _PLACE_POINTER.match(p) and (is_word(p) or p.endswith(_PLACE_GUESS_END))
    ]


# A place word inside a longer name is the name's, not the question's scope: 「西贡商信银行」
# and 「两西西里王室」 (an organisation word after it), 「林永康」 (a surname before it).
_NAMED_BODY = (
    "银行|公司|集团|王室|王朝|王国|家族|大学|学院|中学|小学|医院|车站|机场|俱乐部|协会|学会|"
    "电视台|报社|博物馆|商会|教会|球会|足球队|乐团|剧院"
)
_BODY_AFTER = re.compile(rf"[\u4e00-\u9fffA-Za-z]{{0,4}}?(?:{_NAMED_BODY})")
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤"
)
# 「台湾地区」 is 台湾: a text that writes 台湾方面 writes the place.
_AREA = "地区"


def _in_a_name(place: str, question: str, documents: str) -> bool:
    """Whether every mention of `place` in `question` is inside a longer name that
    `documents` write too: a surname before it, or an organisation word after it."""
    found = False
    for m in re.finditer(re.escape(place), question):
        before = question[m.start() - 1] if m.start() else ""
        body = _BODY_AFTER.match(question, m.end())
        person = before in _SURNAMES and f"{before}{place}" in documents
        named = body is not None and question[m.start() : body.end()] in documents
        if not (person or named):
            return False
        found = True
    return found


def unit_family(text: str) -> str:
    for family, units in _UNIT_FAMILIES.items():
        if any(u in text for u in units):
            return family
    return ""


def _names(part: str) -> list[str]:
    """The question's proper names, and the word it opens with when jieba's dictionary does
    not know it (「魏玩」 of 「魏玩是谁的妻子？」, which the tagger splits): its subject."""
    names = proper_names(part)
    opening = next((w for w in unknown_words(part) if part.startswith(w)), "")
    if len(opening) >= 2 and not opening.isascii() and opening not in names:
        names.append(opening)
    return names


def _unglued(term: str, places: tuple[str, ...], question: str) -> str:
    """A term jieba cut with a place's suffix glued to its front (「市是」 of 「冷湖市是何时设立
    的？」, where the place is 冷湖; 「街有」 of 「东关街有多长？」): the term without it, '' when nothing is left but a
    function word. A word of jieba's dictionary is kept (「州长」 of 「克州州长」)."""
    if (
        term[0] not in _GLUED_SUFFIXES
        or is_word(term)  # 「州长」 of 「克州州长」 is a word
        or not any(f"{p}{term}" in question for p in places)
    ):
        return term
    rest = term[1:]
    return "" if len(rest) < 2 else rest


def question_scope(part: str, whole: str = "", documents: str = "") -> QuestionScope:
    """The scope of one part of a question: time and place from the whole question (「2024年
    克州外贸总额是多少，增长多少」: the second part is about 2024 克州 too), the unit and the
    metric from the part itself. A word of the question that `documents` write with a place
    suffix (宿迁 → 宿迁市) is a place even where jieba does not know it."""
    whole = whole or part
    asked = _ASKED_UNIT.search(part)
    family = unit_family(asked.group(1)) if asked else ""
    if not family and _ASKED_SHARE.search(part):
        family = "percent"
    periods = periods_in(whole)
    places = tuple(
        p[: -len(_AREA)] if p.endswith(_AREA) and len(p) > len(_AREA) + 1 else p
        for p in places_in(whole)
    )
    if documents:
        places += tuple(
            t
            for t in content_terms(whole)
            if _CJK_WORD.fullmatch(t)
            and t not in places
            and any(f"{t}{suffix}" in documents for suffix in _PLACE_SUFFIXES)
        )
    # A place inside a name (西贡 of 西贡商信银行) is a name: the article must write it.
    in_names = tuple(p for p in places if _in_a_name(p, whole, documents))
    places = tuple(p for p in places if p not in in_names)
    metric = [
        t
        for t in (_unglued(t, places, whole) for t in content_terms(part))
        if len(t) > 1
        and not _SCOPE_WORDS.search(t)
        and not _UNIT_WORD.fullmatch(t)
        and not _NAME_FORM.match(t)
        and not any(t in p or p in t for p in places + in_names)
    ]
    return QuestionScope(
        years=frozenset(years_in(whole)),
        period=min(periods, key=lambda p: p[0] - p[1]) if periods else None,
        period_words=tuple(period_words(whole)),
        places=places,
        unit_family=family,
        # 「何时开始规划兴建的？」 asks about the plan itself: a planned date answers it.
        forecast=bool(re.search(r"预计|计划|规划|目标|力争|有望|将", whole)),
        metric_terms=tuple(metric),
        names=tuple(n for n in _names(part) if not any(n in p or p in n for p in places))
        + in_names,
        ranks=tuple(next(g for g in m.groups() if g) for m in _RANK.finditer(part)),
        figures=tuple(
            m.group(0) for m in _QUOTED_FIGURE.finditer(part) if m.group(0) not in years_in(part)
        ),
        kind=_asked_kind(part, metric),
    )


def _asked_kind(part: str, metric: list[str]) -> str:
    """The noun of the metric that 有哪些/是什么 ask about: 「职业」 of 「严长寿现今的职业有
    哪些？」; '' for a verb (「被当作什么」) or another word."""
    asks = _ASKS_KIND.search(part)
    if not asks:
        return ""
    before = part[: asks.start()].lower()
    return next((t for t in metric if before.endswith(t) and is_noun(t)), "")


def evidence_scope(
    phrase: str, clause: str, sentence: str, before: str, article_year: str, lead: str = ""
) -> EvidenceScope:
    """The scope a figure's evidence states. Time comes from the nearest text that names
    one: the clause, the sentence, the sentence before, then 今年/去年 against the article's
    year, then the article's year itself. Places come from the clause, else the sentence.
    `lead` is the phrase up to the figure: a figure a change will reach is planned."""
    scope = EvidenceScope()
    for text in (clause, sentence, before):
        scope.years = years_in(text)
        if scope.years:
            scope.years_stated = text is not before
            break
    if not scope.years:
        scope.years = relative_years(clause + sentence, article_year)
    if not scope.years and article_year.isdigit():
        scope.years = {article_year}
    for text in (clause, sentence):
        scope.periods = periods_in(text)
        if scope.periods:
            break
    scope.places = places_in(clause) or places_in(sentence)
    scope.forecast = bool(_FORECAST.search(phrase) or _FUTURE_TARGET.search(lead))
    return scope


@dataclass(frozen=True)
class Mismatch:
    """Why a span does not answer the question: a `kind` callers can act on (a refusal for
    the time may be repaired by the figure stated for the asked time; one for the place may
    not) and a `reason` for the reader."""

    kind: str  # year | months | place | rank | unit | plan; extraction adds metric | name | instruction
    reason: str

    @property
    def about_time(self) -> bool:
        return self.kind in ("year", "months")


def scope_mismatch(
    asked: QuestionScope,
    evidence: EvidenceScope,
    clause: str,
    sentence: str,
    context: str,
    answer: str,
    claim: bool = False,
) -> Mismatch | None:
    """Why the evidence does not answer the question's scope (None when it does). A place of
    the question must be named by the clause, else by the sentence, else by `context` (the
    passage and its title) when the clause and sentence name no other place.

    A figure is held to every rule. An answer without a number (a name, a place, a phrase)
    is held only to what its own sentence states and to the places the passage names: the
    time around a name matters less than the time a figure was counted for. A `claim` (the
    words that answer a yes-or-no question: 「增速全疆第一」) is held like a figure: it states
    a fact for a time and place."""
    figure = claim or is_figure(answer)
    if asked.years and not asked.years & evidence.years:
        if not evidence.years and all(y in context for y in asked.years):
            pass  # the passage names the year and nothing in the evidence contradicts it
        elif not figure and not evidence.years_stated:
            pass
        else:
            stated = "、".join(sorted(evidence.years)) or "no year"
            asked_years = "、".join(sorted(asked.years))
            return Mismatch(
                "year", f"the question asks about {asked_years}, the evidence states {stated}"
            )
    if asked.period and asked.period != FULL_YEAR:
        # 「2025年第三季度招商推介大会上签约多少」: the period names the event, and the
        # passage says so; the figure itself states no other period.
        named = not evidence.periods and any(w in context for w in asked.period_words)
        if asked.period not in evidence.periods and not named and (figure or evidence.periods):
            stated = _periods_text(evidence.periods) or "no period"
            months = _periods_text({asked.period})
            return Mismatch(
                "months", f"the question asks about months {months}, the evidence states {stated}"
            )
    elif asked.period == FULL_YEAR and figure and evidence.periods - {FULL_YEAR}:
        stated = _periods_text(evidence.periods)
        return Mismatch(
            "months", f"the question asks about the full year, the evidence states {stated}"
        )
    # 德克 of 「伙拍德克、…」 is a person where the passage writes 「因赫·德克」
    persons = name_parts(context) if asked.places else frozenset()
    for place in asked.places:
        for text in (clause, sentence, context) if figure else (context,):
            # The question's places are one scope (克州 and its 阿图什市): a clause that names
            # any of them is about them. 「该市今年上半年…增长7.3%」: 该市 is the place the
            # article is about.
            if any(p in text for p in asked.places) or (
                text is not context and _POINTER.search(text) and place in context
            ):
                break
            others = [
                p
                for p in places_in(text)
                if p not in place and place not in p and p not in answer and p not in persons
            ]
            if others or text is context:
                about = "、".join(others) or "another place"
                return Mismatch(
                    "place", f"the question asks about {place}, the evidence is about {about}"
                )
    for rank in asked.ranks:
        if rank not in sentence:
            return Mismatch(
                "rank", f"the question asks for {rank}, the evidence sentence states no such rank"
            )
    if asked.unit_family and unit_family(answer) and unit_family(answer) != asked.unit_family:
        return Mismatch(
            "unit", f"the question asks for a figure in {asked.unit_family}, the answer is {answer}"
        )
    if evidence.forecast and not asked.forecast and figure:
        return Mismatch(
            "plan",
            "the evidence states a planned or expected figure, the question asks what was reached",
        )
    return None


def metric_support(asked: QuestionScope, texts: Iterable[str]) -> float:
    """Share of what the question asks about (its terms without scope words) in `texts`,
    each term weighted by its rarity: a passage that names 王家瑞 but says 任 where the
    question asks 担任…职务 supports it; one that shares only 担任 does not. A term is
    found where its synonym is (`synonyms`: 故乡 for 家乡) or, for a word of "now", any
    other (目前 for 现今)."""
    joined = "\n".join(texts).lower()
    if not asked.metric_terms or (
        asked.figures and all(find_all(f, joined) for f in asked.figures)
    ):
        return 1.0
    weights = {t: term_weight(t) for t in asked.metric_terms}
    now = any(n in joined for n in _NOW)

    def support(term: str) -> float:
        direct = term_support(term, joined)
        if direct < 1.0 and ((term in _NOW and now) or any(s in joined for s in synonyms(term))):
            return 1.0
        return direct

    found = sum(w * support(t) for t, w in weights.items())
    return found / sum(weights.values())


def missing_names(asked: QuestionScope, article: str) -> list[str]:
    """Names the question asks about that the evidence's article does not write: neither
    half of its character bigrams (「杨昊现」 is 杨昊 glued to 现) nor half of its characters
    are there. An answer from such an article is about someone or something else. The
    second test keeps jieba's guesses (「叶有」 in 「上部叶有什么特点」, tagged a person) from
    refusing: their characters are common and in any article about the subject."""
    text = article.lower()
    return [
        n
        for n in asked.names
        if term_support(n.lower(), text) < 0.5
        and sum(c in text for c in set(n.lower())) < 0.5 * len(set(n))
    ]


def _periods_text(periods: Iterable[tuple[int, int]]) -> str:
    return "、".join(f"{a}-{b}月" for a, b in sorted(periods))


_FIGURE_IN_ANSWER = re.compile(r"\d+(?:\.\d+)?\s*(?:%|‰|[万亿千百]{0,2}[^\d\s，,。；;、]{0,3})")


def is_figure(answer: str) -> bool:
    """An answer that is a figure (「107.37亿元」「17个」「45.2%」), not a phrase that happens to
    hold a number (「椭圆状卵形，直径约1厘米」): figures are held to the strict scope rules."""
    text = re.sub(r"\s", "", answer)
    covered = sum(len(m.group(0)) for m in _FIGURE_IN_ANSWER.finditer(text))
    return covered > 0 and covered * 2 >= len(text)
