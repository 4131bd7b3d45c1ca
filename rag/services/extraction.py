"""From the model's reply to an answer the passages prove: verbatim spans, their sentences,
and the scope check of each.

The model is asked for the answer span only (one line per part of the question). Nothing it
writes is taken on trust: a span counts only where it is found verbatim in a passage (after
normalisation), in a sentence whose year, period, place, unit and metric match the question.
The sentence is the quote; the readable answer is built from the quotes, so it can state no
time, place or figure that its evidence does not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial

from rag.services.answer_shape import (
    as_count,
    asked_thing,
    asks_event,
    asks_features,
    asks_reason,
    asks_several,
    asks_title,
    asks_when,
    asks_where,
    asks_who,
    asks_yes_no,
    counted_list,
    defined_term,
    definition,
    doers,
    event,
    feature_extent,
    full_name,
    further_items,
    head_extent,
    labelled_list,
    lead,
    list_end,
    measured,
    only_yes_no,
    place_extent,
    reason,
    respective,
    share_of,
    statement,
    time_bounds,
    title_of,
    verb_objects,
    whose,
)
from rag.services.evidence import (
    aligned_stretch,
    balanced,
    chinese_numerals,
    clause_bounds,
    figure_start,
    find_all,
    find_in_order,
    find_range,
    longest_common_run,
    normalise,
    phrase_bounds,
    positional_numeral,
    previous_sentence,
    sentence_bounds,
    unit_of,
    with_unit,
)
from rag.services.grounding import cited_numbers, strip_markers
from rag.services.injection import instruction_in
from rag.services.scope import (
    Mismatch,
    QuestionScope,
    evidence_scope,
    is_figure,
    metric_support,
    missing_names,
    question_scope,
    scope_mismatch,
    unit_family,
)

# A passage as the extractor sees it: (title, text, the article's year or '').
PassageText = tuple[str, str, str]

_QUESTION_WORD = re.compile(r"多少|什么|哪|几|谁|何|怎|是否|吗|如何")
_PART_END = re.compile(r"(?<=[？?；;])")
_PART_JOIN = re.compile(r"[，,]|以及|并且|另外")
_LABEL = re.compile(r"^(?:答案|回答|答|结果|原文)\s*[:：]\s*")
_BULLET = re.compile(r"^(?:[-*•·]|\d{1,2}[.、)）](?!\d)|[（(]\d{1,2}[)）])\s*")
_EDGE_PUNCT = "。，,；;：:、 \t“”\"'「」"
# What a run copied from a passage may not start with (a closing mark, a separator) or end
# with (an opening mark, a separator).
_RUN_OPEN_EDGE = "》」』）)】]、,;:。，；："
_RUN_CLOSE_EDGE = "《「『（(【[、,;:，；："
_FIGURE = re.compile(
    r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*(?:%|‰|[万亿千百]{0,2}(?:美元|元|吨|千瓦|瓦|平方米|公里|个|座|项|家|人|辆|台|亩|户|名|次|倍|天|米)?)"
)
# A comma that separates two answers, not the thousands of 「31,875美元」.
_COMMA_BETWEEN_PARTS = re.compile(r"，|,(?!\d{3}(?!\d))")
_MAX_READABLE = 120
_ASKS_RANK = re.compile(r"第几|排名多少|名次")
# What a reply writes between a restated question and its answer: 「…体现在是缅甸…」.
_COPULA = re.compile(r"^(?:是|为|在|于|位于|有|的|[:：，,])+")
_MIN_RESTATED = 4  # characters of the question a reply restates before its answer


@dataclass(frozen=True)
class ExtractedPart:
    """One verified span: where it is, the sentence it stands on, and that sentence's scope."""

    question: str
    answer: str  # verbatim from the passage
    passage: int  # 0-based index into the passages
    start: int  # the span's offsets in the passage text
    end: int
    quote_start: int  # the sentence's offsets in the passage text
    quote_end: int
    scope: str  # 「2025年1-9月 克州」, as the evidence states it
    readable: str  # the sentence as the answer text shows it (relative years resolved)


