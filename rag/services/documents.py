"""Turns a read file into llama-index Documents: one per article, with title, date and publisher.

The layout comes from the reader when it saw positions (PDF), else from the text path
(`split_articles`). Every Document of a file shares the file's `file_id`, which is what
dedupe and replacement key on; each article is its own Document so a chunk never spans two
articles and a citation names the article it came from.
"""

from __future__ import annotations

from pathlib import Path

from llama_index.core.schema import Document

from rag.components.article_split import split_articles
from rag.components.page_layout import PageLayout
from rag.components.readers import RawDocument, read_document
from rag.errors import InputFileError
from rag.services.scope import first_year

# Keys the embedding and the LLM prompt do not need to see.
INTERNAL_KEYS = [
    "path",
    "file_id",
    "start",
    "end",
    "date",
    "year",
    "publisher",
    "byline",
    "source",
    "article",
    "captions",
    "ingested",
]


def layout_of(raw: RawDocument) -> PageLayout:
    """The reader's layout when it made one (PDF), else the text path's."""
    layout = raw.layout if raw.layout is not None else split_articles(raw.text)
    if not layout.articles:
        return layout
    mend_titles(layout, raw.title or "")
    # An article without a headline of its own takes the format's title, else the file name;
    # not a title that another article on the page bears (the end of the story before it).
    titles = {a.title for a in layout.articles}
    fallback = raw.title if raw.title and raw.title not in titles else raw.path.stem
    for i, article in enumerate(layout.articles):
        if not article.title:
            article.title = fallback if len(layout.articles) == 1 else f"{fallback} #{i + 1}"
    return layout


def mend_titles(layout: PageLayout, named: str) -> None:
    """A headline that is the format's own title (PDF metadata) less a character or two
    takes that title: a decorative glyph that an OCR text layer reads as punctuation, which
    layout repair drops as noise (「内心强大世界辽阔」 where the magazine's metadata says
    「内心强大则世界辽阔」). Only a headline of six characters or more whose every character
    the title holds in the same order; metadata that names something else (「Microsoft Word
    - 文档 2」, a file name, a code) never matches one."""
    for article in layout.articles:
        if _lacks_a_glyph(article.title, named):
            article.title = named


def _lacks_a_glyph(title: str, named: str) -> bool:
    if len(title) < 6 or not 0 < len(named) - len(title) <= 2:
        return False
    rest = iter(named)
    return all(ch in rest for ch in title)


def article_year(date: str, title: str, text: str) -> str:
    """The year an article's 今年 means: its date's, else the first year its headline or lead
    names (「——克州2025年第三季度招商推介大会…综述」), else ''."""
    if date[:4].isdigit():
        return date[:4]
    return first_year(f"{title}\n{text[:200]}")


def inspect_file(path: Path, max_bytes: int) -> PageLayout:
    """What ingestion will index from one file: its articles and what was set aside."""
    return layout_of(read_document(path, max_bytes))


def to_documents(raw: RawDocument, file_id: str) -> list[Document]:
    """One Document per article; a file whose text is all set aside (only table rows,
    captions or page furniture) is an error, not a silent no-op."""
    layout = layout_of(raw)
    documents = []
    for i, article in enumerate(layout.articles):
        if not article.text.strip():
            continue
        metadata: dict[str, str | int] = {
            "source": raw.path.name,  # citations name the file
            "path": str(raw.path),
            "file_id": file_id,
            "title": article.title,
            "date": article.date,
            "year": article_year(article.date, article.title, article.text),
            "publisher": article.source,
            "byline": article.byline,
            "article": i,
            # Chroma metadata is flat: one caption per line.
            "captions": "\n".join(article.captions),
        }
        documents.append(
            Document(
                id_=f"{file_id}#{i}",
                text=article.text,
                metadata=metadata,
                excluded_embed_metadata_keys=list(INTERNAL_KEYS),
                # The prompt prints the title itself.
                excluded_llm_metadata_keys=[*INTERNAL_KEYS, "title"],
            )
        )
    if not documents:
        kinds = ", ".join(sorted({item.kind for item in layout.set_aside})) or "nothing"
        raise InputFileError(
            raw.path,
            f"has no article text: everything in it was set aside ({kinds})",
            f"run `rag inspect {raw.path}` to see what was found",
        )
    return documents
