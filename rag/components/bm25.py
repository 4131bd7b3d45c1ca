"""The BM25 keyword index over jieba tokens: an inverted index that takes chunks in and out
one at a time, so keeping it in step with the chunk store costs what changed, not the corpus.

Scores are bm25s's "lucene" variant (k1 1.5, b 0.75, idf log(1 + (N - df + 0.5) / (df +
0.5))), computed at query time from postings: IDF and the average length always describe
the chunks in the index now. A removed chunk's postings stay behind, masked, until they are
a third of the index; then the live chunks are re-indexed from their kept tokens.
Persisted as chunks.jsonl (id, text, metadata, tokens) plus log.jsonl, the chunks added and
removed since: a save appends what changed, so it costs what changed too. When the log
outgrows the base, the next save writes a fresh base. Loading replays both and never
tokenizes again. (Whoever loads checks the ids against the chunk store, so a torn last line
or a log another writer appended to out of order is mended there.)
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
_LOG = "log.jsonl"
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
        self._base: Path | None = None  # the folder whose files hold this index, but for:
        self._journal: list[str] = []  # log lines not yet written there
        self._recording = True  # off while building or loading whole

    # -- building ---------------------------------------------------------------------------
    @classmethod
    def build(cls, chunks: list[StoredChunk], tokens: list[list[str]] | None = None) -> BM25Index:
        if tokens is None:
            tokens = [search_tokens(c.text) for c in chunks]
        index = cls()
        index._recording = False  # saved whole the first time
        for chunk, toks in sorted(zip(chunks, tokens, strict=True), key=lambda p: _order(p[0])):
            index._add(chunk, toks)
        index._recording = True
        return index

    def _add(self, chunk: StoredChunk, tokens: list[str]) -> None:
        tokens = tokens or [_EMPTY]
        slot = len(self._chunks)
        self._chunks.append(chunk)
        self._tokens.append(tokens)
        self._slot[chunk.node_id] = slot
        self._lengths.append(len(tokens))
        self._total += len(tokens)
        if self._recording:
            self._journal.append(_row(chunk, tokens))
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
        if self._recording:
            self._journal.append(json.dumps({"remove": node_id}, ensure_ascii=False))
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
        """Append what changed since the last save or load to the log; or, for a new folder
        or a log grown past its base, write a fresh base (to a sibling folder, swapped in,
        so a crash leaves the old files whole)."""
        with self._lock:
            log = directory / _LOG
            base = directory / _CORPUS
            if self._base == directory and base.exists():
                logged = log.stat().st_size if log.exists() else 0
                adding = sum(len(line.encode()) + 1 for line in self._journal)
                if logged + adding < base.stat().st_size:
                    if self._journal:
                        with log.open("ab") as f:
                            # A line torn by a crash ends without a newline: start a new one.
                            torn = logged and _last_byte(log) != b"\n"
                            text = "".join(line + "\n" for line in self._journal)
                            f.write((("\n" if torn else "") + text).encode())
                            f.flush()
                            os.fsync(f.fileno())
                    self._journal = []
                    return
            self._write_base(directory)
            self._base, self._journal = directory, []

    def _write_base(self, directory: Path) -> None:
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        with (tmp / _CORPUS).open("w", encoding="utf-8") as f:
            for c, t in zip(self._chunks, self._tokens, strict=True):
                if c is not None:
                    f.write(_row(c, t) + "\n")
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
        index._recording = False
        for path in (corpus, directory / _LOG):
            if not path.exists():
                continue
            with path.open(encoding="utf-8") as f:
                for line in f:
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError:
                        continue  # a line torn by a crash: the ids check mends what it held
                    index._replay(row)
        index._base, index._recording = directory, True
        return index

    def _replay(self, row: dict[str, Any]) -> None:
        if "remove" in row:
            if row["remove"] in self._slot:
                self._remove(row["remove"])
            return
        if row["id"] in self._slot:  # added again: the newer text wins
            self._remove(row["id"])
        chunk = StoredChunk(row["id"], row["text"], row["metadata"])
        # Files written before tokens were kept are tokenized once here.
        self._add(chunk, row["tokens"] if "tokens" in row else search_tokens(row["text"]))


def _last_byte(path: Path) -> bytes:
    with path.open("rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1)


def _row(chunk: StoredChunk, tokens: list[str]) -> str:
    return json.dumps(
        {"id": chunk.node_id, "text": chunk.text, "metadata": chunk.metadata, "tokens": tokens},
        ensure_ascii=False,
    )
