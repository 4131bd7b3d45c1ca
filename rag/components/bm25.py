"""Persisted BM25 index over jieba tokens (bm25s), with the chunk texts and tokens it was
built from. Tokenizing (jieba) is the expensive step, so each chunk's tokens are kept: an
update tokenizes only the chunks that are new and rebuilds the bm25s matrix from the rest."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.components.chinese_tokens import search_tokens

_CORPUS = "chunks.jsonl"


@dataclass(frozen=True)
class StoredChunk:
    node_id: str
    text: str
    metadata: dict[str, Any]


def _order(chunk: StoredChunk) -> tuple[str, int, str]:
    """Chunks in reading order (file, offset): ties in score go to the earlier passage."""
    return (
        str(chunk.metadata.get("source", "")),
        int(chunk.metadata.get("start", 0)),
        chunk.node_id,
    )


class BM25Index:
    """A bm25s model plus the chunks (and their tokens) it covers."""

    def __init__(
        self, chunks: list[StoredChunk], model: Any | None, tokens: list[list[str]] | None = None
    ) -> None:
        self.chunks = chunks
        self._model = model
        self._tokens = tokens if tokens is not None else [search_tokens(c.text) for c in chunks]

    @classmethod
    def build(cls, chunks: list[StoredChunk], tokens: list[list[str]] | None = None) -> BM25Index:
        if tokens is None:
            tokens = [search_tokens(c.text) for c in chunks]
        pairs = sorted(zip(chunks, tokens, strict=True), key=lambda p: _order(p[0]))
        chunks, tokens = [c for c, _ in pairs], [t for _, t in pairs]
        if not chunks:
            return cls([], None, [])
        import bm25s

        model = bm25s.BM25()
        model.index([t or ["∅"] for t in tokens], show_progress=False)
        return cls(chunks, model, tokens)

    def updated(self, ids: set[str], fetch: Callable[[list[str]], list[StoredChunk]]) -> BM25Index:
        """This index brought to exactly the chunk ids `ids`: chunks no longer there are
        dropped, new ones fetched (`fetch(ids)`) and tokenized; the others keep their tokens."""
        kept = [(c, t) for c, t in zip(self.chunks, self._tokens, strict=True) if c.node_id in ids]
        new = fetch(sorted(ids - {c.node_id for c, _ in kept}))
        pairs = kept + [(c, search_tokens(c.text)) for c in new]
        return BM25Index.build([c for c, _ in pairs], [t for _, t in pairs])

    def __len__(self) -> int:
        return len(self.chunks)

    def ids(self) -> set[str]:
        return {c.node_id for c in self.chunks}

    def query(self, text: str, top_k: int) -> list[tuple[StoredChunk, float]]:
        tokens = search_tokens(text)
        if self._model is None or not tokens:
            return []
        k = min(top_k, len(self.chunks))
        ids, scores = self._model.retrieve([tokens], k=k, show_progress=False)
        return [
            (self.chunks[int(i)], float(s))
            for i, s in zip(ids[0], scores[0], strict=True)
            if float(s) > 0
        ]

    def save(self, directory: Path) -> None:
        """Write to a sibling folder, then swap it in, so a crash leaves the old index whole."""
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self._model is not None:
            self._model.save(str(tmp), show_progress=False)
        with (tmp / _CORPUS).open("w", encoding="utf-8") as f:
            for c, t in zip(self.chunks, self._tokens, strict=True):
                f.write(
                    json.dumps(
                        {"id": c.node_id, "text": c.text, "metadata": c.metadata, "tokens": t},
                        ensure_ascii=False,
                    )
                    + "\n"
                )
        old = directory.with_name(directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if directory.exists():
            os.replace(directory, old)
        os.replace(tmp, directory)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> BM25Index | None:
        corpus = directory / _CORPUS
        if not corpus.exists():
            return None
        chunks, tokens = [], []
        with corpus.open(encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                chunks.append(StoredChunk(row["id"], row["text"], row["metadata"]))
                tokens.append(row["tokens"] if "tokens" in row else search_tokens(row["text"]))
        if not chunks:
            return cls([], None, [])
        import bm25s

        return cls(chunks, bm25s.BM25.load(str(directory), show_progress=False), tokens)
