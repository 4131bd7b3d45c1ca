"""Articles of a PDF from character positions: columns, reading order, headlines, captions, furniture.

Page by page (memory stays bounded by the text, not the PDF): lines are split at column
gutters (`pdf_chars`), page furniture outside the header/footer rules is dropped, the rest
is ordered by recursive XY-cut (`xy_cut`), and each line gets a role from its font size.
Across pages, headers and footers repeated on most pages are dropped (the issue date they
print dates the page's articles), then `pdf_articles` makes articles: a headline starts
one, body blocks join it in reading order, a sentence cut at the foot of a column or page
continuing in the next block.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rag.components.chinese_tokens import HAN, is_word
from rag.components.page_layout import PageLayout, SetAside
from rag.components.pdf_articles import Block, Role, assemble_articles, join_lines, masthead_line
from rag.components.pdf_chars import Box, Line, PageContent, read_page
from rag.components.pdf_headings import centred_headings, is_subheading
from rag.components.pdf_noise import beside, is_background, noise_kind, on_image
from rag.components.text_repair import ends_sentence, normalize_width, remove_spaces
from rag.components.xy_cut import Piece, xy_cut

HEADLINE_RATIO = 1.25  # font size over the body size that makes a headline
SMALL_RATIO = 0.88  # font size under the body size that makes small print (captions)
COLUMN_GAP_EM = 0.6  # narrowest empty gutter (in body font sizes) that separates columns
REOPEN_PAGES = 50  # pdfium caches parsed objects per document: reopen to free them
RULE_BAND = 0.15  # header/footer rules lie in this top or bottom share of the page
FURNITURE_PIECES = 6  # at most this many line pieces above a header rule (below a footer rule)
SEPARATOR_SHARE = 0.5  # of the page width: a glyph rule this wide parts stories
WIDE_RULE_SHARE = 0.75  # of the text's width: the page is cut across at such a rule
BAND = 0.1  # top and bottom share of the page where running headers and footers sit
REPEATED_SHARE = 0.6  # a band line on this share of pages is a running header/footer
# Caption conventions of Chinese newspapers: "…… 新华社记者 王芳 摄", "……供图", "图为……", "▲……".
# The marks that open a caption also open other lines (「△代表加热」 in a chemistry chart):
# a line they open is a caption only beside a picture.
CAPTION_MARK = re.compile(r"^(?:图为|▲|△|图[:：]|上图|下图)")
CAPTION_RULE = re.compile(
    r"(?:(?<!拍)摄|供图|图片来源[:：].*|\(图\)|（图）)$|" + CAPTION_MARK.pattern
)
CAPTION_CHARS = 150  # at most this long, under a photo and ending in a credit: its caption
_PAGE_NUMBER = re.compile(r"^[\W_]*(?:第?\s*\d+\s*[版页]?)[\W_]*$")
# 「◎文／姜钦峰」, 「文/图 王芳」, 「记者 王小军 李明」, 「本报记者 王芳 通讯员 李明」
BYLINE = re.compile(
    r"^(?:[◎○●□■◆◇☆★]\s*)?(?:(?:文|图|文图|文/图|撰文|作者)\s*[／/:：]\s*"
    r"|(?:本报|特约)?记者\s*)[\u4e00-\u9fff·]{2,4}(?:\s+[\u4e00-\u9fff·]{2,4}){0,3}"
    r"(?:\s*(?:通讯员|实习生)\s*[\u4e00-\u9fff·]{2,4})?$"
    # 「□ 田昀澍」: a commentary's author after the mark alone (not 「■ 投资要点」, a bullet)
    r"|^[◎□]\s*[\u4e00-\u9fff·]{2,4}$"
)
# A section label set in brackets: 「【生活智慧】」, 「［本期关注］」
SECTION_LABEL = re.compile(r"^[【［\[〖][^】］\]〗]{1,10}[】］\]〗]$")
# Punctuation inside a headline where a decorative glyph was (「内.，心强大」)
_STRAY_MARKS = re.compile(r"(?<=[\u4e00-\u9fff])[.,，．。、·:：;；]{2,}(?=[\u4e00-\u9fff])")
_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


@dataclass
class PdfLayout:
    layout: PageLayout
    pages: int
    pages_without_text: list[int] = field(default_factory=list)
    dropped_chars: int = 0  # lone surrogates and private-use glyphs pdfium gave


def layout_pdf(source: bytes | Path, progress: bool = False) -> PdfLayout:
    """Articles of a PDF, reading one page at a time.

    pdfium keeps every object it has parsed until the document is closed, so the document
    is reopened every `REOPEN_PAGES` pages: memory then stays flat however long the PDF is.
    """
    import pypdfium2 as pdfium
    from tqdm import tqdm

    blocks: list[Block] = []
    set_aside: list[SetAside] = []
    without_text: list[int] = []
    page_dates: dict[int, str] = {}  # the date in a page's header or footer
    dropped_chars = 0
    pdf = pdfium.PdfDocument(source)
    count = len(pdf)
    try:
        for index in tqdm(range(count), desc="pdf layout", unit="page", disable=not progress):
            if index and index % REOPEN_PAGES == 0:
                pdf.close()
                pdf = pdfium.PdfDocument(source)
            page = pdf[index]
            try:
                content = read_page(page, index + 1)
            finally:
                page.close()
            dropped_chars += content.dropped_chars
            if not content.lines:
                without_text.append(index + 1)
                continue
            page_blocks, furniture, noise = page_blocks_of(content)
            blocks += page_blocks
            set_aside += [SetAside("furniture", text) for text in furniture]
            set_aside += [SetAside("noise", text) for text in noise]
            _note_date(page_dates, content.number, furniture)
    finally:
        pdf.close()
    blocks, dropped = _drop_running_furniture(blocks)
    for block in dropped:
        set_aside.append(SetAside("furniture", block.text))
        _note_date(page_dates, block.page, [block.text])
    for block in blocks:
        if masthead_line(block.text):  # the issue date in a masthead set in large type
            _note_date(page_dates, block.page, [block.text])
    layout = assemble_articles(blocks, page_dates)
    layout.set_aside = set_aside + layout.set_aside
    if without_text:
        pages = ", ".join(str(n) for n in without_text)
        layout.set_aside.append(
            SetAside("other", f"pages without a text layer (OCR is not supported): {pages}")
        )
    if dropped_chars:
        layout.set_aside.append(
            SetAside(
                "other",
                f"{dropped_chars} characters without a valid Unicode mapping (lone surrogates, "
                "private-use glyphs) were dropped",
            )
        )
    return PdfLayout(layout, count, without_text, dropped_chars)


def page_blocks_of(content: PageContent) -> tuple[list[Block], list[str], list[str]]:
    """One page's blocks in reading order, the header/footer text outside its rules, and
    the text that is not text (`pdf_noise`: ornaments, unreadable glyphs, specks)."""
    body_size = _body_size(content.lines)
    inside, furniture = _outside_rules(content)  # before the bands it finds are dropped
    content.images = [
        image
        for image in content.images
        if not is_background(image, content.width, content.height, content.lines)
    ]
    # A byline's name may be rare characters (田昀澍), not a decorative font's glyphs.
    kinds = [
        "" if BYLINE.match(_as_written(line.text)) else noise_kind(line, body_size)
        for line in inside
    ]
    unreadable = [line for line, kind in zip(inside, kinds, strict=True) if kind == "unreadable"]
    lines: list[Line] = []
    noise: list[str] = []
    separators: list[Box] = []
    for line, kind in zip(inside, kinds, strict=True):
        if not kind and any(beside(line, other) for other in unreadable):
            kind = "unreadable"  # the readable rest of a decorative heading: 「篱典藏」
        if kind:
            noise.append(f"{kind}: {line.text.strip()}")
            if kind != "unreadable" and line.x1 - line.x0 >= SEPARATOR_SHARE * content.width:
                # A rule drawn with glyphs is not text, but it still parts the stories
                # above and below it: reading order goes round it as round a picture.
                separators.append(Box(line.x0, line.y0, line.x1, line.y1))
        else:
            lines.append(line)
    row_gap = _row_gap(lines, body_size)
    lines, headings = centred_headings(lines, body_size)
    leaves = [
        leaf
        for band in _bands([*lines, *content.images], separators)
        for leaf in xy_cut(band, COLUMN_GAP_EM * body_size, row_gap, _stream_order)
    ]
    # Sub-headings are told by bold type only where the body is not bold itself.
    bold_body = sum(line.bold_chars for line in lines) >= 0.5 * sum(line.chars for line in lines)
    blocks: list[Block] = []
    for leaf in leaves:
        leaf_lines = [item for item in leaf if isinstance(item, Line)]
        if leaf_lines:
            leaf_blocks = _leaf_blocks(leaf_lines, content, body_size, headings, bold_body)
            if isinstance(leaf, Piece):  # a diagram's node: a paragraph of its own
                leaf_blocks[0].new_paragraph[0] = True
            blocks += leaf_blocks
    return blocks, furniture, noise


def _stream_order(item: Box) -> int | None:
    """Where the content stream draws a line; None for a picture."""
    return item.order if isinstance(item, Line) else None


def _bands(items: list[Box], separators: list[Box]) -> list[list[Box]]:
    """The page cut across at each glyph rule that spans most of the text: the stories
    above and below are read apart, however close they come to the rule. A narrower rule
    stays in the page as a box that reading order goes round."""
    if not items:
        return []
    left, right = min(i.x0 for i in items), max(i.x1 for i in items)
    wide = sorted(
        (s for s in separators if s.x1 - s.x0 >= WIDE_RULE_SHARE * (right - left)),
        key=lambda s: -s.y0,
    )
    narrow = [s for s in separators if all(s is not w for w in wide)]
    bands: list[list[Box]] = [[] for _ in range(len(wide) + 1)]
    for item in [*items, *narrow]:
        middle = (item.y0 + item.y1) / 2
        bands[sum(1 for rule in wide if middle < (rule.y0 + rule.y1) / 2)].append(item)
    return [band for band in bands if band]


def _body_size(lines: list[Line]) -> float:
    """The font size of most Chinese characters on the page (of most characters, on a page
    without them): a table of figures in small print can outnumber the body's characters."""
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[round(line.size * 2) / 2] += len(HAN.findall(line.text))
    if not sizes or sizes.most_common(1)[0][1] == 0:
        for line in lines:
            sizes[round(line.size * 2) / 2] += len(line.text)
    return sizes.most_common(1)[0][0]


