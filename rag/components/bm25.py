"""Persisted BM25 index over jieba tokens (bm25s), with the chunk texts it was built from."""

from __future__ import annotations

import json
import os
import shutil
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


class BM25Index:
    """A bm25s model plus the chunks it covers; rebuilt whole from the vector store after
    every ingest, and whenever its chunk ids are not the vector store's."""

    def __init__(self, chunks: list[StoredChunk], model: Any | None) -> None:
        self.chunks = chunks
        self._model = model

    @classmethod
    def build(cls, chunks: list[StoredChunk]) -> BM25Index:
        if not chunks:
            return cls([], None)
        import bm25s

        model = bm25s.BM25()
        model.index([search_tokens(c.text) or ["∅"] for c in chunks], show_progress=False)
        return cls(chunks, model)

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
            for c in self.chunks:
                f.write(
                    json.dumps(
                        {"id": c.node_id, "text": c.text, "metadata": c.metadata},
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
        chunks = []
        with corpus.open(encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                chunks.append(StoredChunk(row["id"], row["text"], row["metadata"]))
        if not chunks:
            return cls([], None)
        import bm25s

        return cls(chunks, bm25s.BM25.load(str(directory), show_progress=False))
