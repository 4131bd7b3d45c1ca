"""One index folder: Chroma chunks, the document hashes that drive dedupe, and the BM25 index."""

from __future__ import annotations

import json
import os
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


# Chroma refuses more records than its max batch size (5,461 here) in one add or delete.
CHROMA_BATCH = 4000


@dataclass
class Change:
    """What one ingest writes: new chunks, and the documents whose old chunks they replace."""

    nodes: list[BaseNode] = field(default_factory=list)
    doc_hashes: dict[str, str] = field(default_factory=dict)  # doc id -> new hash
    removed_docs: list[str] = field(default_factory=list)


class IndexStore:
    def __init__(self, settings: Settings, index_dir: Path | None = None) -> None:
        self.settings = settings
        self.dir = index_dir or settings.resolved_index_dir()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.vector_store: ChromaVectorStore = build_vector_store(settings, self.dir)
        docstore_path = self.dir / _DOCSTORE
        self.docstore = (
            SimpleDocumentStore.from_persist_path(str(docstore_path))
            if docstore_path.exists()
            else SimpleDocumentStore()
        )
        self._bm25: BM25Index | None = None
        self._check_embedding_model()

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

    def bm25(self) -> BM25Index:
        """The BM25 index, rebuilt from Chroma if it is missing or out of step with it."""
        if self._bm25 is None:
            loaded = BM25Index.load(self.dir / _BM25_DIR)
            if loaded is None or len(loaded) != self.chunk_count():
                loaded = self._rebuild_bm25()
            self._bm25 = loaded
        return self._bm25

    # -- writing ---------------------------------------------------------------
    def commit(self, change: Change) -> None:
        """Apply one ingest. New chunks go in before old ones go out: if adding fails,
        what was added is taken back and the index is as it was."""
        doc_ids = set(change.doc_hashes) | set(change.removed_docs)
        old_ids = self._node_ids_of(doc_ids)
        added: list[str] = []
        try:
            for i in range(0, len(change.nodes), CHROMA_BATCH):
                added += self.vector_store.add(change.nodes[i : i + CHROMA_BATCH])
        except BaseException:
            self._delete_in_batches([n.node_id for n in change.nodes])
            raise
        self._delete_in_batches(old_ids)
        for doc_id, doc_hash in change.doc_hashes.items():
            self.docstore.set_document_hash(doc_id, doc_hash)
        for doc_id in change.removed_docs:
            self.docstore._kvstore.delete(doc_id, collection=self.docstore._metadata_collection)
        self._persist_docstore()
        self._bm25 = self._rebuild_bm25()
        self._write_manifest(len(added))

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

    def _rebuild_bm25(self) -> BM25Index:
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
        index.save(self.dir / _BM25_DIR)
        return index

    def _write_manifest(self, added: int) -> None:
        manifest = {
            "chunks": self.chunk_count(),
            "documents": len(self.docstore.get_all_document_hashes()),
            "embedding_model": self._embedding_id(),
            "last_added_chunks": added,
        }
        (self.dir / _MANIFEST).write_text(json.dumps(manifest, indent=2))
