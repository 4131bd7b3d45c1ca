"""Text lines, photo boxes and horizontal rules of one PDF page, from pypdfium2's character boxes."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pypdfium2 as pdfium

# Two characters on one line further apart than this (in font sizes) are in different
# columns: CJK text sets characters edge to edge, Latin word spaces are ~0.3 em.
GUTTER_EM = 0.9
_SPACE_EM = 0.2
VERTICAL_RUN = 3  # one-character pieces stacked straight down that make vertical text
BOLD_SHARE = 0.8  # of a line's characters drawn bold that make the line bold


@dataclass
class Box:
    x0: float
    y0: float  # PDF coordinates: y grows upwards, y0 is the bottom
    x1: float
    y1: float


@dataclass
class Line(Box):
    text: str = ""
    size: float = 0.0
    # Characters drawn bold (filled and stroked, pdfium's fake bold, or a font weight of 600
    # to 1000), of `chars` characters: a sub-heading set at the body's size.
    bold_chars: int = 0
    chars: int = 0
    # Set in vertical text (characters stacked top to bottom, columns read right to left):
    # in a newspaper, mostly a photo's caption set beside it.
    vertical: bool = False
    # Where the content stream draws it (the first of its pieces): the order the producer
    # wrote, used where the page is a diagram rather than columns (`xy_cut`).
    order: int = 0

    @property
    def bold(self) -> bool:
        return self.chars > 0 and self.bold_chars >= BOLD_SHARE * self.chars


@dataclass
class PageContent:
    number: int  # 1-based
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    images: list[Box] = field(default_factory=list)
    rules: list[float] = field(default_factory=list)  # y of rules across much of the page
    # Characters pdfium gave that are not valid text: lone UTF-16 surrogates and
    # private-use glyphs (fonts without a usable Unicode map). Dropped, and counted here.
    dropped_chars: int = 0


@dataclass
class _Char:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    space_before: bool
    bold: bool = False


def read_page(page: pdfium.PdfPage, number: int) -> PageContent:
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        chars, dropped = _chars(textpage)
    finally:
        textpage.close()
    content = PageContent(number, width, height, _lines(chars), dropped_chars=dropped)
    _add_objects(page, content)
    return content


def is_private_use(code: int) -> bool:
    return 0xE000 <= code <= 0xF8FF or code >= 0xF0000


def _chars(textpage: pdfium.PdfTextPage) -> tuple[list[_Char], int]:
    """The page's characters as valid Unicode, and how many were dropped. pdfium gives
    UTF-16 code units: a surrogate pair is one character (drawn in its first unit's box);
    a lone surrogate or a private-use glyph is dropped."""
    import pypdfium2.raw as pdfium_c

    chars: list[_Char] = []
    rect = pdfium_c.FS_RECTF()
    matrix = pdfium_c.FS_MATRIX()
    space = False
    dropped = 0
    count = pdfium_c.FPDFText_CountChars(textpage)
    skip_next = False
    for index in range(count):
        if skip_next:
            skip_next = False
            continue
        code = pdfium_c.FPDFText_GetUnicode(textpage, index)
        if 0xD800 <= code <= 0xDBFF and index + 1 < count:
            low = pdfium_c.FPDFText_GetUnicode(textpage, index + 1)
            if 0xDC00 <= low <= 0xDFFF:
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                skip_next = True
        if 0xD800 <= code <= 0xDFFF or is_private_use(code):
            dropped += 1
            continue
        text = chr(code)
        if code < 32 or text.isspace():
            space = True
            continue
        if pdfium_c.FPDFText_IsGenerated(textpage, index) == 1:
            continue
        if not pdfium_c.FPDFText_GetLooseCharBox(textpage, index, rect):
            continue
        size = pdfium_c.FPDFText_GetFontSize(textpage, index)
        # pdfium gives the size the content stream sets (`Tf`), before the text matrix:
        # a producer that writes `360 Tf` under a 0.05 matrix draws 18pt text.
        if pdfium_c.FPDFText_GetMatrix(textpage, index, matrix):
            size *= math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
        if size <= 1:  # no usable font size: use the box height
            size = rect.top - rect.bottom
        chars.append(
            _Char(
                text,
                rect.left,
                rect.bottom,
                rect.right,
                rect.top,
                size,
                space,
                _bold(pdfium_c, textpage, index),
            )
        )
        space = False
    return chars, dropped


def _bold(pdfium_c: ModuleType, textpage: pdfium.PdfTextPage, index: int) -> bool:
    """Drawn bold: filled and stroked (how a producer fakes bold), or a font weight pdfium
    reads as bold (some fonts report nonsense such as 2140 for every glyph: not bold).
    `pdfium_c` is pypdfium2.raw, imported once by the caller."""
    weight = pdfium_c.FPDFText_GetFontWeight(textpage, index)
    if 600 <= weight <= 1000:
        return True
    obj = pdfium_c.FPDFText_GetTextObject(textpage, index)
    return bool(obj) and (
        pdfium_c.FPDFTextObj_GetTextRenderMode(obj) == pdfium_c.FPDF_TEXTRENDERMODE_FILL_STROKE
    )


def _same_line(a: Line, b: _Char | Line) -> bool:
    size = min(a.size, b.size)
    if abs(a.size - b.size) > 0.15 * max(a.size, b.size):
        return False
    # On one baseline, or centred on the line: a flat glyph such as 「一」 can get a box only
    # as tall as its stroke, half-way up the line, from a font without usable metrics.
    if abs(a.y0 - b.y0) > 0.3 * size and abs(_middle(a) - _middle(b)) > 0.3 * size:
        return False
    gap = b.x0 - a.x1
    # Overlap up to an em: kerning, and ligatures ("fi" gives two characters in one box).
    return -size <= gap <= GUTTER_EM * size


def _middle(box: Line | _Char) -> float:
    return (box.y0 + box.y1) / 2


def _lines(chars: list[_Char]) -> list[Line]:
    """Runs of characters on one baseline with no column gutter inside, in any content order."""
    segments: list[tuple[Line, list[float]]] = []
    for char in chars:
        if segments and _same_line(segments[-1][0], char):
            line, sizes = segments[-1]
            gap = char.x0 - line.x1
            if char.space_before or gap > _SPACE_EM * char.size:
                line.text += " "
            line.text += char.text
            line.chars += 1
            line.bold_chars += int(char.bold)
            line.x1 = max(line.x1, char.x1)
            line.y0, line.y1 = min(line.y0, char.y0), max(line.y1, char.y1)
            sizes.append(char.size)
            continue
        first = Line(char.x0, char.y0, char.x1, char.y1, char.text, char.size, int(char.bold), 1)
        first.order = len(segments)
        segments.append((first, [char.size]))
    lines = []
    for line, sizes in segments:
        line.size = statistics.median(sizes)
        lines.append(line)
    return _merge_pieces(_vertical_text(lines))


def _vertical_text(lines: list[Line]) -> list[Line]:
    """Runs of at least `VERTICAL_RUN` one-character pieces, each drawn straight under the
    one before, as one vertical line; neighbouring vertical lines as one block of vertical
    text, its columns read right to left. Left as they are, the pieces of two columns
    side by side would be joined across, row by row (「金韩惠国景总合统」)."""
    columns: list[Line] = []
    out: list[Line] = []
    run: list[Line] = []

    def close_run() -> None:
        if len(run) >= VERTICAL_RUN:
            columns.append(_vertical_line(run))
        else:
            out.extend(run)
        run.clear()

    for line in lines:
        if line.chars == 1 and run and _stacked(run[-1], line):
            run.append(line)
            continue
        close_run()
        if line.chars == 1:
            run.append(line)
        else:
            out.append(line)
    close_run()
    return out + _vertical_blocks(columns)


def _stacked(above: Line, below: Line) -> bool:
    """`below` is the next character down a vertical line: centred under `above`, close
    under it (a credit spread out to the column's foot, 「申 宏 摄」, sets its characters
    further apart, but flush with the column's edge)."""
    size = max(above.size, below.size)
    gap = above.y0 - below.y1
    flush = abs(above.x0 - below.x0) <= 0.1 * size
    return (
        abs(above.size - below.size) <= 0.15 * size
        and abs((above.x0 + above.x1) / 2 - (below.x0 + below.x1) / 2) <= 0.5 * size
        and -0.4 * size <= gap <= (1.5 if flush else 0.8) * size
    )


def _vertical_blocks(columns: list[Line]) -> list[Line]:
    """Vertical lines that stand side by side (less than two characters apart, sharing
    some height) as one block: its columns read right to left, the pieces of one column
    (a credit set apart at its foot) top to bottom."""
    group = list(range(len(columns)))

    def root(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    for i, a in enumerate(columns):
        for j in range(i):
            b = columns[j]
            apart = max(a.x0 - b.x1, b.x0 - a.x1)
            if apart <= 2 * a.size and min(a.y1, b.y1) > max(a.y0, b.y0):
                group[root(i)] = root(j)
    blocks: dict[int, list[Line]] = {}
    for i, column in enumerate(columns):
        blocks.setdefault(root(i), []).append(column)
    for block in blocks.values():
        block.sort(key=lambda c: (-round((c.x0 + c.x1) / (2 * c.size)), -c.y1))
    return [_vertical_line(block) for block in blocks.values()]


def _vertical_line(pieces: list[Line]) -> Line:
    """One vertical line of `pieces` in reading order: their text joined, their boxes'
    union, their median size."""
    return Line(
        min(p.x0 for p in pieces),
        min(p.y0 for p in pieces),
        max(p.x1 for p in pieces),
        max(p.y1 for p in pieces),
        "".join(p.text for p in pieces),
        statistics.median(p.size for p in pieces),
        sum(p.bold_chars for p in pieces),
        sum(p.chars for p in pieces),
        vertical=True,
        order=min(p.order for p in pieces),
    )


def _merge_pieces(lines: list[Line]) -> list[Line]:
    """Join pieces of one line that the content stream drew apart (out of order)."""
    lines.sort(key=lambda line: (-round(line.y0), line.x0))
    merged: list[Line] = []
    for line in lines:
        last = merged[-1] if merged else None
        if last is not None and not (last.vertical or line.vertical) and _same_line(last, line):
            gap = line.x0 - last.x1
            last.text += (" " if gap > _SPACE_EM * line.size else "") + line.text
            last.chars += line.chars
            last.bold_chars += line.bold_chars
            last.x1 = max(last.x1, line.x1)
            last.y0, last.y1 = min(last.y0, line.y0), max(last.y1, line.y1)
            last.order = min(last.order, line.order)
            continue
        merged.append(line)
    return merged


def _add_objects(page: pdfium.PdfPage, content: PageContent) -> None:
    import pypdfium2.raw as pdfium_c

    wanted = [pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_PATH]
    for obj in page.get_objects(filter=wanted, max_depth=2):
        x0, y0, x1, y1 = obj.get_bounds()
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            x0, y0, x1, y1 = _clipped(obj, (x0, y0, x1, y1))
        w, h = x1 - x0, y1 - y0
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            if w >= 20 and h >= 20:
                content.images.append(Box(x0, y0, x1, y1))
        elif w >= 0.4 * content.width and h <= 3:
            content.rules.append((y0 + y1) / 2)


def _clipped(
    obj: pdfium.PdfObject, bounds: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    """The part of an object's `bounds` inside its clip path: a newspaper photo is often
    placed larger than its frame and cut to it (one drawn from x -61 to 647 shows from 9 to
    585), and its unclipped box would cover the gutter beside the frame."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    clip = pdfium_c.FPDFPageObj_GetClipPath(obj.raw)
    if not clip:
        return bounds
    xs: list[float] = []
    ys: list[float] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    for path in range(pdfium_c.FPDFClipPath_CountPaths(clip)):
        for index in range(pdfium_c.FPDFClipPath_CountPathSegments(clip, path)):
            segment = pdfium_c.FPDFClipPath_GetPathSegment(clip, path, index)
            if segment and pdfium_c.FPDFPathSegment_GetPoint(
                segment, ctypes.byref(x), ctypes.byref(y)
            ):
                xs.append(x.value)
                ys.append(y.value)
    if not xs:
        return bounds
    x0, y0 = max(bounds[0], min(xs)), max(bounds[1], min(ys))
    x1, y1 = min(bounds[2], max(xs)), min(bounds[3], max(ys))
    return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else bounds
