"""The text path of layout analysis: one page of extracted text → its articles and set-aside text.

For text that has lost its positions (a PDF page as plain text, a web article). Captions,
page furniture and markdown table rows are found on the raw lines, before spaces are
removed (the caption rule needs the space in "王小军 摄"). The rest is repaired into
paragraphs (`text_repair`), cut into articles at datelines and end marks, and headlines
printed apart from their articles are attached by shared character bigrams.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.components.page_layout import Article, PageLayout, SetAside
from rag.components.text_repair import (
    CJK_CHAR,
    DATE_KEYS,
    EDITOR_NOTE,
    END_MARK,
    FULL_DATELINE,
    ends_sentence,
    is_table_row,
    is_table_rule,
    parse_metadata_row,
    remove_spaces,
    repair_lines,
    split_lines,
)

_HAN = "\u4e00-\u9fff"
# A photo credit ending a caption: "发布会现场。王小军 摄", "(记者 王小军 摄)", "宿迁市委宣传部供图",
# "摄影：王小军". The name must follow a space, a sentence end or an opening bracket, and be
# followed by a space before 摄, so "拍摄" inside a sentence is not one.
_CREDIT = re.compile(
    rf"(?:(?:^|(?<=[\s。！？(（]))(?P<name>[{_HAN}·](?:[ 、]?[{_HAN}·]){{1,12}})\s+/?摄影?"
    rf"|摄影\s*[:：]\s*(?P<name2>[{_HAN}·]{{2,5}})"
    r"|供图|图片来源\s*[:：].{1,20})\s*[)）]?\s*$"
)
_CAPTION_START = re.compile(r"^\s*(?:▲|△|图为|图[:：]|[(（]?图片[)）]?[:：])")
# Captions are short; a longer block ending in a credit is body text that happens to.
_CAPTION_MAX_CHARS = 160
# Page furniture: page labels ("第 3 版", "A3版 要闻"), the page's date line ("2024年9月28日
# 星期六"), page numbers set off by dashes ("- 3 -"), "第3页/共12页".
_FURNITURE = re.compile(
    r"^(?:第\s*[A-Z]?\d{1,3}\s*版.{0,12}"
    r"|[A-Z]\d{1,2}\s*版.{0,12}"
    r"|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:星期|周)[一二三四五六日天]"
    r"|[-—–]\s*\d{1,4}\s*[-—–]"
    r"|第\s*\d{1,4}\s*页\s*(?:[/，,]?\s*共\s*\d{1,4}\s*页)?)\s*$"
)
_DATE = re.compile(r"(19\d{2}|20\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})")
_PUBLISHER_FIELDS = ("来源", "出处", "媒体")
_HEADLINE_MAX_CHARS = 40
# A bunched headline goes to an article only if this share of its bigrams is in the opening.
_MIN_HEADLINE_OVERLAP = 0.3
_OPENING_CHARS = 300


@dataclass
class _Caption:
    text: str
    name: str  # the photographer, when the credit names one


@dataclass
class _Segment:
    """Consecutive paragraphs: an article being built, or what lies between articles."""

    paragraphs: list[str] = field(default_factory=list)
    dateline: re.Match[str] | None = None
    closed: bool = False  # an end mark was seen
    notes: list[str] = field(default_factory=list)  # editor notes taken off its end


def split_articles(raw_text: str) -> PageLayout:
    """Articles of one extracted page (never none for text that has any), and what was set aside."""
    lines = split_lines(raw_text)
    fields: dict[str, str] = {}
    set_aside: list[SetAside] = []
    captions: list[_Caption] = []
    kept = _set_aside_lines(lines, fields, set_aside, captions)
    segments = _segments(repair_lines(kept))
    articles, sources, headlines = _articles(segments, set_aside)
    if not articles:
        set_aside.extend(SetAside("caption", caption.text) for caption in captions)
        return PageLayout([], set_aside, fields)
    _attach_headlines(articles, headlines)
    for article, segment in zip(articles, sources, strict=True):
        article.source = _source(segment, fields)
        article.date = _date(segment, fields)
    for caption in captions:
        index = _caption_owner(caption, articles)
        if index is not None:
            articles[index].captions.append(caption.text)
        set_aside.append(SetAside("caption", caption.text, index))
    return PageLayout(articles, set_aside, fields)


# -- 1. what is not body text, found on the raw lines ------------------------------------------
def _set_aside_lines(
    lines: list[str],
    fields: dict[str, str],
    set_aside: list[SetAside],
    captions: list[_Caption],
) -> list[str]:
    """The lines with set-aside ones blanked out (a blank line joins across, never breaks a
    wrapped sentence)."""
    kept = list(lines)
    for i, line in enumerate(lines):
        if is_table_rule(line):
            kept[i] = ""
            set_aside.append(SetAside("table_row", line.strip()))
        elif is_table_row(line):
            fields.update(parse_metadata_row(line))
            kept[i] = ""
            set_aside.append(SetAside("table_row", line.strip()))
        elif line.strip() and _FURNITURE.match(line.strip()):
            kept[i] = ""
            set_aside.append(SetAside("furniture", remove_spaces(line)))
    for start, end in _blocks(kept):
        block = kept[start:end]
        found = _caption_block(block) or _caption_lines(block)
        for offsets, caption in found:
            for j in offsets:
                kept[start + j] = ""
            captions.append(caption)
    return kept


def _blocks(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each run of non-blank lines."""
    runs: list[tuple[int, int]] = []
    start = None
    for i, line in enumerate([*lines, ""]):
        if line.strip() and start is None:
            start = i
        elif not line.strip() and start is not None:
            runs.append((start, i))
            start = None
    return runs


