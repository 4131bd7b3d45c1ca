"""The vector store: Chroma, embedded under the index dir or a Chroma server, via llama-index."""

from __future__ import annotations

import math
from pathlib import Path

from llama_index.vector_stores.chroma import ChromaVectorStore

from rag.settings import Settings

# Cosine space: Chroma's distance is then 1 - cos, and llama-index reports exp(-distance).
COLLECTION_METADATA = {"hnsw:space": "cosine"}


def cosine_from_score(score: float | None) -> float:
    """Undo llama-index's exp(-distance) to get the cosine similarity back."""
    if not score or score <= 0:
        return -1.0
    return 1.0 + math.log(score)


def build_vector_store(settings: Settings, index_dir: Path) -> ChromaVectorStore:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    cfg = settings.vectorstore
    match cfg.mode:
        case "chroma_persistent":
            client = chromadb.PersistentClient(
                path=str(index_dir / "chroma"), settings=chroma_settings
            )
        case "chroma_http":
            client = chromadb.HttpClient(
                host=cfg.http.host, port=cfg.http.port, ssl=cfg.http.ssl, settings=chroma_settings
            )
        case _:
            raise ValueError(f"unknown vectorstore mode {cfg.mode!r}")
    collection = client.get_or_create_collection(cfg.collection, metadata=COLLECTION_METADATA)
    return ChromaVectorStore(chroma_collection=collection)