def _outside_rules(content: PageContent) -> tuple[list[Line], list[str]]:
    """Lines between the header and footer rules, and the text outside them.

    A header rule is the topmost rule near the top of the page with only a few line pieces
    above it (title, date, page on one line); a rule with more above it separates articles.
    """
    height = content.height
    # A coloured band across the top or foot of the page with text printed on it (a
    # report's band with its date and rating) is a header or footer, as under a rule.
    bands = [
        image
        for image in content.images
        if image.x1 - image.x0 >= WIDE_RULE_SHARE * content.width
        and any(on_image(line, image) for line in content.lines)
    ]
    rules = [*content.rules, *(b.y0 if b.y0 > height / 2 else b.y1 for b in bands)]
    top = max((y for y in rules if y > height * (1 - RULE_BAND)), default=height + 1)
    bottom = min((y for y in rules if y < height * RULE_BAND), default=-1.0)
    if sum(1 for line in content.lines if line.y0 >= top) > FURNITURE_PIECES:
        top = height + 1
    if sum(1 for line in content.lines if line.y1 <= bottom) > FURNITURE_PIECES:
        bottom = -1.0
    inside: list[Line] = []
    outside: list[Line] = []
    for line in content.lines:
        middle = (line.y0 + line.y1) / 2
        (inside if bottom < middle < top else outside).append(line)
    return inside, [_repair(line.text) for line in outside]