def _caption_block(block: list[str]) -> list[tuple[list[int], _Caption]]:
    """A short block that ends in a credit or opens like a caption is caption text. Each of its
    text boxes (a line that begins with whitespace starts one) is a caption of its own."""
    joined = " ".join(x.strip() for x in block)
    if len(remove_spaces(joined)) > _CAPTION_MAX_CHARS:
        return []
    if not (_CREDIT.search(joined) or _CAPTION_START.match(joined)):
        return []
    boxes: list[list[int]] = []
    for j, line in enumerate(block):
        if not boxes or line[:1].isspace():
            boxes.append([])
        boxes[-1].append(j)
    return [(box, _caption(" ".join(block[j].strip() for j in box))) for box in boxes]


def _caption_lines(block: list[str]) -> list[tuple[list[int], _Caption]]:
    """Caption lines inside a longer block: a line that is a whole caption by itself."""
    found = []
    for j, line in enumerate(block):
        text = line.strip()
        if len(text) > _HEADLINE_MAX_CHARS * 2:
            continue
        credit = _CREDIT.search(text)
        # Inside body text only a credit after a full caption sentence counts ("…现场。王小军 摄").
        if _CAPTION_START.match(text) or (credit and re.search(r"[。！？]\s*\S", text)):
            found.append(([j], _caption(text)))
    return found


def _caption(text: str) -> _Caption:
    credit = _CREDIT.search(text)
    if not credit:
        return _Caption(remove_spaces(text), "")
    # "记者 王小军", "刘林 唐娟": the byline keeps the names, despaced, after any job title.
    name = remove_spaces(credit.group("name") or credit.group("name2") or "").replace(" ", "")
    name = re.sub(r"^.*(?:记者|通讯员)", "", name)
    # The credit keeps its spaces ("王小军 摄"): it is how a reader expects to see one.
    credit_text = re.sub(r"\s+", " ", credit.group(0).strip())
    return _Caption(remove_spaces(text[: credit.start()]) + credit_text, name)


# -- 2. articles ----------------------------------------------------------------------------
def _segments(paragraphs: list[str]) -> list[_Segment]:
    """Cut at each dateline (an article starts) and after each end mark (it stops)."""
    segments = [_Segment()]
    for paragraph in paragraphs:
        dateline = FULL_DATELINE.match(paragraph)
        current = segments[-1]
        if dateline or current.closed:
            current = _Segment(dateline=dateline)
            segments.append(current)
        text, closed, notes = _strip_end_mark(paragraph)
        if text:
            current.paragraphs.append(text)
        current.notes.extend(notes)
        current.closed = current.closed or closed
    return [s for s in segments if s.paragraphs or s.notes]


def _strip_end_mark(paragraph: str) -> tuple[str, bool, list[str]]:
    """(paragraph without its end marks, whether it had one, the marks and editor notes
    taken off, to be reported as set aside)."""
    notes: list[str] = []
    closed = False
    while True:
        if (match := END_MARK.search(paragraph)) or (match := EDITOR_NOTE.search(paragraph)):
            notes.insert(0, match.group(0).strip())
            paragraph, closed = paragraph[: match.start()].rstrip(), True
        else:
            return paragraph, closed, notes


def _is_headline(paragraph: str) -> bool:
    return (
        len(paragraph) <= _HEADLINE_MAX_CHARS
        and len(CJK_CHAR.findall(paragraph)) >= 4
        and not ends_sentence(paragraph)
        and not re.search(r"[，,、；;：:]$", paragraph)
    )