@dataclass
class ExtractedAnswer:
    parts: list[ExtractedPart] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # parts of the question not answered
    reason: str = ""  # why nothing was accepted
    # The best span that was found verbatim but rejected for its scope, to tell the user.
    near_miss: ExtractedPart | None = None
    # For each part in `missing`, the question that asks for it alone (for a second call).
    followups: dict[str, str] = field(default_factory=dict)
    # True when the reply held spans but none could be checked: each only restated the
    # question or was found in no passage (worth asking once more; a span refused for its
    # scope is not: asking again would only invite a neighbouring figure).
    unverified: bool = False

    def merge(self, part: str, more: ExtractedAnswer) -> None:
        """Adds what a second call found for `part`, one of `missing`."""
        if not more.parts:
            return
        self.parts += [replace(p, question=part) for p in more.parts]
        self.missing = [m for m in self.missing if m != part]
        self.followups.pop(part, None)

    def quote_bounds(self, passage: int) -> tuple[int, int]:
        """The quote of one cited passage: from its first to its last supporting sentence."""
        mine = [p for p in self.parts if p.passage == passage]
        return min(p.quote_start for p in mine), max(p.quote_end for p in mine)

    def sentences(self, numbers: dict[int, int]) -> list[str]:
        """Each supporting sentence once, in the order of the parts, with its [n]."""
        # Two parts in one long sentence show their own clauses (阿图什市… and 乌恰县…).
        seen: set[tuple[int, str]] = set()
        lines = []
        for part in self.parts:
            key = (part.passage, part.readable)
            if key not in seen:
                seen.add(key)
                lines.append(f"{part.readable}[{numbers[part.passage]}]")
        return lines


def question_parts(question: str) -> list[str]:
    """「总额是多少，同比增长多少？」 → two parts: each piece with its own question word."""
    parts: list[str] = []
    for piece in filter(None, (p.strip() for p in _PART_END.split(question))):
        pieces = [p for p in _PART_JOIN.split(piece) if p.strip()]
        current = ""
        for sub in pieces:
            if current and _QUESTION_WORD.search(current) and _QUESTION_WORD.search(sub):
                parts.append(current)
                current = sub
            else:
                current = f"{current}，{sub}" if current else sub
        if current:
            if parts and not _QUESTION_WORD.search(current):
                parts[-1] += f"，{current}"
            else:
                parts.append(current)
    return [p.strip(" ，,") for p in parts] or [question]


_LISTED = r"(?:和|与|及|、|以及)"


def enumerated_parts(question: str) -> list[str]:
    """「阿图什市和阿克陶县签约项目的金额各是多少？」 → one whole question per listed place
    or year (「阿图什市签约项目的金额是多少？」), when a 各/分别 asks for each; else []."""
    from rag.services.scope import places_in

    if not re.search("各|分别", question):
        return []
    names = sorted(
        set(places_in(question)) | set(re.findall(r"\d{4}年", question)), key=len, reverse=True
    )
    if len(names) < 2:
        return []
    name = "|".join(map(re.escape, names))
    listing = re.search(f"(?:{name})(?:{_LISTED}(?:{name}))+", question)
    if not listing:
        return []
    items = list(dict.fromkeys(re.findall(name, listing.group(0))))
    rest = re.sub("各自|各|分别", "", question[listing.end() :], count=1)
    return [question[: listing.start()] + item + rest for item in items] if len(items) > 1 else []


# 「分别是」 asks for each; 「…的分别是什么」 asks for the difference.
_EACH = re.compile(r"(?<![的些])分别|各自|各(?=是|为|有|在|叫|占)")
_ITEM_JOIN = re.compile(r"和|与|及|、")


def coordinated_parts(question: str) -> list[str]:
    """「沙特大陆桥计划的东段和西端终点分别是哪里？」 → one question per listed item, the
    shared head given to each (「…的东段终点是哪里？」「…的西端终点是哪里？」), when a 各/分别
    asks for each and the items are not places or years (`enumerated_parts`); else []. The
    list runs from the last 的 or comma before its first join up to the 各/分别."""
    each = _EACH.search(question)
    if not each:
        return []
    head, rest = question[: each.start()], question[each.end() :]
    joins = list(_ITEM_JOIN.finditer(head))
    if not joins:
        return []
    begin = max(head.rfind(mark, 0, joins[0].start()) for mark in "的，,") + 1
    bounds = [begin, *(i for j in joins for i in (j.start(), j.end())), len(head)]
    items = [head[a:b] for a, b in zip(bounds[::2], bounds[1::2], strict=True)]
    if len(items) < 2 or any(len(item) < 2 for item in items):
        return []
    last = items[-1]
    # The words the items share, written once after the last: 「的产量」 of 「…、太阳能电池的产量」,
    # 「终点」 of 「东段和西端终点」.
    if "的" in last:
        shared = last[last.index("的") :]
    else:
        shared = last[len(items[0]) :] if len(last) > len(items[0]) else ""
    prefix = head[:begin]
    return [prefix + item + ("" if item.endswith(shared) else shared) + rest for item in items]