def _row_gap(lines: list[Line], body_size: float) -> float:
    """Smallest vertical gap that separates blocks: wider than the usual gap between lines."""
    gaps = []
    ordered = sorted(lines, key=lambda line: (round(line.x0), -line.y1))
    for above, below in zip(ordered, ordered[1:], strict=False):
        gap = above.y0 - below.y1
        if round(above.x0) == round(below.x0) and 0 < gap < 2 * body_size:
            gaps.append(gap)
    usual = statistics.median(gaps) if gaps else 0.3 * body_size
    return usual + 0.35 * body_size


def _repair(text: str) -> str:
    return remove_spaces(normalize_width(text))


def _repair_headline(text: str) -> str:
    """Headlines keep a word space (「…两旺 前三季度…」); letter-spaced ones lose theirs, and
    so does a space inside a word (「世界辽 阔」: characters placed one by one). A run of
    marks between two characters is where a decorative glyph was (「内.，心强大」)."""
    text = re.sub(r"\s+", " ", normalize_width(text)).strip()
    text = _STRAY_MARKS.sub("", text)
    if text.count(" ") > 0.3 * len(text.replace(" ", "")):
        return remove_spaces(text)
    return re.sub(
        r"(?<=([\u4e00-\u9fff])) (?=([\u4e00-\u9fff]))",
        lambda m: "" if is_word(m.group(1) + m.group(2)) else " ",
        text,
    )


