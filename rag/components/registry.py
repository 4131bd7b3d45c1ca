"""The document registry: which files are in the index, each with the content hash that
dedupe and replacement key on. A llama-index SimpleDocumentStore, saved atomically as
docstore.json in the index folder."""

from __future__ import annotations

import os
from pathlib import Path

from llama_index.core.storage.docstore import SimpleDocumentStore


class DocumentRegistry:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._store = (
            SimpleDocumentStore.from_persist_path(str(path))
            if path.exists()
            else SimpleDocumentStore()
        )

    def hash_of(self, doc_id: str) -> str | None:
        return self._store.get_document_hash(doc_id)

    def with_hash(self, doc_hash: str) -> str | None:
        """The id of the document registered with exactly this hash, if any."""
        return self._store.get_all_document_hashes().get(doc_hash)

    def hashes(self) -> dict[str, str]:
        """doc id -> hash."""
        return {doc_id: h for h, doc_id in self._store.get_all_document_hashes().items()}

    def ids(self) -> list[str]:
        return sorted(self.hashes())

    def set(self, doc_id: str, doc_hash: str) -> None:
        self._store.set_document_hash(doc_id, doc_hash)

    def remove(self, doc_id: str) -> None:
        self._store._kvstore.delete(doc_id, collection=self._store._metadata_collection)

    def save(self) -> None:
        """Write a sibling file, then swap it in: a crash leaves the old registry whole."""
        tmp = self.path.with_suffix(".json.tmp")
        self._store.persist(str(tmp))
        os.replace(tmp, self.path)