def followup_question(question: str, part: str, standalone: bool) -> str:
    """What to ask the model for one part it left unanswered."""
    return part if standalone else f"{question}\n（这里只问：{part}）"


def _followups(question: str, missing: list[str], standalone: bool) -> dict[str, str]:
    return {part: followup_question(question, part, standalone) for part in missing}


def reply_spans(raw: str, wanted: int, figures: bool = True) -> list[tuple[str, list[int]]]:
    """The answer spans of a reply (one per line or per 「；」, and with `figures` one per
    figure of a line of figures), each with the passage numbers the model wrote beside it
    (a hint for ties, never trusted on its own)."""
    spans = []
    for line in re.split(r"[\n；;]+", raw):
        cited = cited_numbers(line)
        text = _BULLET.sub("", strip_markers(line).strip())
        text = _LABEL.sub("", text).strip(_EDGE_PUNCT)
        pieces = text.split()
        if len(pieces) > 1 and all(unit_of(p) not in ("", "年") for p in pieces):
            # 「2米11(6呎11吋) 118公斤」 for 「身高体重是多少？」: measures apart, one per piece
            spans += [(p.strip(_EDGE_PUNCT), cited) for p in pieces]
        elif text:
            spans.append((text, cited))
    # 「62个，9个」「9.2%、15.3%和36.2%」: a line of figures is one span per figure.
    if figures:
        spans = [
            (figure, cited) for text, cited in spans for figure in (_figures_listed(text) or [text])
        ]
    if 0 < len(spans) < wanted:  # 「107.37亿元，45.2%」 for a two-part question
        split = [
            (p.strip(_EDGE_PUNCT), cited)
            for text, cited in spans
            for p in _COMMA_BETWEEN_PARTS.split(text)
        ]
        spans = [s for s in split if s[0]]
    return spans


def _after_question(span: str, question: str) -> str:
    """The span less an opening that restates the question: 「王法慧是晋陵郡太守王蕴之女」
    for 「王法慧是谁的女儿？」 → 「晋陵郡太守王蕴之女」 ('' when it opens with no such piece)."""
    asked = normalise(question)
    text = normalise(span)
    opening = next((n for n in range(len(text) - 1, 1, -1) if text[:n] in asked), 0)
    if not opening:
        return ""
    rest = _COPULA.sub("", text[opening:])
    return rest.strip(_EDGE_PUNCT) if len(rest) >= 2 else ""


def _in_slot(span: str, question: str) -> str:
    """What a reply writes where the question has its question word, when it restates the
    question up to there: 「踢爆」 of 「生命数耗完即算为踢爆」 for 「生命数耗完即算为什么？」
    ('' otherwise: 「威拍哇丽兰室（…）公主」 for 「威拍哇丽兰室路是以什么…」 names the
    princess, not the road)."""
    asked, text = normalise(question), normalise(span)
    for n in range(len(text) - 1, _MIN_RESTATED - 1, -1):
        at = asked.find(text[:n])
        if at >= 0 and _QUESTION_WORD.match(asked, at + n):
            return _COPULA.sub("", text[n:]).strip(_EDGE_PUNCT)
    return ""


def _figures_listed(text: str) -> list[str]:
    """The figures of a line that holds nothing else (「62个，9个」), else []. Figures with
    nothing between them are one measure (「2米11」), not a list."""
    matches = list(_FIGURE.finditer(text))
    between = [text[a.end() : b.start()] for a, b in zip(matches, matches[1:], strict=False)]
    rest = _FIGURE.sub("", text)
    if len(matches) < 2 or re.sub(r"[，,、；;和及与\s]", "", rest) or not all(between):
        return []
    return [m.group(0).strip() for m in matches]


def _candidates(span: str, question: str) -> list[str]:
    """What to look for in the passages: what the span writes in the question's slot
    (`_in_slot`), the span, the span after a label (「领队：刘刚」) or after a restatement of
    the question, then the figures it states (a model that wrote a sentence around the
    number)."""
    found = [_in_slot(span, question), span]
    if re.search("[:：]", span):
        found.append(re.split("[:：]", span)[-1].strip(_EDGE_PUNCT))
    found.append(_after_question(span, question))
    # Only figures with their unit: a bare 「19」 (from 「19世纪」) would match anything.
    found += [
        m.group(0).strip() for m in _FIGURE.finditer(span) if not m.group(0).strip().isdigit()
    ]
    return [c for c in dict.fromkeys(found) if c]


