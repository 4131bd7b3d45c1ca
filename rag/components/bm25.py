"""The BM25 keyword index over jieba tokens: an inverted index that takes chunks in and out
one at a time, so keeping it in step with the chunk store costs what changed, not the corpus.

Scores are bm25s's "lucene" variant (k1 1.5, b 0.75, idf log(1 + (N - df + 0.5) / (df +
0.5))), computed at query time from postings: IDF and the average length always describe
the chunks in the index now. A removed chunk's postings stay behind, masked, until they are
a third of the index; then the live chunks are re-indexed from their kept tokens.
Persisted as chunks.jsonl (id, text, metadata, tokens): loading re-indexes from the tokens,
it never tokenizes again.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.components.chinese_tokens import search_tokens

_CORPUS = "chunks.jsonl"
K1, B = 1.5, 0.75
_EMPTY = "∅"  # the token of a chunk without any, so it still has a length


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
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._chunks: list[StoredChunk | None] = []  # by slot; None once removed
        self._tokens: list[list[str]] = []
        self._slot: dict[str, int] = {}
        self._lengths: list[int] = []
        self._postings: dict[str, tuple[list[int], list[int]]] = {}  # term -> slots, tfs
        self._df: Counter[str] = Counter()  # live chunks per term
        self._total = 0  # tokens in live chunks
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._alive = np.zeros(0, dtype=bool)
        self._length_array = np.zeros(0, dtype=np.float32)

    # -- building ---------------------------------------------------------------------------
    @classmethod
    def build(cls, chunks: list[StoredChunk], tokens: list[list[str]] | None = None) -> BM25Index:
        if tokens is None:
            tokens = [search_tokens(c.text) for c in chunks]
        index = cls()
        for chunk, toks in sorted(zip(chunks, tokens, strict=True), key=lambda p: _order(p[0])):
            index._add(chunk, toks)
        return index

    def _add(self, chunk: StoredChunk, tokens: list[str]) -> None:
        tokens = tokens or [_EMPTY]
        slot = len(self._chunks)
        self._chunks.append(chunk)
        self._tokens.append(tokens)
        self._slot[chunk.node_id] = slot
        self._lengths.append(len(tokens))
        self._total += len(tokens)
        for term, tf in Counter(tokens).items():
            posting = self._postings.get(term)
            if posting is None:
                self._postings[term] = ([slot], [tf])
            else:
                posting[0].append(slot)
                posting[1].append(tf)
            self._df[term] += 1
            self._arrays.pop(term, None)

    def _remove(self, node_id: str) -> None:
        slot = self._slot.pop(node_id)
        tokens = self._tokens[slot]
        self._chunks[slot] = None
        self._tokens[slot] = []
        self._total -= len(tokens)
        for term in set(tokens):
            self._df[term] -= 1
            if not self._df[term]:
                del self._df[term]
        if slot < len(self._alive):
            self._alive[slot] = False

    def updated(
        self, ids: set[str], fetch: Callable[[list[str]], Iterable[StoredChunk]]
    ) -> BM25Index:
        """This index brought to exactly the chunk ids `ids`, in place: chunks no longer there
        are taken out, new ones fetched (`fetch(ids)`), tokenized and put in. Returns self,
        or a fresh index when removed chunks had come to fill a third of this one."""
        with self._lock:
            gone = [i for i in self._slot if i not in ids]
            new = list(fetch(sorted(ids - self._slot.keys())))
            for node_id in gone:
                self._remove(node_id)
            for chunk in sorted(new, key=_order):
                self._add(chunk, search_tokens(chunk.text))
            dead = len(self._chunks) - len(self._slot)
            if dead * 3 > len(self._chunks):
                live = [(c, t) for c, t in zip(self._chunks, self._tokens, strict=True) if c]
                return BM25Index.build([c for c, _ in live], [t for _, t in live])
            return self

    # -- reading ----------------------------------------------------------------------------
    @property
    def chunks(self) -> list[StoredChunk]:
        return [c for c in self._chunks if c is not None]

    def __len__(self) -> int:
        return len(self._slot)

    def ids(self) -> set[str]:
        return set(self._slot)

    def _posting(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        arrays = self._arrays.get(term)
        if arrays is None:
            slots, tfs = self._postings[term]
            arrays = (np.array(slots, dtype=np.int64), np.array(tfs, dtype=np.float32))
            self._arrays[term] = arrays
        return arrays

    def query(self, text: str, top_k: int) -> list[tuple[StoredChunk, float]]:
        """The top_k chunks by BM25 score (> 0), best first."""
        tokens = [t for t in search_tokens(text) if t in self._df]
        with self._lock:
            n = len(self._slot)
            if not tokens or not n:
                return []
            if len(self._alive) != len(self._chunks):
                self._alive = np.array([c is not None for c in self._chunks], dtype=bool)
                self._length_array = np.array(self._lengths, dtype=np.float32)
            norm = K1 * ((1 - B) + B * self._length_array / (self._total / n))
            scores = np.zeros(len(self._chunks), dtype=np.float32)
            for term in tokens:  # a repeated query word counts again, as in bm25s
                df = self._df[term]
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                slots, tfs = self._posting(term)
                scores[slots] += np.float32(idf) * tfs / (norm[slots] + tfs)
            scores *= self._alive
            hits = np.flatnonzero(scores > 0)
            if not len(hits):
                return []
            # Best first; equal scores in slot (reading) order.
            best = hits[np.lexsort((hits, -scores[hits]))][:top_k]
            return [(self._chunks[int(s)], float(scores[s])) for s in best]  # type: ignore[misc]

    # -- files ------------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        """Write to a sibling folder, then swap it in, so a crash leaves the old index whole."""
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        with self._lock, (tmp / _CORPUS).open("w", encoding="utf-8") as f:
            for c, t in zip(self._chunks, self._tokens, strict=True):
                if c is not None:
                    row = {"id": c.node_id, "text": c.text, "metadata": c.metadata, "tokens": t}
                    f.write(json.dumps(row, ensure_ascii=False) + "\n")
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
        index = cls()
        with corpus.open(encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                chunk = StoredChunk(row["id"], row["text"], row["metadata"])
                # Files written before tokens were kept are tokenized once here.
                index._add(chunk, row["tokens"] if "tokens" in row else search_tokens(row["text"]))
        return index
