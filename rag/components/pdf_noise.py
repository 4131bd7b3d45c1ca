"""Text on a PDF page that nobody reads as text, set aside before layout analysis.

- **Ornaments**: rules and borders drawn with glyphs (「卜-——+一-—·卜-—卜」), lines of
  symbols and punctuation with next to no letters, digits or Chinese words in them.
- **Unreadable glyphs**: a decorative font without a usable Unicode map comes out as
  strings of real but rare characters (「瓷堍甏蔑魄罄」). Real sentences, names included,
  hold a few percent of characters beyond the 4,500 that jieba's dictionary uses most;
  these hold a third or more.
- **Template tags**: placeholders a report template leaves in the text layer
  (「[Table_Title]」, 「[Table_Summary]」 of Chinese broker reports), printed nowhere a reader sees.
- **Specks**: text far smaller than the body (under half its size), such as OCR reading
  a drawing's strokes as 「、」 and 「～}」.
- **Background images**: a scanned page's picture under its own OCR text covers the whole
  page; it is not a picture in the layout, and a column gutter cannot be found through it.
  Nor is a band or box that text is printed on (a report's coloured header band with its
  date): as a box across the page it would join the sidebar and the main column below it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from rag.components.chinese_tokens import HAN, rare_share
from rag.components.pdf_chars import Box, Line

SPECK_RATIO = 0.5  # of the body font size
UNREADABLE_SHARE = 0.4  # of a line's Chinese characters beyond the most used 4,500
UNREADABLE_MIN_HAN = 3
ORNAMENT_SHARE = 0.6  # of a line's characters that are rule glyphs, punctuation or symbols
BACKGROUND_SHARE = 0.5  # of the page area
SHORT_CHARS = 6  # a piece of a heading set beside unreadable glyphs

# Characters rules are drawn with; 一 and 卜 are Chinese characters that look like strokes.
_RULE_GLYPHS = frozenset("-—–－─━┄┅┈┉·•‧∙+＋一卜|｜_＿=＝~～…⋯.。*＊#＃")
_SENTENCE_END = frozenset("。！？!?”’）)」』")
_WORD = re.compile(r"[0-9A-Za-z]{2,}|\d")
_TEMPLATE_TAG = re.compile(r"^\[[A-Z][A-Za-z]*_[A-Za-z]+\]$")


def is_ornament(text: str) -> bool:
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return True
    if _WORD.search(text):
        return False
    marks = sum(c in _RULE_GLYPHS or unicodedata.category(c)[0] in "PS" for c in chars)
    han = sum(1 for c in chars if HAN.match(c) and c not in _RULE_GLYPHS)  # 「话。”」 is text
    if len(chars) <= 2:
        # a stray letter or mark (「l」, 「I／」), not the end of a wrapped sentence (「。”」)
        return not han and not any(c in _SENTENCE_END for c in chars)
    return marks >= ORNAMENT_SHARE * len(chars) and not han


def is_unreadable(text: str) -> bool:
    return len(HAN.findall(text)) >= UNREADABLE_MIN_HAN and rare_share(text) >= UNREADABLE_SHARE


def noise_kind(line: Line, body_size: float) -> str:
    """Why `line` is not text ('ornament', 'unreadable', 'speck', 'template tag'), or ''
    when it is."""
    if line.size < SPECK_RATIO * body_size:
        return "speck"
    if _TEMPLATE_TAG.match(line.text.strip()):
        return "template tag"
    if is_ornament(line.text):
        return "ornament"
    if is_unreadable(line.text):
        return "unreadable"
    return ""


def beside(line: Line, other: Line) -> bool:
    """`line` is short and sits on `other`'s line, next to it: one decorative heading."""
    size = max(line.size, other.size)
    same_row = min(line.y1, other.y1) - max(line.y0, other.y0) > 0
    gap = max(other.x0 - line.x1, line.x0 - other.x1)
    return len(line.text.replace(" ", "")) <= SHORT_CHARS and same_row and gap <= 2 * size


def is_background(image: Box, width: float, height: float, lines: Sequence[Line] = ()) -> bool:
    area = max(0.0, image.x1 - image.x0) * max(0.0, image.y1 - image.y0)
    return area >= BACKGROUND_SHARE * width * height or any(on_image(line, image) for line in lines)


def on_image(line: Line, image: Box) -> bool:
    """`line` is printed on `image`, wholly inside its box."""
    return (
        line.x0 >= image.x0 - 1
        and line.x1 <= image.x1 + 1
        and line.y0 >= image.y0 - 1
        and line.y1 <= image.y1 + 1
    )