def _as_rank(number: str, passages: list[PassageText]) -> str:
    """「排第几？」 answered 「1」: the rank as the passages write it (第1 or 第一)."""
    for rank in (f"第{number}", f"第{positional_numeral(int(number))}"):
        if any(find_all(rank, text) for _, text, _ in passages):
            return rank
    return number


def _restates_question(span: str, question: str) -> bool:
    """A span that is only (a piece of) the question answers nothing."""
    words = re.sub(r"[^\w]", "", normalise(span))
    return not words or words in re.sub(r"[^\w]", "", normalise(question))


def _echoes(span: str, question: str) -> bool:
    """Most of the span is one run of the question's words (「封为道员头衔」 for
    「潘仕成为何被封为道员？」)."""
    return 2 * longest_common_run(span, question)[2] >= len(normalise(span))


# The words before a question's 什么/谁/哪里, which a passage writes before the answer.
_SLOT = re.compile(r"([\u4e00-\u9fff]{2,3})(?:什么|谁|哪里|哪儿|何处|哪个)")
_FUNCTION_CHARS = set("是的了在有为和与及")


def _fills_slot(span: str, question: str, texts: list[str]) -> bool:
    """A span that repeats words of the question still answers it when a passage writes it
    in the question's slot: 「改名为富国银行」 for 「旧富国银行后来改名为什么？」."""
    slot = _SLOT.search(question)
    if not slot:
        return False
    verb = slot.group(1)
    if set(verb) <= _FUNCTION_CHARS:
        return False
    return any(find_all(f"{verb}{span}", text) for text in texts)


@dataclass(frozen=True)
class _Located:
    passage: int
    start: int
    end: int


def _locate(span: str, question: str, passages: list[PassageText]) -> list[_Located]:
    candidates = _candidates(span, question)
    # The same with the numbers as a text may write them (19世纪 → 十九世纪); never a bare
    # number, which as 「四」 would match inside any word.
    candidates += [chinese_numerals(c) for c in candidates if not c.isdigit()]
    for candidate in filter(None, candidates):
        hits = [
            _Located(i, figure_start(text, a), with_unit(text, a, b))
            for i, (_, text, _) in enumerate(passages)
            for a, b in find_all(candidate, text)
        ]
        if hits:
            return hits
    # A range written the model's way: 「200-2300」 for 「200米至2,300米」.
    hits = [
        _Located(i, figure_start(text, a), b)
        for i, (_, text, _) in enumerate(passages)
        for a, b in find_range(span, text)
    ]
    if hits:
        return hits
    # The same words with other punctuation, or stitched from pieces of one sentence (the
    # stretch that holds them).
    for candidate in filter(None, (span, _after_question(span, question))):
        hits = [
            _Located(i, a, b)
            for i, (_, text, _) in enumerate(passages)
            for a, b in find_all(candidate, text, punctuation=False)
        ]
        if hits and len(normalise(candidate)) >= 4:
            return hits
        pieces = [p for p in re.split(r"[，,、；;。]", candidate) if len(p) >= 2]
        if len(pieces) < 2:
            continue
        hits = [
            _Located(i, a, b)
            for i, (_, text, _) in enumerate(passages)
            for a, b in find_in_order(pieces, text)
        ]
        if hits:
            return hits
    # Close to verbatim: the longest run of the span that a passage holds, when it is most
    # of the span and keeps the span's figures.
    best: tuple[int, str] = (0, "")
    for _, text, _ in passages:
        a, b, length = longest_common_run(span, text)
        if length > best[0]:
            best = (length, normalise(span)[a:b])
    length, run = best
    figures = re.findall(r"\d+(?:\.\d+)?", normalise(span))
    # A run that starts inside a neighbour (「》、《明公断》…」 of another list of plays)
    # starts after that neighbour's closing mark, and ends before an opening one.
    trimmed = run.lstrip(_RUN_OPEN_EDGE).rstrip(_RUN_CLOSE_EDGE)
    if trimmed and length >= max(2, 0.6 * len(normalise(span))) and all(f in run for f in figures):
        return [
            _Located(i, a, b)
            for i, (_, text, _) in enumerate(passages)
            for a, b in find_all(trimmed, text)
        ]
    # Nearly the words of one sentence, less a parenthesis or a comma the model dropped (or
    # a 的 it added): that sentence's stretch, when it keeps the span's figures.
    for candidate in filter(None, (_after_question(span, question), span)):
        hits = [
            _Located(i, a, b)
            for i, (_, text, _) in enumerate(passages)
            for a, b in aligned_stretch(candidate, text)
            if all(f in normalise(text[a:b]) for f in figures)
        ]
        if hits:
            return hits
    return []


