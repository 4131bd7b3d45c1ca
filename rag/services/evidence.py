"""Evidence in passage text: verbatim spans, the sentences that hold them, their offsets.

Matching is done on a normalised copy of the text (full-width forms to ASCII, whitespace
removed, Latin lower-cased), the same normalisation the eval and the grounding checks use,
and every match is mapped back to character offsets in the original passage, so that a UI
can highlight exactly what an answer stands on.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

# A sentence ends at these marks (and at a line break); closing quotes and brackets that
# follow the mark belong to the sentence.
_SENTENCE_END = "。！？!?"
_CLOSERS = "”’」』）)】》\"'"
# A clause of a sentence: what a semicolon separates (several counties, several years).
_CLAUSE_END = "；;"
# The unit written right after a figure: 「107.37」 → 「107.37亿元」, 「4」 → 「4分钟」.
_UNIT_AFTER = re.compile(
    r"\s*(?:%|‰|℃|[万亿千百十]{0,2}(?:美元|欧元|英镑|日元|日圆|港元|港币|韩元|越南盾|元|吨|千瓦时|千瓦|瓦|"
    r"平方公里|平方米|立方米|公顷|千米|公里|厘米|毫米|公分|英里|英尺|英寸|海里|光年|米|"
    r"分钟|小时|秒|个月|周|个|座|项|家|人次|人|辆|台|亩|户|名|次|倍|天|年|岁|届|场|部|集|首|本|张|件|位|所|种|条|只|头|"
    r"公斤|毫克|斤|克|毫升|升|度)|[万亿千百])"
)
# The start of a range written before a figure: 「15至20厘米」 and 「50米至1,520米」 hold
# 「20厘米」 and 「1,520米」; and the word that makes it approximate or a bound: 「约65厘米」
# is not 「65厘米」, nor 「超过1800个」 「1800个」 (the 约 of 签约 and the 近 of 附近 are
# not those words).
_RANGE_BEFORE = re.compile(
    r"(?:(?:大约|约为|约有|超过|不足|不到|至少|多达|高达|将近|接近|逾|"
    r"(?<![签节条制预公合契违履邀相缔婚誓集隐])约|(?<![最附靠临邻亲就远])近)\s*)?"
    rf"(?:\d[\d,]*(?:\.\d+)?(?:{_UNIT_AFTER.pattern})?\s*(?:至|到|~|～|-|–|—)\s*)?$"
)

# A rate written before its figure: 「每平方公里69670人」 is a density, 「69670人」 a population.
_RATE_BEFORE = re.compile(
    r"(?:每|人均)(?:平方|立方)?(?:公里|千米|公顷|亩|米|百人|千人|万人|十万人|人|百户|户|年|月|天|日|小时|"
    r"吨|股|辆|台|家|周|场|次|公斤|克|升)?\s*$"
)
# A measure written in two units, the second unnamed or smaller: 「2米11」 (2 m 11 cm),
# 「21时54分」, 「3分33秒62」; its first part alone is another figure. An unnamed second
# part is followed by no word (「120平方米12栋」 counts buildings).
_COMPOUND_AFTER = re.compile(
    r"(?<=米|时|分|秒|尺|斤|呎)\d{1,2}"
    r"(?:(?:厘米|公分|分钟|分|秒|寸|两|吋)(?![\d.,])|(?![\d.,\u4e00-\u9fff]))"
)


@dataclass(frozen=True)
class Normalised:
    """`text` normalised, with `origin[i]` the index in the original of normalised char i."""

    text: str
    origin: tuple[int, ...]


def normalise_char(ch: str) -> str:
    if ch.isspace():
        return ""
    if ch == "×":  # 「4×50米」 and 「4x200米」: texts write the sign both ways
        return "x"
    return unicodedata.normalize("NFKC", ch).lower()


@lru_cache(maxsize=256)
def normalised(text: str) -> Normalised:
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for out in normalise_char(ch):
            if out.isspace():
                continue
            chars.append(out)
            origin.append(i)
    return Normalised("".join(chars), tuple(origin))


def normalise(text: str) -> str:
    return normalised(text).text


@lru_cache(maxsize=256)
def _without_punctuation(text: str) -> Normalised:
    """`normalised(text)` less its punctuation, still mapped to the original offsets."""
    base = normalised(text)
    kept = [i for i, ch in enumerate(base.text) if not unicodedata.category(ch).startswith("P")]
    return Normalised("".join(base.text[i] for i in kept), tuple(base.origin[i] for i in kept))


def _cuts_a_number(text: str, start: int, end: int) -> bool:
    """「65.6」 found inside 「165.6」 or 「65.67」 is not that number, nor 「50米」 inside
    「4×50米」 (a relay of four times 50 metres)."""
    before = text[max(0, start - 2) : start]
    after = text[end : end + 2]
    starts_digit = text[start : start + 1].isdigit()
    ends_digit = text[end - 1 : end].isdigit()
    return (starts_digit and _joins(before[::-1])) or (ends_digit and _joins(after))


def _joins(beside: str) -> bool:
    """Whether the characters beside a number (nearest first) carry it on: a digit, or a
    decimal point or times sign with a digit after it."""
    return beside[:1].isdigit() or (beside[:1] in ".×xX" and beside[1:2].isdigit())


def find_all(span: str, text: str, punctuation: bool = True) -> list[tuple[int, int]]:
    """Every place `span` occurs in `text` after normalisation, as (start, end) offsets in
    the original `text` (end exclusive); never part of a longer number. With
    `punctuation=False` both sides are compared without their punctuation (a model that
    wrote 「1927年3月12日由…」 for the text's 「1927年3月12日，由…」)."""
    hay, needle = (
        (normalised(text), normalise(span))
        if punctuation
        else (_without_punctuation(text), _without_punctuation(span).text)
    )
    if not needle:
        return []
    found = []
    at = hay.text.find(needle)
    while at >= 0:
        start, end = hay.origin[at], hay.origin[at + len(needle) - 1] + 1
        if not _cuts_a_number(text, start, end):
            found.append((start, end))
        at = hay.text.find(needle, at + 1)
    return found


def _is_mark(text: str, at: int, marks: str) -> bool:
    """Whether text[at] ends a stretch: one of `marks` or a line break, but not the comma
    of a number (「1,980米」 is one figure, not two phrases)."""
    ch = text[at]
    if ch == "\n":
        return True
    if ch == "," and 0 < at < len(text) - 1 and text[at - 1].isdigit() and text[at + 1].isdigit():
        return False
    return ch in marks


def _bounds(text: str, start: int, end: int, marks: str) -> tuple[int, int]:
    """The stretch of `text` around [start, end) between two of `marks` (or line breaks):
    the mark that ends it and any closing quotes after the mark are included."""
    left = start
    while left > 0 and not _is_mark(text, left - 1, marks):
        left -= 1
    # Closing quotes right after the previous mark belong to the previous stretch.
    while left < start and text[left] in _CLOSERS and left > 0 and text[left - 1] in marks:
        left += 1
    right = end
    if not (end > start and _is_mark(text, end - 1, marks)):
        while right < len(text) and not _is_mark(text, right, marks):
            right += 1
        if right < len(text) and text[right] in marks:
            right += 1
    while right < len(text) and text[right] in _CLOSERS:
        right += 1
    while left < right and text[left].isspace():
        left += 1
    while right > left and text[right - 1].isspace():
        right -= 1
    return left, right


_PAIRS = {"“": "”", "「": "」", "『": "』", "《": "》", "（": "）", "(": ")", "【": "】"}
_ITEM_MARKS = "、，,；;：:"  # what sets off the name a bracket follows
_MAX_NAME = 12


def balanced(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) with the other half of a pair of marks it opens or closes, where its
    sentence holds it: 「提倡“为艺术而艺术”」, not 「提倡“为艺术而艺术」; a bracket with the
    item it glosses where a mark sets that off (「、日本牡蒿（河北、陕西）」: 「日本牡蒿（河北、
    陕西）、…」, not 「河北、陕西）、…」)."""
    left, right = sentence_bounds(text, start, end)
    span = text[start:end]
    for opening, closing in _PAIRS.items():
        if span.count(opening) > span.count(closing):
            found = text.find(closing, end, right)
            end = found + 1 if found >= 0 else end
        elif span.count(closing) > span.count(opening):
            found = text.rfind(opening, left, start)
            if found >= 0 and opening in "（(":
                # the item the bracket glosses, where a mark close before sets it off
                reach = max(found - _MAX_NAME, left)
                item = max(text.rfind(mark, reach, found) for mark in _ITEM_MARKS)
                found = item + 1 if item >= 0 else found
            start = found if found >= 0 else start
    return start, end


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of the whole sentence(s) of `text` that hold [start, end)."""
    left, right = _bounds(text, start, end, _SENTENCE_END)
    return min(left, start), max(right, end)


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of the semicolon clause (within its sentence) that holds [start, end)."""
    return _bounds(text, start, end, _SENTENCE_END + _CLAUSE_END)


def phrase_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of the comma phrase that holds [start, end): 「白酒产业营业收入占全国近6%」."""
    return _bounds(text, start, end, _SENTENCE_END + _CLAUSE_END + "，,：:")


def previous_sentence(text: str, sentence_start: int) -> str:
    """The sentence before the one starting at `sentence_start` ('' at the passage start)."""
    if sentence_start <= 0:
        return ""
    end = sentence_start
    while end > 0 and text[end - 1].isspace():
        end -= 1
    mark = end
    while mark > 0 and text[mark - 1] in _CLOSERS:
        mark -= 1
    if mark <= 0:
        return ""
    left, _ = _bounds(text, mark - 1, mark, _SENTENCE_END)
    return text[left:end]


def with_unit(text: str, start: int, end: int) -> int:
    """The end of a figure at [start, end) with the unit that follows it in `text` (when the
    span ends in a digit and a unit follows) and the rest of a measure in two units
    (「2米」 of 「2米11」, 「3分33秒」 of 「3分33秒62」), else `end`."""
    if end <= start:
        return end
    if text[end - 1].isdigit():
        match = _UNIT_AFTER.match(text, end)
        end = match.end() if match and match.group(0).strip() else end
    while text[start:end][:1].isdigit() and (more := _COMPOUND_AFTER.match(text, end)):
        end = more.end()
    return end


def unit_of(figure: str) -> str:
    """The unit written after the number `figure` opens with (「公斤」 of 「118公斤」, 「年」 of
    「2025年1-9月」), '' when it opens with no number or has no unit."""
    number = re.match(r"(?:约|大约)?\d[\d,]*(?:\.\d+)?", figure)
    unit = _UNIT_AFTER.match(figure, number.end()) if number else None
    return unit.group(0).strip() if unit else ""


def figure_start(text: str, start: int) -> int:
    """Where a figure at `start` starts with the range it closes and the 约 before it
    (「约15至20厘米」 for 「20厘米」) and the rate it is given for (「每平方公里69670人」),
    else `start`."""
    if start >= len(text) or not text[start].isdigit():
        return start
    before = text[max(0, start - 18) : start]
    match = _RANGE_BEFORE.search(before)
    start -= len(before) - match.start() if match else 0
    before = text[max(0, start - 8) : start]
    rate = _RATE_BEFORE.search(before)
    return start - (len(before) - rate.start()) if rate else start


_RANGE_REPLY = re.compile(
    r"^(?:约|大约)?\s*(\d[\d,]*(?:\.\d+)?)\s*[^\d\s]{0,4}?\s*(?:至|到|~|～|-|–|—)\s*(\d[\d,]*(?:\.\d+)?)"
    r"\s*[^\d\s]{0,4}$"
)


def _number(written: str) -> str:
    """A pattern for a number however its thousands are written: 2300 → 2,?300."""
    whole, _, decimals = written.replace(",", "").partition(".")
    whole = re.sub(r"(?<=\d)(?=(?:\d{3})+$)", ",?", whole)
    return whole + (rf"\.{decimals}" if decimals else "")


def find_range(span: str, text: str) -> list[tuple[int, int]]:
    """A range the model wrote its own way (「200-2300」, 「15~20厘米」) where `text` writes
    it with units and other marks (「200米至2,300米」): each place, with the unit after it."""
    match = _RANGE_REPLY.match(normalise(span))
    if not match:
        return []
    low, high = (_number(g) for g in match.groups())
    pattern = re.compile(
        rf"(?<![\d.,]){low}\s*[^\d\s，,。；;]{{0,4}}?\s*(?:至|到|~|～|-|－|–|—)\s*{high}(?![\d])"
    )
    return [(m.start(), with_unit(text, m.start(), m.end())) for m in pattern.finditer(text)]


def longest_common_run(span: str, text: str) -> tuple[int, int, int]:
    """The longest run of normalised `span` found in `text`: (span start, span end, length),
    in normalised span coordinates."""
    a = normalise(span)
    b = normalise(text)
    best = (0, 0, 0)
    # Dynamic programming over the two strings; spans are short (a model's reply line).
    previous = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        current = [0] * (len(b) + 1)
        ai = a[i - 1]
        for j in range(1, len(b) + 1):
            if ai == b[j - 1]:
                current[j] = previous[j - 1] + 1
                if current[j] > best[2]:
                    best = (i - current[j], i, current[j])
        previous = current
    return best


def aligned_stretch(span: str, text: str, min_share: float = 0.85) -> list[tuple[int, int]]:
    """Where a sentence of `text` says `span` in nearly its words (a model that dropped a
    parenthesis, a comma or a 的: 「太原郡晋阳县的晋陵郡太守王蕴之女」 for 「太原郡晋阳县（今山西省
    太原市），晋陵郡太守王蕴之女」): the stretch from the first to the last character of the
    span's longest common subsequence with that sentence, when that subsequence holds
    `min_share` of the span's characters (punctuation aside) and the stretch is at most half
    as long again. Every such sentence, best first; [] for a span under 6 characters."""
    needle = _without_punctuation(span).text
    if len(needle) < 6:
        return []
    hay = _without_punctuation(text)
    found: list[tuple[int, int, int]] = []
    begin = 0
    for piece in re.split(rf"(?<=[{_SENTENCE_END}\n])", text):
        end = begin + len(piece)
        # The sentence's characters in the punctuation-free text: [lo, hi).
        lo, hi = bisect_left(hay.origin, begin), bisect_left(hay.origin, end)
        matched = _common_subsequence(needle, hay.text[lo:hi])
        begin = end
        if len(matched) < min_share * len(needle):
            continue
        first, last = lo + matched[0], lo + matched[-1]
        if last - first + 1 > 1.5 * len(needle):
            continue
        found.append((len(matched), hay.origin[first], hay.origin[last] + 1))
    return [(a, b) for _, a, b in sorted(found, key=lambda f: -f[0])]


def _common_subsequence(a: str, b: str) -> list[int]:
    """The positions in `b` of a longest common subsequence of `a` and `b`, in order."""
    if not a or not b:
        return []
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            table[i][j] = (
                table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j], table[i][j + 1])
            )
    positions, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            positions.append(j)
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return positions


