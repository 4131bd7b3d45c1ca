"""One index folder: Chroma chunks, the document hashes that drive dedupe, and the BM25 index.

Writers take the folder's lock (`writing`), so ingests from several processes run one after
another and each starts from what the one before it committed. Chroma holds the truth: the
BM25 index is rebuilt from it whenever its chunk ids differ from Chroma's (after a crash
between the two writes, or another process's commit).
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
from llama_index.core.storage.docstore import SimpleDocumentStore
from llama_index.vector_stores.chroma import ChromaVectorStore

from rag.components.bm25 import BM25Index, StoredChunk
from rag.components.vector_store import build_vector_store
from rag.errors import RagError
from rag.settings import Settings

_DOCSTORE = "docstore.json"
_BM25_DIR = "bm25"
_MANIFEST = "manifest.json"
_LOCK = "write.lock"


# Chroma refuses more records than its max batch size (5,461 here) in one add or delete.
CHROMA_BATCH = 4000


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
        self.vector_store: ChromaVectorStore = build_vector_store(settings, self.dir)
        self.docstore = self._load_docstore()
        self._bm25: BM25Index | None = None
        self._lock_depth = 0
        self._lock_owner: int | None = None
        self._check_embedding_model()

    def _load_docstore(self) -> SimpleDocumentStore:
        path = self.dir / _DOCSTORE
        if path.exists():
            return SimpleDocumentStore.from_persist_path(str(path))
        return SimpleDocumentStore()

    def _embedding_id(self) -> str:
        cfg = self.settings.embedding
        return "mock" if cfg.mode == "mock" else cfg.model

    def _check_embedding_model(self) -> None:
        manifest = self.dir / _MANIFEST
        if not manifest.exists():
            return
        built_with = json.loads(manifest.read_text()).get("embedding_model")
        if built_with and built_with != self._embedding_id() and not self.is_empty():
            raise RagError(
                f"the index at {self.dir} was built with embedding model {built_with!r} but settings "
                f"name {self._embedding_id()!r}: use another --index folder, or change embedding.model back"
            )

    # -- reading ---------------------------------------------------------------
    def chunk_count(self) -> int:
        return int(self.vector_store._collection.count())

    def is_empty(self) -> bool:
        return self.chunk_count() == 0

    def document_hash(self, doc_id: str) -> str | None:
        return self.docstore.get_document_hash(doc_id)

    def document_ids(self) -> list[str]:
        return sorted(self.docstore.get_all_document_hashes().values())

    def document_with_hash(self, doc_hash: str) -> str | None:
        """The id of the document ingested with exactly this content hash, if any."""
        return self.docstore.get_all_document_hashes().get(doc_hash)

    def documents(self) -> list[IndexedDocument]:
        """Every ingested file with its article and chunk counts, read from the chunks
        themselves (so the table cannot disagree with what retrieval searches)."""
        groups: dict[str, list[dict[str, object]]] = {}
        total = self.chunk_count()
        for offset in range(0, total, CHROMA_BATCH):
            got = self.vector_store._collection.get(
                include=["metadatas"], limit=CHROMA_BATCH, offset=offset
            )
            for meta in got["metadatas"] or []:
                groups.setdefault(str(meta.get("file_id", "")), []).append(dict(meta))
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
        """The BM25 index, rebuilt from Chroma if it is missing or holds other chunk ids."""
        bm25 = self._bm25
        if bm25 is None:
            bm25 = BM25Index.load(self.dir / _BM25_DIR)
            if bm25 is None or bm25.ids() != self._chunk_ids():
                # Only the writer (holding the lock) replaces the files; a reader that finds
                # them out of step builds its own copy in memory.
                bm25 = self._rebuild_bm25(save=self._holds_lock())
            self._bm25 = bm25
        return bm25

    def _holds_lock(self) -> bool:
        """Whether this thread holds the write lock (another thread of this process may)."""
        return self._lock_depth > 0 and self._lock_owner == threading.get_ident()

    def _chunk_ids(self) -> set[str]:
        ids: set[str] = set()
        total = self.chunk_count()
        for offset in range(0, total, CHROMA_BATCH):
            got = self.vector_store._collection.get(include=[], limit=CHROMA_BATCH, offset=offset)
            ids.update(got["ids"])
        return ids

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
            try:
                self.docstore = self._load_docstore()
                self._bm25 = None
                yield
            finally:
                self._lock_depth = 0
                fcntl.flock(handle, fcntl.LOCK_UN)

    def commit(self, change: Change, refresh: bool = True) -> None:
        """Apply one change. New chunks go in before old ones go out: if adding fails,
        what was added is taken back and the index is as it was. A kill between the steps
        leaves Chroma ahead of the registry: the rerun sees the file as changed and replaces
        every chunk of it, old or half-added. `refresh=False` leaves the BM25 rebuild to
        `refresh()` (an ingest of many files commits each and rebuilds once)."""
        with self.writing():
            self._write_manifest()  # first: the embedding-model guard must survive a kill
            doc_ids = set(change.doc_hashes) | set(change.removed_docs)
            new_ids = {n.node_id for n in change.nodes}
            old_ids = [i for i in self._node_ids_of(doc_ids) if i not in new_ids]
            try:
                for i in range(0, len(change.nodes), CHROMA_BATCH):
                    self.vector_store.add(change.nodes[i : i + CHROMA_BATCH])
            except BaseException:
                self._delete_in_batches(sorted(new_ids))
                raise
            self._delete_in_batches(old_ids)
            for doc_id, doc_hash in change.doc_hashes.items():
                self.docstore.set_document_hash(doc_id, doc_hash)
            for doc_id in change.removed_docs:
                self.docstore._kvstore.delete(doc_id, collection=self.docstore._metadata_collection)
            self._persist_docstore()
            if refresh:
                self.refresh()
            # else readers keep the keyword index they have until `refresh()` swaps in the
            # new one: dense search sees each file as it is committed, BM25 the whole ingest.

    def delete_documents(self, file_ids: list[str]) -> int:
        """Remove documents from Chroma, the registry and BM25; returns how many chunks
        went. An id the index does not hold is an error, so a typo deletes nothing."""
        with self.writing():
            known = set(self.docstore.get_all_document_hashes().values())
            unknown = [f for f in file_ids if f not in known]
            if unknown:
                raise RagError(f"not in the index at {self.dir}: {', '.join(unknown)}")
            before = self.chunk_count()
            self.commit(Change(removed_docs=list(file_ids)))
            return before - self.chunk_count()

    def refresh(self) -> None:
        """Rebuild the BM25 index from Chroma and record the counts in the manifest."""
        with self.writing():
            self._bm25 = self._rebuild_bm25(save=True)
            self._write_manifest()

    def _delete_in_batches(self, node_ids: list[str]) -> None:
        for i in range(0, len(node_ids), CHROMA_BATCH):
            self.vector_store.delete_nodes(node_ids[i : i + CHROMA_BATCH])

    def _node_ids_of(self, doc_ids: set[str]) -> list[str]:
        ids: list[str] = []
        for doc_id in doc_ids:
            got = self.vector_store._collection.get(where={"file_id": doc_id}, include=[])
            ids.extend(got["ids"])
        return ids

    def _persist_docstore(self) -> None:
        path = self.dir / _DOCSTORE
        tmp = path.with_suffix(".json.tmp")
        self.docstore.persist(str(tmp))
        os.replace(tmp, path)

    def _rebuild_bm25(self, save: bool) -> BM25Index:
        nodes = self.vector_store.get_nodes(None) if not self.is_empty() else []
        chunks = [StoredChunk(n.node_id, n.get_content(), dict(n.metadata)) for n in nodes]
        chunks.sort(
            key=lambda c: (
                str(c.metadata.get("source", "")),
                int(c.metadata.get("start", 0)),
                c.node_id,
            )
        )
        index = BM25Index.build(chunks)
        if save:
            index.save(self.dir / _BM25_DIR)
        return index

    def _write_manifest(self) -> None:
        manifest = {
            "chunks": self.chunk_count(),
            "documents": len(self.docstore.get_all_document_hashes()),
            "embedding_model": self._embedding_id(),
        }
        path = self.dir / _MANIFEST
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(manifest, indent=2))
        os.replace(tmp, path)
