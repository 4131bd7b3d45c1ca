"""What layout analysis makes of one file: its articles, and what was set aside and why.

Both layout paths produce these: the text path (`article_split`, for text that has lost
its positions) and the PDF path (`pdf_layout`, which reads character positions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# Why a piece of text is not part of any article body.
# noise: ornaments drawn with glyphs, unreadable glyph strings, specks (pdf_noise.py).
SetAsideKind = Literal["caption", "furniture", "table_row", "headline", "noise", "other"]


@dataclass
class SetAside:
    kind: SetAsideKind
    text: str
    # Index in PageLayout.articles of the article it belongs to (a caption under its
    # article's photo), or None when it belongs to the page (headers, footers, rules).
    article: int | None = None

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "text": self.text, "article": self.article}


@dataclass
class Article:
    title: str
    # Repaired body: whole sentences, one paragraph per line, no captions or page furniture.
    text: str
    date: str = ""  # YYYY-MM-DD when the article or its metadata names one
    source: str = ""  # the publisher (克孜勒苏日报, 中新网), not the file name
    captions: list[str] = field(default_factory=list)
    byline: str = ""  # 「◎文／姜钦峰」, 「记者 王小军」: who wrote it, not part of the body

    def to_json(self) -> dict[str, str]:
        """The shape `rag inspect --json` prints for each article."""
        return {
            "title": self.title,
            "date": self.date,
            "source": self.source,
            "byline": self.byline,
            "text": self.text,
        }


@dataclass
class PageLayout:
    """One file after layout analysis. `articles` is never empty for a file with text."""

    articles: list[Article]
    set_aside: list[SetAside] = field(default_factory=list)
    # Key/value pairs from metadata rows (来源, 发布时间, 作者 ...).
    fields: dict[str, str] = field(default_factory=dict)