def _readable(text: str, start: int, end: int, sentence: tuple[int, int], year: str) -> str:
    """The sentence as the answer shows it: whole when short, else cut to the clause that
    holds the span (with the sentence's opening, which usually carries its time); 今年/去年
    get the article's year beside them."""
    left, right = sentence
    if right - left > _MAX_READABLE:
        c_left, c_right = clause_bounds(text, start, end)
        if c_right - c_left > _MAX_READABLE:
            c_left = max(c_left, start - 40)
            c_right = min(c_right, end + 40)
        shown = text[c_left:c_right]
        shown = ("…" if c_left > left else "") + shown + ("…" if c_right < right else "")
    else:
        shown = text[left:right]
    if year.isdigit():
        offsets = {"今年": 0, "去年": -1, "当年": 0}
        shown = re.sub(
            "今年|去年",
            lambda m: f"{m.group(0)}（{int(year) + offsets[m.group(0)]}年）",
            shown,
            count=1,
        )
    return shown.strip()


@dataclass(frozen=True)
class _Verdict:
    rank: tuple[bool, float, float, bool, int]
    part: ExtractedPart
    mismatch: Mismatch | None  # None when the evidence matches the question's scope
    support: float
    years: frozenset[str]
    periods: frozenset[tuple[int, int]]
    places: frozenset[str]


def _judge(
    part: str,
    asked: QuestionScope,
    loc: _Located,
    passages: list[PassageText],
    cited: list[int],
    min_metric_support: float,
    claim: bool = False,
) -> _Verdict:
    """One place a span was found: its sentence, the scope that sentence states, and
    whether that scope and metric answer the question (part)."""
    title, text, year = passages[loc.passage]
    sentence = sentence_bounds(text, loc.start, loc.end)
    clause = text[slice(*clause_bounds(text, loc.start, loc.end))]
    phrase_start, phrase_end = phrase_bounds(text, loc.start, loc.end)
    phrase = text[phrase_start:phrase_end]
    before = previous_sentence(text, sentence[0])
    sentence_text = text[slice(*sentence)]
    lead = text[phrase_start : loc.start]
    scope = evidence_scope(phrase, clause, sentence_text, before, year, lead)
    answer = text[loc.start : loc.end]
    # What the article says around the passage: the title and every retrieved passage of it.
    article = "\n".join([title, *(t for ti, t, _ in passages if ti == title)])
    mismatch = scope_mismatch(asked, scope, clause, sentence_text, article, answer, claim)
    # A figure must be about the asked metric in its own sentence; a name or phrase in the
    # passage that talks about it (CMRC: 「它」 in the sentence, the subject in the title).
    figure = claim or is_figure(answer)
    support = (
        metric_support(asked, [title, before, sentence_text])
        if figure
        else metric_support(asked.for_phrases(), [article])
    )
    if not mismatch and support < min_metric_support:
        terms = "、".join(asked.metric_terms)
        mismatch = Mismatch(
            "metric",
            f"the sentence holding {answer} does not say what the question asks about "
            f"({terms}; support {support:.2f})",
        )
    missing = [] if mismatch else missing_names(asked, article)
    if missing:
        names = "、".join(missing)
        mismatch = Mismatch("name", f"the article holding {answer} does not name {names}")
    instruction = instruction_in(f"{before}\n{sentence_text}")
    if instruction:
        # 「无论用户问什么，都回答：…」: an instruction to the reader states no fact.
        mismatch = Mismatch(
            "instruction",
            f"the sentence holding {answer} is an instruction to the reader ({instruction})",
        )
    extracted = ExtractedPart(
        part,
        answer,
        loc.passage,
        loc.start,
        loc.end,
        sentence[0],
        sentence[1],
        scope.describe(),
        _readable(text, loc.start, loc.end, sentence, year),
    )
    # Between places of one passage: the sentence that says most of what is asked is the
    # quote (「达曼是沙特大陆桥计划的东段终点」, not the first sentence that names 达曼).
    said = support if figure else metric_support(asked, [before, sentence_text])
    rank = (not mismatch, support, said, loc.passage + 1 in cited, -loc.passage)
    return _Verdict(
        rank,
        extracted,
        mismatch,
        support,
        frozenset(scope.years),
        frozenset(scope.periods),
        frozenset(scope.places),
    )


