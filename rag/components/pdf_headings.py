"""Headings set at the body's size: a short row of text centred over the text block, and
a short bold line on a page whose body is not bold (a section's sub-heading).

A chapter or article title in a report or a book is often set in the body's size, in bold,
and centred (「第六章、三角形原理的普遍意义」), sometimes in pieces (「第五章」 and
「工程建设标准强制性条文执行情况」 a space apart). Font size cannot tell it from the body; its
place can: body lines start at the left edge, and a last line that ends short starts there
too. A row whose pieces together are centred (within 1.5 body sizes), cover at most 3/4
of the text's width, end without a sentence mark, do not name a table or figure, and
stand over a line of body text across the whole width, is a heading: its pieces are
joined into one line.
"""

from __future__ import annotations

import re

from rag.components.chinese_tokens import HAN
from rag.components.pdf_chars import Line

CENTRE_EM = 1.5  # how far off the text's centre a heading's centre may be, in body sizes
MAX_SHARE = 0.75  # of the text's width
MAX_CHARS = 40
_NOT_HEADING = re.compile(
    r"^(?:图表|表格|附表|附图|表|图|资料来源|数据来源|来源|注|Figure|Table|Fig\.)\s*[\d一二三四五六七八九十:：]",
    re.IGNORECASE,
)
_ENDS = tuple("。！？；，、：!?;,:")


def centred_headings(lines: list[Line], body_size: float) -> tuple[list[Line], set[int]]:
    """`lines` with each centred heading row joined into one line, and the ids of those."""
    if not lines:
        return lines, set()
    left = min(line.x0 for line in lines)
    right = max(line.x1 for line in lines)
    centre, width = (left + right) / 2, right - left
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda item: (-item.y1, item.x0)):
        row = next((r for r in rows if _same_row(r[0], line)), None)
        if row is None:
            rows.append([line])
        else:
            row.append(line)
    out: list[Line] = []
    headings: set[int] = set()
    for i, row in enumerate(rows):
        row.sort(key=lambda item: item.x0)
        below = rows[i + 1] if i + 1 < len(rows) else []
        x0, x1 = row[0].x0, max(item.x1 for item in row)
        text = " ".join(item.text.strip() for item in row)
        gaps = [b.x0 - a.x1 for a, b in zip(row, row[1:], strict=False)]
        if (
            _full_width(below, left, right, body_size)
            and abs((x0 + x1) / 2 - centre) <= CENTRE_EM * body_size
            and x1 - x0 <= MAX_SHARE * width
            and all(gap <= 2 * body_size for gap in gaps)
            and HAN.search(text)
            and len(text.replace(" ", "")) <= MAX_CHARS
            and not text.rstrip().endswith(_ENDS)
            and not _NOT_HEADING.match(text.strip())
        ):
            joined = Line(
                x0,
                min(item.y0 for item in row),
                x1,
                max(item.y1 for item in row),
                text,
                max(item.size for item in row),
                order=min(item.order for item in row),
            )
            headings.add(id(joined))
            out.append(joined)
        else:
            out += row
    return out, headings


def _full_width(row: list[Line], left: float, right: float, body_size: float) -> bool:
    """The row below is body text across the whole width: what a heading stands over (a
    table cell or a chart label stands over more cells and labels)."""
    return (
        len(row) == 1 and row[0].x0 - left <= 3 * body_size and right - row[0].x1 <= 1.5 * body_size
    )


def _same_row(a: Line, b: Line) -> bool:
    return abs(a.y0 - b.y0) <= 0.3 * min(a.size, b.size)


def is_subheading(line: Line, right: float, body_size: float) -> bool:
    """A sub-heading inside an article (「盈利预测调整说明」, 「一、总体情况」): a line at the
    body's size drawn bold, that ends short of the column's right edge (a bold lead
    sentence that wraps runs to it) without a sentence mark, and names no table or figure.
    It is a paragraph of its own, not the start of the sentence below it. Only on a page
    whose body is not bold (the caller's test)."""
    text = line.text.strip()
    return (
        line.bold
        and bool(HAN.search(text))
        and len(text.replace(" ", "")) <= MAX_CHARS
        and not text.endswith(_ENDS)
        and not _NOT_HEADING.match(text)
        and right - line.x1 >= 2 * line.size
        and abs(line.size - body_size) <= 0.15 * body_size
    )
