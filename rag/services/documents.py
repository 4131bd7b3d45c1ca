"""Turns a read file into llama-index Documents: repaired text, title, date, publisher.

This is the seam for layout analysis: a page holding several articles will become
several Documents here, all sharing the file's `file_id`.
"""

from __future__ import annotations

import re

from llama_index.core.schema import Document

from rag.components.readers import RawDocument
from rag.components.text_repair import ends_sentence, repair_text

_DATE = re.compile(r"(20\d{2}|19\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})")
_DATE_FIELDS = ("发布时间", "发布日期", "日期", "时间")
_PUBLISHER_FIELDS = ("来源", "出处", "媒体")
# Keys the embedding and the LLM prompt do not need to see.
INTERNAL_KEYS = ["path", "file_id", "start", "end", "date", "publisher", "source"]


def _find_date(*texts: str) -> str | None:
    for text in texts:
        match = _DATE.search(text)
        if match:
            year, month, day = match.groups()
            return f"{year}-{int(month):02d}-{int(day):02d}"
    return None


def to_documents(raw: RawDocument, file_id: str) -> list[Document]:
    repaired = repair_text(raw.text)
    text = repaired.text
    paragraphs = text.split("\n", 1)
    first = paragraphs[0].strip()
    if len(first) <= 40 and not ends_sentence(first) and len(paragraphs) > 1:
        title = first
    else:
        title = raw.title or raw.path.stem
    date = _find_date(*(repaired.fields.get(k, "") for k in _DATE_FIELDS), text[:300])
    publisher = next((repaired.fields[k] for k in _PUBLISHER_FIELDS if k in repaired.fields), "")
    metadata = {
        "source": raw.path.name,
        "path": str(raw.path),
        "file_id": file_id,
        "title": title,
        "date": date or "",
        "publisher": publisher,
    }
    return [
        Document(
            id_=file_id,
            text=text,
            metadata=metadata,
            excluded_embed_metadata_keys=list(INTERNAL_KEYS),
            excluded_llm_metadata_keys=list(INTERNAL_KEYS) + ["title"],
        )
    ]