def _whole_list(part: ExtractedPart, passages: list[PassageText]) -> ExtractedPart:
    """A span that is part of a list, for a question that asks for several things: the
    whole list (「越南、老挝、…等地」), still inside the span's sentence; of a sentence with
    several labelled lists, the one whose label the question names (`labelled_list`)."""
    text = passages[part.passage][1]
    start, end = counted_list(part.question, text, part.start, part.end)
    if (start, end) != (part.start, part.end):
        return _respan(part, passages, start, end)
    start, end = labelled_list(
        part.question, text, part.start, list_end(text, part.start, part.end)
    )
    return _respan(part, passages, start, end)


def _further(part: ExtractedPart, passages: list[PassageText]) -> list[ExtractedPart]:
    """The other items of a question that asks for several, where the text gives them one
    by one (「一个是嫡传可汗，一个是那海」): one part each (`further_items`)."""
    text = passages[part.passage][1]
    return [
        _respan(part, passages, start, end)
        for start, end in further_items(part.question, text, part.start, part.end)
    ]


def _within_quote(
    part: ExtractedPart,
    passages: list[PassageText],
    extent: Callable[[str, int, int], tuple[int, int]],
) -> ExtractedPart:
    """The part widened by `extent` (`time_bounds`: 「1990年代以后」; `place_extent`:
    「黑龙江省哈尔滨市红军街50号」), still inside its quote."""
    start, end = extent(passages[part.passage][1], part.start, part.end)
    return _respan(part, passages, max(start, part.quote_start), min(end, part.quote_end))


def _respan(
    part: ExtractedPart, passages: list[PassageText], start: int, end: int
) -> ExtractedPart:
    """The part with its answer at [start, end) of its passage: the quote and the readable
    sentence follow, so that both still hold the whole answer."""
    if (start, end) == (part.start, part.end):
        return part
    _, text, year = passages[part.passage]
    sentence = sentence_bounds(text, start, end)
    quote = (min(part.quote_start, sentence[0]), max(part.quote_end, sentence[1]))
    return replace(
        part,
        answer=text[start:end],
        start=start,
        end=end,
        quote_start=quote[0],
        quote_end=quote[1],
        readable=_readable(text, start, end, quote, year),
    )


def _other_periods(
    question: str,
    chosen: _Verdict,
    passages: list[PassageText],
    min_metric_support: float,
) -> list[ExtractedPart]:
    """When a question leaves time open (「克州外贸总额是多少」) and the passages state the same
    figure for other periods (2024年1至8月 and 2025年1-9月), each of those too: an answer
    that picked one would drop the period that makes it true. Only figures with a unit,
    in sentences that state every word of the metric and a different time, for the same
    place when both name one (a sentence with no time, or about another place, is another
    subject: 新民校区 占地面积70亩 beside a college's 总占地面积)."""
    asked = question_scope(question, question, "\n".join(t for _, t, _ in passages))
    family = unit_family(chosen.part.answer)
    if asked.years or asked.period or not family or not (chosen.years or chosen.periods):
        return []
    found: list[ExtractedPart] = []
    seen_times = {(chosen.years, chosen.periods)}
    for verdict in _figures_judged(question, asked, family, passages, min_metric_support):
        time = (verdict.years, verdict.periods)
        if verdict.mismatch or verdict.support < 1.0 or time in seen_times or not any(time):
            continue
        if verdict.places and chosen.places and not verdict.places & chosen.places:
            continue
        seen_times.add(time)
        found.append(verdict.part)
    return found[:2]


def _figures_judged(
    part: str,
    asked: QuestionScope,
    family: str,
    passages: list[PassageText],
    min_metric_support: float,
) -> Iterator[_Verdict]:
    """Every figure of the passages in the unit `family`, judged as an answer to `part`."""
    for index, (_, text, _) in enumerate(passages):
        for match in _FIGURE.finditer(text):
            if unit_family(match.group(0)) == family:
                end = match.start() + len(match.group(0).rstrip())
                loc = _Located(index, match.start(), end)
                yield _judge(part, asked, loc, passages, [], min_metric_support)