def _articles(
    segments: list[_Segment], set_aside: list[SetAside]
) -> tuple[list[Article], list[_Segment], list[tuple[str, int | None, bool]]]:
    """Articles with their bodies and the segments they came from, and the headline
    candidates found between them: (text, index of the article it was printed next to,
    whether it stood before that article).

    Each dateline segment is an article, and so is each undated one that holds body text
    (not only headlines). A page without datelines is one article."""
    if segments and not any(s.dateline for s in segments):
        whole = _Segment(
            [p for s in segments for p in s.paragraphs],
            notes=[n for s in segments for n in s.notes],
        )
        segments = [whole]
    kept = [s for s in segments if s.dateline or not all(_is_headline(p) for p in s.paragraphs)]
    # A page of nothing but short lines (a notice without full stops) is still one
    # article: its text must not vanish for want of a body.
    kept = kept or segments
    articles: list[Article] = []
    headlines: list[tuple[str, int | None, bool]] = []
    pending: list[str] = []  # headline-only material waiting for the next article
    for segment in segments:
        if not any(segment is k for k in kept):
            pending.extend(segment.paragraphs)
            set_aside.extend(SetAside("furniture", note, None) for note in segment.notes)
            continue
        paragraphs = list(segment.paragraphs)
        index = len(articles)
        headlines.extend((h, index, True) for h in pending)
        pending = []
        title = ""
        if not segment.dateline and len(paragraphs) > 1 and _is_headline(paragraphs[0]):
            title = paragraphs.pop(0)
        if segment.dateline and len(segments) > 1:
            # Headlines bunched after the body belong to whichever article they match.
            while len(paragraphs) > 1 and _is_headline(paragraphs[-1]):
                headlines.append((paragraphs.pop(), index, False))
        articles.append(Article(title=title, text="\n".join(paragraphs)))
        set_aside.extend(SetAside("furniture", note, index) for note in segment.notes)
    headlines.extend((h, None, False) for h in pending)
    return articles, kept, headlines


def _attach_headlines(
    articles: list[Article], headlines: list[tuple[str, int | None, bool]]
) -> None:
    """Each untitled article takes the headline whose bigrams its opening shares most; a
    headline no article shares enough with goes back where it was printed."""
    openings = [_bigrams(a.text[:_OPENING_CHARS]) for a in articles]
    pairs = []
    for h, (text, _, _) in enumerate(headlines):
        grams = _bigrams(text)
        for a, opening in enumerate(openings):
            if grams and not articles[a].title:
                pairs.append((len(grams & opening) / len(grams), h, a))
    used: set[int] = set()
    for score, h, a in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if score < _MIN_HEADLINE_OVERLAP or h in used or articles[a].title:
            continue
        articles[a].title = headlines[h][0]
        used.add(h)
    for h, (text, near, before) in enumerate(headlines):
        if h in used:
            continue
        if near is None:
            near = len(articles) - 1
        article = articles[near]
        if before and not article.title:
            article.title = text
        elif before:
            article.text = f"{text}\n{article.text}"
        else:
            article.text = f"{article.text}\n{text}"


def _bigrams(text: str) -> set[str]:
    grams: set[str] = set()
    for run in re.findall(rf"[{_HAN}0-9A-Za-z]+", text):
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def _caption_owner(caption: _Caption, articles: list[Article]) -> int | None:
    """The article a caption belongs to: its photographer in the byline, then shared bigrams."""
    body = _CREDIT.sub("", caption.text)
    grams = _bigrams(body)
    best: tuple[float, int] | None = None
    for i, article in enumerate(articles):
        score = len(grams & _bigrams(article.text)) / len(grams) if grams else 0.0
        if caption.name and caption.name in article.text[:80]:
            score += 1.0
        if score > 0 and (best is None or score > best[0]):
            best = (score, i)
    return best[1] if best else None


# -- 3. date and source -----------------------------------------------------------------------
def _source(segment: _Segment, fields: dict[str, str]) -> str:
    if segment.dateline and segment.dateline.group("agency") != "本报":
        return segment.dateline.group("agency")
    return next((fields[k] for k in _PUBLISHER_FIELDS if fields.get(k)), "")


def _date(segment: _Segment, fields: dict[str, str]) -> str:
    """YYYY-MM-DD from a date field, else from a dateline that names the year; else ""."""
    candidates = [fields.get(k, "") for k in DATE_KEYS]
    for text in candidates:
        if match := _DATE.search(text):
            year, month, day = match.groups()
            return f"{year}-{int(month):02d}-{int(day):02d}"
    if segment.dateline and segment.dateline.group("year"):
        d = segment.dateline
        return f"{d.group('year')}-{int(d.group('month')):02d}-{int(d.group('day')):02d}"
    return ""
