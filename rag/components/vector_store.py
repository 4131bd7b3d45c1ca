"""The chunk store: Chroma, embedded under the index dir or a Chroma server.

`ChromaStore` is the one place that talks to Chroma: llama-index's `ChromaVectorStore` for
adding nodes and dense queries, and a few public operations for what the index needs besides
(ids, chunk texts by id, metadata, deletes, and a stamp that changes with every write so
that other processes sharing a server know their keyword index is out of step).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from llama_index.core.schema import BaseNode
from llama_index.vector_stores.chroma import ChromaVectorStore

from rag.components.bm25 import StoredChunk
from rag.errors import RagError
from rag.settings import Settings

# Cosine space: Chroma's distance is then 1 - cos, and llama-index reports exp(-distance).
COLLECTION_METADATA = {"hnsw:space": "cosine"}


def cosine_from_score(score: float | None) -> float:
    """Undo llama-index's exp(-distance) to get the cosine similarity back."""
    if not score or score <= 0:
        return -1.0
    return 1.0 + math.log(score)


# Chroma refuses more records than its max batch size (5,461 here) in one add, get or delete.
CHROMA_BATCH = 4000
_STAMP_ID = "stamp"


class ChromaStore:
    def __init__(self, collection: Any, stamps: Any, where: str) -> None:
        self._collection = collection
        self._stamps = stamps  # a one-record collection: the write stamp
        self.where = where
        self.vector = ChromaVectorStore(chroma_collection=collection)

    def count(self) -> int:
        return int(self._collection.count())

    def ids(self) -> set[str]:
        ids: set[str] = set()
        for offset in range(0, self.count(), CHROMA_BATCH):
            got = self._collection.get(include=[], limit=CHROMA_BATCH, offset=offset)
            ids.update(got["ids"])
        return ids

    def chunks(self, ids: list[str] | None = None) -> list[StoredChunk]:
        """Chunk texts and metadata: those with these ids, or all of them."""
        include = ["documents", "metadatas"]
        if ids is None:
            pages = (
                self._collection.get(include=include, limit=CHROMA_BATCH, offset=offset)
                for offset in range(0, self.count(), CHROMA_BATCH)
            )
        else:
            pages = (
                self._collection.get(ids=ids[i : i + CHROMA_BATCH], include=include)
                for i in range(0, len(ids), CHROMA_BATCH)
            )
        return [
            StoredChunk(i, text or "", dict(meta or {}))
            for got in pages
            for i, text, meta in zip(
                got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True
            )
        ]

    def metadatas(self) -> Iterator[dict[str, Any]]:
        for offset in range(0, self.count(), CHROMA_BATCH):
            got = self._collection.get(include=["metadatas"], limit=CHROMA_BATCH, offset=offset)
            yield from (dict(m or {}) for m in got["metadatas"] or [])

    def ids_of_file(self, file_id: str) -> list[str]:
        return list(self._collection.get(where={"file_id": file_id}, include=[])["ids"])

    def add(self, nodes: list[BaseNode]) -> None:
        for i in range(0, len(nodes), CHROMA_BATCH):
            self.vector.add(nodes[i : i + CHROMA_BATCH])

    def delete(self, ids: list[str]) -> None:
        for i in range(0, len(ids), CHROMA_BATCH):
            self.vector.delete_nodes(ids[i : i + CHROMA_BATCH])

    def stamp(self) -> str:
        """Changes whenever a writer touches the store (see `touch`): equal stamps mean the
        chunks are the ones seen before."""
        got = self._stamps.get(ids=[_STAMP_ID], include=["documents"])
        return str((got["documents"] or [""])[0])

    def touch(self) -> None:
        self._stamps.upsert(ids=[_STAMP_ID], documents=[uuid.uuid4().hex], embeddings=[[0.0]])


def build_chunk_store(settings: Settings, index_dir: Path) -> ChromaStore:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    cfg = settings.vectorstore
    match cfg.mode:
        case "chroma_persistent":
            where = str(index_dir / "chroma")
            client = chromadb.PersistentClient(path=where, settings=chroma_settings)
        case "chroma_http":
            where = f"{'https' if cfg.http.ssl else 'http'}://{cfg.http.host}:{cfg.http.port}"
            try:
                client = chromadb.HttpClient(
                    host=cfg.http.host,
                    port=cfg.http.port,
                    ssl=cfg.http.ssl,
                    settings=chroma_settings,
                )
            except Exception as exc:  # chromadb raises ValueError / httpx errors
                raise RagError(
                    f"cannot reach the Chroma server at {where} ({type(exc).__name__}): start "
                    "it (`chroma run --path DIR --port N`) or fix vectorstore.http in settings"
                ) from exc
        case _:
            raise ValueError(f"unknown vectorstore mode {cfg.mode!r}")
    collection = client.get_or_create_collection(cfg.collection, metadata=COLLECTION_METADATA)
    stamps = client.get_or_create_collection(f"{cfg.collection}__stamp")
    return ChromaStore(collection, stamps, where)