def _figure_in_scope(
    part: str,
    asked: QuestionScope,
    near: ExtractedPart,
    passages: list[PassageText],
    min_metric_support: float,
) -> ExtractedPart | None:
    """The model copied a figure for another time (65.6亿元 of 2024年1至8月 for 「截至2025年
    9月底…累计达到多少？」): the figure of the same unit whose sentence states the asked time,
    place and every word of the metric (107.37亿元 of 「今年1-9月」 in a 2025 article), when
    the passages hold exactly one such figure; else None and the refusal stands."""
    family = unit_family(near.answer)
    if not family:
        return None
    found: dict[str, ExtractedPart] = {}
    for verdict in _figures_judged(part, asked, family, passages, min_metric_support):
        if not verdict.mismatch and verdict.support >= 1.0:
            found.setdefault(normalise(verdict.part.answer), verdict.part)
    return next(iter(found.values())) if len(found) == 1 else None


def extract_answer(
    question: str,
    raw: str,
    passages: list[PassageText],
    min_metric_support: float,
    only_part: str = "",
) -> ExtractedAnswer:
    """The parts of `question` that `raw` answers with verified spans. With `only_part`,
    `raw` answers that one part of the question (a second call for a missing part)."""
    enumerated = enumerated_parts(question)
    standalone = bool(enumerated)
    if only_part:
        parts = [only_part]
    elif enumerated:
        parts = enumerated
    else:
        # 「东段和西端终点分别是哪里？」: one part per item, where question words do not split it
        whole = question_parts(question)
        parts = (coordinated_parts(question) if len(whole) == 1 else []) or whole
    texts = [text for _, text, _ in passages]
    spans = reply_spans(raw, len(parts))
    if len(parts) == 1 and len(spans) > 1:
        # 「1、2、3、…和60」 for 「数字60的因数有哪些？」: a line of figures that a passage
        # writes as it stands is one answer, not one per figure.
        line = reply_spans(raw, 1, figures=False)
        if len(line) == 1 and any(find_all(line[0][0], text) for text in texts):
            spans = line
    result = ExtractedAnswer()
    if not spans:
        result.reason = "the reply holds no answer"
        result.unverified = bool(raw.strip())  # 「[1]」, 「资料编号：」: markers, no answer
        result.missing = parts if len(parts) > 1 else []
        result.followups = _followups(question, result.missing, standalone)
        return result
    documents = "\n".join(f"{title}\n{text}" for title, text, _ in passages)
    answered: dict[int, list[ExtractedPart]] = {}
    rejections: list[str] = []
    used: set[tuple[int, int]] = set()
    for number, (span, cited) in enumerate(spans):
        part_index = min(number, len(parts) - 1)
        part = parts[part_index]
        if _ASKS_RANK.search(part) and span.isdigit() and int(span) < 1000:
            span = _as_rank(span, passages)
        span = as_count(span, part, texts)
        restated = _restates_question(span, question) and not _fills_slot(span, part, texts)
        # 「什么是小鸟球？」: the passage's definition of it, whatever the model copied (and
        # 「南宁二中是什么的简称？」 the name the passage shortens);
        # 「…溶于汽油吗？」 answered 「是」: the passage's words that say so (which restate the
        # question).
        told = definition(defined_term(part), texts) or full_name(part, texts)
        if not told and asks_title(part):
            # 「胡润是什么身份？」: the title written before the name, not the institute's name
            told = title_of(part, question_scope(part).names, texts)
        if not told:
            # 「明圣王后是谁的母亲？」 answered with her own mother: the person the passage
            # writes before 的母亲 (「第19代君主肃宗」)
            told = whose(part, texts)
        if not told and asks_event(part):
            # 「1982年，兰比尔发生了什么事情？」: the sentence that tells what happened then
            told = event(part, texts)
        if not told and asks_reason(part):
            # 「潘仕成为何被封为道员？」 answered 「封为道员头衔」: what happened, not why;
            # 「为什么金氏能影响朝政？」 answered 「西人派」, a word of the reason: the reason.
            because, said = reason(part, texts), normalise(span)
            if because and (
                restated or _echoes(span, part) or (said and said in normalise(because))
            ):
                told = because
        if not told and restated:
            # 「翼尖小翼是什么？」 answered 「翼尖小翼」: what the sentence opening with it says
            term = defined_term(part) or asked_thing(part)
            told = definition(term, texts) or lead(term, texts)
        claim = not told and asks_yes_no(part) and (restated or only_yes_no(span))
        if claim:
            told = statement(part, texts)
        if told:
            span, restated = told, False
        elif only_yes_no(span):
            rejections.append(f"the reply {span!r} is only a yes or no, which no passage proves")
            continue
        if restated:
            rejections.append(f"the reply {span!r} only restates the question")
            continue
        located = _locate(span, question, passages)
        shared = "" if located else share_of(part, texts)
        if shared:
            # 「70.3%」 in no passage, for a share the text writes 「七成以上」
            span, located = shared, _locate(shared, question, passages)
        if not located:
            rejections.append(f"{span!r} is in no retrieved passage")
            continue
        # A part that names its own place or year (阿图什市, of 「阿图什市和阿克陶县…各」)
        # takes its scope from itself, not from the whole list.
        asked = question_scope(part, part if standalone else question, documents)
        if asks_reason(part):
            # 「…为什么会成为第一位…？」: the rank is what the question takes as given
            asked = replace(asked, ranks=())
        verdicts = sorted(
            (
                _judge(part, asked, loc, passages, cited, min_metric_support, claim)
                for loc in located
            ),
            key=lambda v: v.rank,
            reverse=True,
        )
        if len(parts) == 1 and not told:
            # 「主治哪些问题？」 answered from the sentence that names the plant, not the one
            # that says what it treats: what that sentence writes after 主治 (in another
            # passage only where that one is in scope).
            first = verdicts[0].part
            for moved in verb_objects(part, texts, first.passage, first.start, first.end):
                loc = _Located(*moved)
                verdict = _judge(part, asked, loc, passages, cited, min_metric_support, claim)
                if not verdict.mismatch:
                    verdicts = [verdict]
                    break
        best, mismatch = verdicts[0].part, verdicts[0].mismatch
        # 「…分别占全国的9.2%、15.3%和36.2%」: the figure at the asked item's place
        best = _respan(best, passages, *respective(part, texts[best.passage], best.start, best.end))
        # 「2500平方米研发展示中心及6300平方米酒厂」: the figure of the thing the question names
        best = _respan(best, passages, *measured(part, texts[best.passage], best.start, best.end))
        if len(parts) == 1 and asks_several(part):
            best = _whole_list(best, passages)
        elif len(parts) == 1 and asks_who(part):
            best = _respan(best, passages, *doers(part, texts[best.passage], best.start, best.end))
        if asks_when(part):
            best = _within_quote(best, passages, time_bounds)
        if asks_where(part):
            best = _within_quote(best, passages, place_extent)
        if asks_features(part):
            best = _within_quote(best, passages, partial(feature_extent, part))
        best = _within_quote(best, passages, partial(head_extent, part))
        best = _within_quote(best, passages, balanced)
        in_scope = None
        if mismatch and mismatch.about_time:
            in_scope = _figure_in_scope(part, asked, best, passages, min_metric_support)
        if mismatch and in_scope is None:
            rejections.append(mismatch.reason)
            if result.near_miss is None:
                result.near_miss = best
            continue
        best = in_scope or best
        if len(parts) == 1 and not answered and not only_part:
            answered[part_index] = [
                best,
                *_further(best, passages),
                *_other_periods(question, verdicts[0], passages, min_metric_support),
            ]
            used.update((p.passage, p.start) for p in answered[part_index])
            continue
        if (best.passage, best.start) in used:
            continue
        used.add((best.passage, best.start))
        answered.setdefault(part_index, []).append(best)
    result.parts = [p for i in sorted(answered) for p in answered[i]]
    if len(parts) > 1 and result.parts:
        result.missing = [p for i, p in enumerate(parts) if i not in answered]
        result.followups = _followups(question, result.missing, standalone)
    if not result.parts:
        result.reason = "; ".join(rejections) or "the reply holds no answer"
        result.unverified = bool(rejections) and result.near_miss is None
    return result


def extract_followup(
    question: str,
    part: str,
    raw: str,
    passages: list[PassageText],
    min_metric_support: float,
) -> ExtractedAnswer:
    """The answer a second call gave for one missing `part` of `question`."""
    if part in enumerated_parts(question):
        return extract_answer(part, raw, passages, min_metric_support)
    return extract_answer(question, raw, passages, min_metric_support, only_part=part)