_CN_DIGIT = "零一二三四五六七八九"


def positional_numeral(number: int) -> str:
    """19 → 十九, 10 → 十, 305 → 三百零五 (numbers below 10,000)."""
    if number < 10:
        return _CN_DIGIT[number]
    out = ""
    zero = False
    for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // value % 10
        if digit:
            if zero:
                out += "零"
            out += ("" if value == 10 and number < 20 else _CN_DIGIT[digit]) + name
            zero = False
        elif out:
            zero = True
    return out


def chinese_numerals(span: str) -> str:
    """The span with its whole numbers as Chinese numerals, the way a text writes them:
    a year digit by digit (1961年 → 一九六一年), other numbers positionally (19世纪 → 十九世纪,
    9月10日 → 九月十日). '' when the span has no whole number to rewrite."""

    def spell(match: re.Match[str]) -> str:
        digits = match.group(0)
        if len(digits) == 4 and span[match.end() : match.end() + 1] == "年":
            return "".join(_CN_DIGIT[int(d)] for d in digits).replace("零", "〇")
        return positional_numeral(int(digits))

    pattern = re.compile(r"(?<![\d.,])\d{1,4}(?![\d.,])")
    return pattern.sub(spell, span) if pattern.search(span) else ""


def find_in_order(pieces: list[str], text: str) -> list[tuple[int, int]]:
    """Where `pieces` occur one after another inside one sentence of `text` (「从竹根部地下茎
    繁发竹笋」「开花结子后撒落地上繁殖成林」 from 「一是从…，二是开花结子后…」): the span
    from the first piece's start to the last piece's end, for each place the first occurs."""
    found = []
    for start, end in find_all(pieces[0], text):
        _, sentence_end = sentence_bounds(text, start, end)
        last = end
        for piece in pieces[1:]:
            later = [(a, b) for a, b in find_all(piece, text) if a >= last and b <= sentence_end]
            if not later:
                break
            last = later[0][1]
        else:
            found.append((start, last))
    return found