def _role(line: Line, body_size: float, content: PageContent, headings: set[int]) -> Role:
    if line.vertical:  # vertical text beside a photo: its caption
        return "caption"
    if line.size >= HEADLINE_RATIO * body_size or id(line) in headings:
        return "headline"
    if line.size <= SMALL_RATIO * body_size:
        return "caption" if _under_image(line, content.images) else "body"
    return "body"


def _under_image(line: Line, images: list[Box]) -> bool:
    """The line sits just below a photo (within three of its lines) and overlaps it sideways."""
    for image in images:
        below = image.y0 - line.y1
        if -0.5 * line.size <= below <= 3 * line.size and min(image.x1, line.x1) > max(
            image.x0, line.x0
        ):
            return True
    return False


def _near_image(line: Line, images: list[Box]) -> bool:
    """The line sits within three of its lines of a photo: under or over it and overlapping
    it sideways, or beside it and overlapping it up and down."""
    reach = 3 * line.size
    for image in images:
        across = min(image.x1, line.x1) > max(image.x0, line.x0)
        level = min(image.y1, line.y1) > max(image.y0, line.y0)
        gap_y = max(image.y0 - line.y1, line.y0 - image.y1)
        gap_x = max(image.x0 - line.x1, line.x0 - image.x1)
        if (across and gap_y <= reach) or (level and gap_x <= reach):
            return True
    return False


def _leaf_blocks(
    lines: list[Line],
    content: PageContent,
    body_size: float,
    headings: set[int],
    bold_body: bool = True,
) -> list[Block]:
    """Runs of lines with one role; small print running on from a caption is caption too.
    A sub-heading (a short bold line where the body is not bold) is a paragraph of its own."""
    right = max(line.x1 for line in lines)
    blocks: list[Block] = []
    members: list[list[Line]] = []  # each block's lines, as pdf_chars read them
    previous: Line | None = None
    after_subheading = False
    for i, line in enumerate(lines):
        role = _role(line, body_size, content, headings)
        subheading = not bold_body and role == "body" and is_subheading(line, right, body_size)
        small = line.size <= SMALL_RATIO * body_size
        if (
            blocks
            and previous is not None
            and blocks[-1].role == "caption"
            and small
            and previous.y0 - line.y1 < line.size
        ):
            role = "caption"
        text = _repair_headline(line.text) if role == "headline" else _repair(line.text)
        indented = _indented(lines, i)
        short_before = (
            previous is not None
            and right - previous.x1 >= 1.5 * previous.size
            and ends_sentence(_repair(previous.text))
        )
        if blocks and blocks[-1].role == role:
            blocks[-1].lines.append(text)
            members[-1].append(line)
            blocks[-1].new_paragraph.append(
                indented or short_before or subheading or after_subheading
            )
        else:
            blocks.append(
                Block(
                    role,
                    content.number,
                    [text],
                    [indented or subheading],
                    top=line.y1,
                    size=line.size,
                    subheading=subheading,
                )
            )
            members.append([line])
        blocks[-1].bottom = line.y0
        previous = line
        after_subheading = subheading
    blocks, members = _split_captions(blocks, members, content)
    for block, first in zip(blocks, (m[0] for m in members), strict=True):
        if len(block.lines) != 1 or block.role != "body":
            continue
        byline = _as_written(first.text)
        if CAPTION_RULE.search(block.lines[0]) and (
            not CAPTION_MARK.match(block.lines[0]) or _near_image(first, content.images)
        ):
            block.role = "caption"
        elif BYLINE.match(byline):
            block.role = "byline"
            block.lines = [byline]
        elif SECTION_LABEL.match(block.lines[0]):
            block.role = "furniture"
    if len(lines) == 1 and len(blocks) == 1:
        line = lines[0]
        if line.y0 > content.height * (1 - BAND) or line.y1 < content.height * BAND:
            blocks[0].band_key = re.sub(r"\d+", "#", blocks[0].lines[0])
    return blocks


