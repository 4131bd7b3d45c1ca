"""Repairs text extracted from PDFs and web pages: broken CJK lines, stray spaces, full-width digits.

The layout work that needs more than text (articles on one page, captions,
columns) plugs in after `repair_text`; this module only fixes characters and lines.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

# CJK ideographs, CJK/full-width punctuation and the common curly quotes used in Chinese text.
_CJK = "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_PUNCT_EXTRA = "\u2018\u2019\u201c\u201d\u2014\u2026\u00b7"
CJK_CHAR = re.compile(f"[{_CJK}{_CJK_PUNCT_EXTRA}]")
_TERMINAL = "。！？!?"
_CLOSERS = "”’」』）)】》\"'"
_ENDS_SENTENCE = re.compile(
    f"[{_TERMINAL}][{re.escape(_CLOSERS)}]*$|[…]{{1,2}}[{re.escape(_CLOSERS)}]*$"
)

# Full-width digits and letters become ASCII; full-width punctuation stays (NFKC would
# turn ，。 into ASCII, which Chinese readers and our splitter do not want).
_FULLWIDTH_TO_ASCII = {
    **{cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)},
    **{cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)},
    **{cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)},
    0xFF05: ord("%"),
    0xFF0E: ord("."),
    0x3000: ord(" "),
    0x00A0: ord(" "),
    0x200B: None,
    0xFEFF: None,
    # Invisible characters that split a number or a word for search and for the answer
    # checks (「1\u200d07.37亿元」): zero-width joiners, direction marks and overrides, the
    # soft hyphen, and control characters other than tab and the line breaks.
    **dict.fromkeys([*range(0x200C, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065)]),
    **dict.fromkeys([*range(0x2066, 0x206A), 0x00AD, 0x007F, *range(0x80, 0xA0)]),
    **dict.fromkeys(c for c in range(0x20) if chr(c) not in "\t\n\r\f"),
    0x000C: ord("\n"),
}

_SPACE_NEXT_TO_CJK = re.compile(
    f"(?<=[{_CJK}{_CJK_PUNCT_EXTRA}])[ \t]+|[ \t]+(?=[{_CJK}{_CJK_PUNCT_EXTRA}])"
)
# "6 5 . 6", "1 0 7": runs of single characters each separated by one space.
_SPACED_SINGLES = re.compile(r"(?<!\S)(?:[0-9.%]) (?:[0-9.%] )*[0-9.%](?!\S)")
_SPACE_BEFORE_PERCENT = re.compile(r"(?<=\d) +(?=%)")
_SPACE_INSIDE_DECIMAL = re.compile(r"(?<=\d) *\. *(?=\d)")
_SPACE_INSIDE_BRACKETS = re.compile(r"([(\[]) +| +([)\]])")
# Openings of news articles ("中新网广州9月27日电", "新华社北京电", "本报讯"): a new article starts here.
DATELINE = re.compile(
    r"^(?:中新网|新华社|新华网|人民网|央视网|央广网|中国新闻网|本报讯|本报[^\s，,。]{0,8}电)"
)
# A whole dateline on despaced text: agency, place, optional date, 电 ("新华社北京2024年9月27日电",
# "中新网宿迁9月28日电(") or "<agency>讯". Without a date the next character must open the
# byline or a space, so "新华社记者…电话" is not taken for one.
FULL_DATELINE = re.compile(
    r"^(?P<agency>本报|[\u4e00-\u9fff]{1,4}?(?:新闻网|社|网|台|报|新闻))"
    r"(?:(?!记者)(?P<place>[\u4e00-\u9fff]{0,8}?)"
    r"(?P<date>(?:(?P<year>\d{4})年)?(?P<month>\d{1,2})月(?P<day>\d{1,2})日)电"
    r"|(?!记者)[\u4e00-\u9fff]{0,6}?电(?=[(（\s【\[])|讯)"
)
# Article end marks: "(完)", and an editor note "(责任编辑：张三)", "【编辑：李四】".
END_MARK = re.compile(r"[(（【\[]\s*完\s*[)）】\]]\s*$")
EDITOR_NOTE = re.compile(
    r"[(（【\[]?\s*(?:责任编辑|责编|编辑|审核|校对|审校)\s*[:：]\s*[^)）】\]。！？，,]{1,30}[)）】\]]?\s*$"
)
# Metadata-row keys that hold the article's date, most specific first.
DATE_KEYS = ("发布时间", "发布日期", "日期", "时间")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]*-[\s:|-]*\|?\s*$")


@dataclass
class RepairedText:
    text: str
    # key/value pairs found in markdown metadata rows (来源, 发布时间, 作者 ...)
    fields: dict[str, str] = field(default_factory=dict)
    set_aside: list[str] = field(default_factory=list)


def normalize_width(text: str) -> str:
    return text.translate(_FULLWIDTH_TO_ASCII)


def remove_spaces(line: str) -> str:
    """Drop spaces a PDF extractor put between CJK characters and inside numbers."""
    line = _SPACED_SINGLES.sub(lambda m: m.group(0).replace(" ", ""), line)
    line = _SPACE_NEXT_TO_CJK.sub("", line)
    line = _SPACE_BEFORE_PERCENT.sub("", line)
    line = _SPACE_INSIDE_DECIMAL.sub(".", line)
    line = _SPACE_INSIDE_BRACKETS.sub(lambda m: (m.group(1) or "") + (m.group(2) or ""), line)
    return re.sub(r"[ \t]{2,}", " ", line).strip()


def ends_sentence(line: str) -> bool:
    return bool(_ENDS_SENTENCE.search(line.rstrip()))


def join_pair(left: str, right: str) -> str:
    """Join two pieces of one sentence; a space survives only between two Latin words."""
    if not left or not right:
        return left + right
    a, b = left[-1], right[0]
    if a.isascii() and b.isascii() and a.isalpha() and b.isalpha():
        return f"{left} {right}"
    return left + right


def parse_metadata_row(line: str) -> dict[str, str]:
    """Key/value pairs of a markdown metadata row: `| 来源 | 克孜勒苏日报 | 发布时间 | … |`."""
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    pairs: dict[str, str] = {}
    for key, value in zip(cells[0::2], cells[1::2], strict=False):
        if not key or not value or len(key) > 6:
            continue
        if key in DATE_KEYS and not re.search(r"\d", value):
            continue  # an empty date cell shifts the row; do not take the next label as a date
        pairs[key] = value
    return pairs


def is_table_rule(line: str) -> bool:
    return bool(_TABLE_RULE.match(line)) and "-" in line


def is_table_row(line: str) -> bool:
    return bool(_TABLE_ROW.match(line))


def split_lines(raw: str) -> list[str]:
    """Lines of `raw` with newlines unified and full-width digits/letters made ASCII."""
    return normalize_width(raw.replace("\r\n", "\n").replace("\r", "\n")).split("\n")


def repair_text(raw: str) -> RepairedText:
    """Paragraphs separated by one newline, sentences whole, spaces and widths fixed."""
    fields: dict[str, str] = {}
    set_aside: list[str] = []
    lines: list[str] = []
    for line in split_lines(raw):
        if is_table_rule(line):
            set_aside.append(line.strip())
            lines.append("")
        elif is_table_row(line):
            fields.update(parse_metadata_row(line))
            set_aside.append(line.strip())
            lines.append("")
        else:
            lines.append(line)
    return RepairedText("\n".join(repair_lines(lines)), fields, set_aside)


def display_width(text: str) -> float:
    """Width in CJK cells: an ideograph or full-width mark is 1, an ASCII character 1/2."""
    return sum(1.0 if CJK_CHAR.match(c) else 0.5 for c in text)


def starts_dateline(lines: list[str], i: int) -> bool:
    """Whether a dateline ("中新网广州9月27日电") starts at line i; it may run over 3 lines."""
    if not DATELINE.match(remove_spaces(lines[i])):
        return False
    joined = "".join(remove_spaces(x) for x in lines[i : i + 3] if x.strip())
    return bool(FULL_DATELINE.match(joined))


def repair_lines(lines: list[str]) -> list[str]:
    """Join raw lines ("" for a blank line) into repaired paragraphs.

    A line that begins with whitespace starts a new paragraph: extractors indent paragraph
    starts and put separate text boxes (headlines, captions) on lines of their own.
    """
    nonblank = [remove_spaces(x) for x in lines if x.strip()]
    if not nonblank:
        return []
    # Hard-wrapped text (narrow PDF columns) has short lines of similar length;
    # there a line without a sentence end continues on the next line, even across
    # a blank line. Elsewhere only an unusually long unfinished line continues.
    typical = statistics.median(len(x) for x in nonblank)
    column = statistics.median(display_width(x) for x in nonblank)
    near_column = sum(1 for x in nonblank if 0.7 * column <= display_width(x) <= 1.2 * column)
    wrapped = typical <= 30 and len(nonblank) >= 8 and near_column >= 0.6 * len(nonblank)
    paragraphs: list[str] = []
    current = ""
    last_line = ""
    blank_before = False
    for i, line in enumerate(lines):
        if not line.strip():
            blank_before = True
            continue
        piece = remove_spaces(line)
        indented = line[:1].isspace()
        if not current:
            current = piece
        elif (
            not indented
            and not starts_dateline(lines, i)
            and _continues(last_line, piece, typical, column, wrapped, blank_before)
        ):
            current = join_pair(current, piece)
        else:
            paragraphs.append(current)
            current = piece
        last_line = piece
        blank_before = False
    if current:
        paragraphs.append(current)
    return paragraphs


def _continues(
    previous: str, line: str, typical: float, column: float, wrapped: bool, blank_before: bool
) -> bool:
    if END_MARK.search(previous) or EDITOR_NOTE.search(previous):
        return False
    if wrapped:
        # A line much longer than the column is a headline spanning columns, not body text.
        if len(line) > 1.8 * typical or len(previous) > 1.8 * typical:
            return False
        if ends_sentence(previous):
            # A paragraph's first line is indented, so shorter than the column; a full
            # line after a sentence end carries on the same paragraph.
            return display_width(line) >= column - 0.5 and not _looks_like_heading(line)
        return not (blank_before and _looks_like_heading(line))
    if ends_sentence(previous) or blank_before:
        return False
    # Unwrapped text: a long line cut mid-sentence continues; a short line is a heading.
    return len(previous) > 40 and bool(CJK_CHAR.search(line[:1]) or line[:1].isalnum())


def _looks_like_heading(line: str) -> bool:
    return line.startswith(("“", '"')) and not CJK_CHAR.search(line[-1:] or "。")
