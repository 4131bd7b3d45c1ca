"""One index folder: the chunk store (Chroma), the document registry that drives dedupe, and
the BM25 keyword index.

Writers take the folder's lock (`writing`), so ingests from several processes run one after
another and each starts from what the one before it committed. Chroma holds the truth: the
keyword index is brought to Chroma's chunk ids whenever they differ (after a crash between
writes, or another process's commit). Every write changes the store's stamp, before and
after, so a process sharing a Chroma server notices on its next query and updates its
keyword index: only the new chunks are fetched and tokenized.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from llama_index.core.schema import BaseNode
from llama_index.vector_stores.chroma import ChromaVectorStore

from rag.components.bm25 import BM25Index
from rag.components.registry import DocumentRegistry
from rag.components.vector_store import ChromaStore, build_chunk_store
from rag.errors import RagError
from rag.settings import Settings

_DOCSTORE = "docstore.json"
_BM25_DIR = "bm25"
_MANIFEST = "manifest.json"
_LOCK = "write.lock"


@dataclass
class Change:
    """What one ingest writes: new chunks, and the documents whose old chunks they replace."""

    nodes: list[BaseNode] = field(default_factory=list)
    doc_hashes: dict[str, str] = field(default_factory=dict)  # doc id -> new hash
    removed_docs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class IndexedDocument:
    """One ingested file, as the document table shows it."""

    file_id: str  # the registry key: the file's path when it was ingested
    source: str  # the file name citations show
    articles: int
    chunks: int
    ingested: str  # when it was (last) written, ISO 8601 UTC; '' for an index built before
    titles: tuple[str, ...] = ()


class IndexStore:
    def __init__(self, settings: Settings, index_dir: Path | None = None) -> None:
        self.settings = settings
        self.dir = index_dir or settings.resolved_index_dir()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.store: ChromaStore = build_chunk_store(settings, self.dir)
        self.vector_store: ChromaVectorStore = self.store.vector  # dense queries
        self.registry = DocumentRegistry(self.dir / _DOCSTORE)
        self._bm25: BM25Index | None = None
        self._bm25_stamp: str | None = None
        self._bm25_lock = threading.Lock()
        self._lock_depth = 0
        self._lock_owner: int | None = None
        self._touched = False
        self._check_embedding_model()

    def _check_embedding_model(self) -> None:
        manifest = self.dir / _MANIFEST
        if not manifest.exists():
            return
        built_with = json.loads(manifest.read_text()).get("embedding_model")
        if built_with and built_with != self.settings.embedding.identity() and not self.is_empty():
            raise RagError(
                f"the index at {self.dir} was built with embedding model {built_with!r} but settings "
                f"name {self.settings.embedding.identity()!r}: use another --index folder, or change embedding.model back"
            )

    # -- reading ---------------------------------------------------------------
    def chunk_count(self) -> int:
        return self.store.count()

    def is_empty(self) -> bool:
        return self.chunk_count() == 0

    def document_hash(self, doc_id: str) -> str | None:
        return self.registry.hash_of(doc_id)

    def document_with_hash(self, doc_hash: str) -> str | None:
        """The id of the document ingested with exactly this content hash, if any."""
        return self.registry.with_hash(doc_hash)

    def document_ids(self) -> list[str]:
        return self.registry.ids()

    def documents(self) -> list[IndexedDocument]:
        """Every ingested file with its article and chunk counts, read from the chunks
        themselves (so the table cannot disagree with what retrieval searches)."""
        groups: dict[str, list[dict[str, object]]] = {}
        for meta in self.store.metadatas():
            groups.setdefault(str(meta.get("file_id", "")), []).append(meta)
        rows = []
        for file_id, metas in groups.items():
            articles = {m.get("article", 0): str(m.get("title", "")) for m in metas}
            rows.append(
                IndexedDocument(
                    file_id=file_id,
                    source=str(metas[0].get("source", "")),
                    articles=len(articles),
                    chunks=len(metas),
                    ingested=max(str(m.get("ingested", "")) for m in metas),
                    titles=tuple(articles[k] for k in sorted(articles, key=str)),
                )
            )
        return sorted(rows, key=lambda d: (d.source, d.file_id))

    def bm25(self) -> BM25Index:
        """The keyword index, in step with the chunk store: when the store's stamp has moved
        (a write here or in another process), it is brought to the store's chunk ids."""
        stamp = self.store.stamp()
        with self._bm25_lock:
            if self._bm25 is not None and stamp == self._bm25_stamp:
                return self._bm25
            bm25 = self._bm25 if self._bm25 is not None else BM25Index.load(self.dir / _BM25_DIR)
            ids = self.store.ids()
            if bm25 is None or bm25.ids() != ids:
                bm25 = (bm25 or BM25Index.build([])).updated(ids, self.store.chunks)
            self._bm25, self._bm25_stamp = bm25, stamp
            return bm25

    def _holds_lock(self) -> bool:
        """Whether this thread holds the write lock (another thread of this process may)."""
        return self._lock_depth > 0 and self._lock_owner == threading.get_ident()

    # -- writing ---------------------------------------------------------------
    @contextmanager
    def writing(self, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
        """Hold the folder's write lock: one writer at a time, across processes. A writer
        that must wait says so through `on_wait` and then waits; once it holds the lock it
        rereads the document registry, which the writer before it may have changed."""
        if self._holds_lock():
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        with (self.dir / _LOCK).open("a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait is not None:
                    on_wait(f"waiting for another ingest into {self.dir} to finish")
                fcntl.flock(handle, fcntl.LOCK_EX)
            self._lock_depth, self._lock_owner = 1, threading.get_ident()
            self._touched = False
            try:
                self.registry = DocumentRegistry(self.dir / _DOCSTORE)
                yield
            finally:
                self._lock_depth = 0
                fcntl.flock(handle, fcntl.LOCK_UN)

    def commit(self, change: Change, refresh: bool = True) -> None:
        """Apply one change. New chunks go in before old ones go out: if adding fails,
        what was added is taken back and the index is as it was. A kill between the steps
        leaves Chroma ahead of the registry: the rerun sees the file as changed and replaces
        every chunk of it, old or half-added. `refresh=False` leaves the keyword index to
        `refresh()` (an ingest of many files commits each and updates it once)."""
        with self.writing():
            self._write_manifest()  # first: the embedding-model guard must survive a kill
            if not self._touched:  # before the first write: a kill after it is noticed
                self.store.touch()
                self._touched = True
            doc_ids = set(change.doc_hashes) | set(change.removed_docs)
            new_ids = {n.node_id for n in change.nodes}
            old_ids = [
                i for d in sorted(doc_ids) for i in self.store.ids_of_file(d) if i not in new_ids
            ]
            try:
                self.store.add(change.nodes)
            except BaseException:
                self.store.delete(sorted(new_ids))
                raise
            self.store.delete(old_ids)
            for doc_id, doc_hash in change.doc_hashes.items():
                self.registry.set(doc_id, doc_hash)
            for doc_id in change.removed_docs:
                self.registry.remove(doc_id)
            self.registry.save()
            if refresh:
                self.refresh()
            # else the keyword index waits for `refresh()`: dense search sees each file as
            # it is committed; keyword search sees the files committed when a reader first
            # noticed the stamp move (at the ingest's first commit), then the whole ingest.

    def delete_documents(self, file_ids: list[str]) -> int:
        """Remove documents from Chroma, the registry and BM25; returns how many chunks
        went. An id the index does not hold is an error, so a typo deletes nothing."""
        with self.writing():
            known = set(self.registry.ids())
            unknown = [f for f in file_ids if f not in known and not self.store.ids_of_file(f)]
            if unknown:
                raise RagError(f"not in the index at {self.dir}: {', '.join(unknown)}")
            before = self.chunk_count()
            self.commit(Change(removed_docs=list(file_ids)))
            return before - self.chunk_count()

    def refresh(self) -> None:
        """Bring the keyword index to the chunk store (tokenizing only new chunks), save
        it, record the counts in the manifest, and move the stamp so other processes see
        the change."""
        with self.writing():
            self.store.touch()
            self._bm25_stamp = None  # this process too
            self.bm25().save(self.dir / _BM25_DIR)  # only the writer replaces the files
            self._write_manifest()

    def _write_manifest(self) -> None:
        manifest = {
            "chunks": self.chunk_count(),
            "documents": len(self.registry.ids()),
            "embedding_model": self.settings.embedding.identity(),
        }
        path = self.dir / _MANIFEST
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(manifest, indent=2))
        os.replace(tmp, path)