def _split_captions(
    blocks: list[Block], members: list[list[Line]], content: PageContent
) -> tuple[list[Block], list[list[Line]]]:
    """A body block that opens under a photo with a few lines (or pieces of one) ending in
    a credit (「…新华社记者 王芳 摄」): those lines are the photo's caption, the rest is body."""
    out: list[Block] = []
    out_members: list[list[Line]] = []
    for block, lines in zip(blocks, members, strict=True):
        out.append(block)
        out_members.append(lines)
        if block.role != "body" or len(block.lines) < 2:
            continue
        if not _under_image(lines[0], content.images):
            continue
        text = ""
        for end, line in enumerate(block.lines, start=1):
            text = join_lines(text, line)
            if len(text) > CAPTION_CHARS:
                break
            if end >= 2 and CAPTION_RULE.search(text):
                block.role = "caption"
                if end < len(block.lines):
                    rest = Block("body", block.page, block.lines[end:], block.new_paragraph[end:])
                    rest.new_paragraph[0] = True
                    block.lines, block.new_paragraph = block.lines[:end], block.new_paragraph[:end]
                    out_members[-1] = lines[:end]
                    out.append(rest)
                    out_members.append(lines[end:])
                break
    return out, out_members


def _indented(lines: list[Line], i: int) -> bool:
    """The line starts further right than the lines around it: a paragraph's first line.
    Measured against its neighbours, not the whole block: a column that is narrower beside
    a headline or picture and wider below it has no indent where its width changes."""
    line = lines[i]
    neighbours = [lines[j] for j in (i - 1, i + 1) if 0 <= j < len(lines)]
    return bool(neighbours) and all(line.x0 - other.x0 >= 1.2 * line.size for other in neighbours)


def _as_written(text: str) -> str:
    """A byline as written: word spaces between names kept (「记者 王小军 李明」), none after
    a leading mark or a slash (「◎ 文／姜钦峰」 → 「◎文／姜钦峰」)."""
    spaced = re.sub(r"\s+", " ", normalize_width(text)).strip()
    return re.sub(r"^(\W)\s+|(?<=[／/:：])\s+", r"\1", spaced)


def _note_date(page_dates: dict[int, str], page: int, texts: list[str]) -> None:
    """A newspaper prints its issue date in the header: the date of the page's articles."""
    for text in texts:
        found = _DATE.search(text)
        if found and page not in page_dates:
            year, month, day = (int(g) for g in found.groups())
            if 1 <= month <= 12 and 1 <= day <= 31:
                page_dates[page] = f"{year:04d}-{month:02d}-{day:02d}"


def _drop_running_furniture(blocks: list[Block]) -> tuple[list[Block], list[Block]]:
    """Headers and footers: band lines repeated on most pages, and lone page numbers."""
    pages = len({block.page for block in blocks})
    seen: dict[str, set[int]] = {}
    for block in blocks:
        if block.band_key is not None:
            seen.setdefault(block.band_key, set()).add(block.page)
    needed = max(2, REPEATED_SHARE * pages)
    kept: list[Block] = []
    dropped: list[Block] = []
    for block in blocks:
        key = block.band_key
        if key is not None and (len(seen[key]) >= needed or _PAGE_NUMBER.match(block.text)):
            dropped.append(block)
        else:
            kept.append(block)
    return kept, dropped
