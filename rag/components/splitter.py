"""Chinese-aware chunking: sentences end at 。！？； (and their closing quotes), never inside a number."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from llama_index.core.node_parser import NodeParser
from llama_index.core.schema import BaseNode, Document, NodeRelationship, TextNode
from pydantic import Field

from rag.components.text_repair import CJK_CHAR

_CLOSE = "”’」』）)》\"'"
# ASCII ! ? ; count as sentence ends only right after a CJK character (web text often
# mixes them in); an ASCII period never ends a sentence here: in Chinese text it is
# almost always a decimal point ("65.6") or part of an abbreviation.
_SENTENCE_END = re.compile(
    rf"[。！？；…]+[{re.escape(_CLOSE)}]*"
    rf"|(?<={CJK_CHAR.pattern})[!?;]+[{re.escape(_CLOSE)}]*"
    r"|\n+"
)
_CLAUSE_END = re.compile(r"[，,、：:]")
_NUMBERISH = re.compile(r"[0-9.%,]")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of `text`; together they cover every character."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if end > start:
            spans.append((start, end))
        start = end
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _safe_cut(text: str, start: int, limit: int) -> int:
    """A cut position ≤ limit that is not inside a number (65.6, 1,234, 82%)."""
    cut = limit
    while cut > start + 1 and _NUMBERISH.match(text[cut - 1]) and _NUMBERISH.match(text[cut]):
        cut -= 1
    return cut if cut > start + 1 else limit


def _split_long(text: str, start: int, end: int, size: int) -> list[tuple[int, int]]:
    """Split one over-long sentence at clause marks, then at safe positions."""
    pieces: list[tuple[int, int]] = []
    while end - start > size:
        window = text[start : start + size]
        clause_ends = [m.end() for m in _CLAUSE_END.finditer(window)]
        cut = start + clause_ends[-1] if clause_ends and clause_ends[-1] > size // 3 else 0
        if not cut:
            cut = _safe_cut(text, start, start + size)
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def chunk_spans(text: str, size: int, overlap: int) -> list[tuple[int, int]]:
    """Pack whole sentences into chunks of at most `size` characters, repeating up to
    `overlap` characters of trailing sentences at the start of the next chunk."""
    units: list[tuple[int, int]] = []
    for s, e in sentence_spans(text):
        units.extend(_split_long(text, s, e, size) if e - s > size else [(s, e)])

    chunks: list[tuple[int, int]] = []
    i = 0
    while i < len(units):
        j = i
        while j < len(units) and units[j][1] - units[i][0] <= size:
            j += 1
        j = max(j, i + 1)
        chunks.append((units[i][0], units[j - 1][1]))
        if j >= len(units):
            break
        # Step back over trailing sentences that fit in the overlap, but always advance.
        k = j
        while k - 1 > i and units[j - 1][1] - units[k - 1][0] <= overlap:
            k -= 1
        i = k
    return [_strip_span(text, s, e) for s, e in chunks if text[s:e].strip()]


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class ChineseSentenceSplitter(NodeParser):
    """Chunks documents on Chinese sentence boundaries and records character offsets."""

    chunk_size: int = Field(default=350, gt=0)
    chunk_overlap: int = Field(default=60, ge=0)

    @classmethod
    def class_name(cls) -> str:
        return "ChineseSentenceSplitter"

    def _parse_nodes(
        self, nodes: Sequence[BaseNode], show_progress: bool = False, **kwargs: Any
    ) -> list[BaseNode]:
        out: list[BaseNode] = []
        for node in nodes:
            text = node.get_content()
            # Once per document: it hashes the whole text (per chunk, chunking was quadratic).
            source = node.as_related_node_info()
            for start, end in chunk_spans(text, self.chunk_size, self.chunk_overlap):
                chunk = TextNode(
                    text=text[start:end],
                    start_char_idx=start,
                    end_char_idx=end,
                    metadata=dict(node.metadata),
                    excluded_embed_metadata_keys=list(node.excluded_embed_metadata_keys),
                    excluded_llm_metadata_keys=list(node.excluded_llm_metadata_keys),
                )
                chunk.relationships[NodeRelationship.SOURCE] = source
                out.append(chunk)
        return out

    def _postprocess_parsed_nodes(
        self, nodes: list[BaseNode], parent_doc_map: dict[str, Document]
    ) -> list[BaseNode]:
        """llama-index re-finds each chunk's offsets with `str.find` from the previous
        chunk's start, which lands on an earlier copy of a short or repeated chunk
        (「电」 at 10 instead of 120). The offsets chunking computed are exact: keep them."""
        spans = [(n.start_char_idx, n.end_char_idx) for n in nodes if isinstance(n, TextNode)]
        out = super()._postprocess_parsed_nodes(nodes, parent_doc_map)
        for node, (start, end) in zip(
            (n for n in out if isinstance(n, TextNode)), spans, strict=True
        ):
            node.start_char_idx, node.end_char_idx = start, end
        return out
