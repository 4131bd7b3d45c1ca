"""The embedding model: sentence-transformers (query/document prompts) or a hashing fake for tests."""

from __future__ import annotations

import hashlib
import math
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from rag.components.model_store import resolve_model
from rag.settings import Settings


class SentenceTransformerEmbedding(BaseEmbedding):
    """Any sentence-transformers model; uses the model's own query and document prompts
    (EmbeddingGemma: "task: search result | query: " / "title: none | text: ")."""

    model_path: str
    device: str = "cpu"
    _model: Any = PrivateAttr()

    def __init__(self, model_path: str, device: str = "cpu", batch_size: int = 16) -> None:
        super().__init__(  # type: ignore[call-arg]  # pydantic fields of this subclass
            model_name=model_path, model_path=model_path, device=device, embed_batch_size=batch_size
        )
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(model_path, device=device)

    @classmethod
    def class_name(cls) -> str:
        return "SentenceTransformerEmbedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        vector = self._model.encode_query([query], normalize_embeddings=True)[0]
        return [float(x) for x in vector]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        vectors = self._model.encode_document(
            texts, normalize_embeddings=True, batch_size=self.embed_batch_size
        )
        return [[float(x) for x in v] for v in vectors]


class HashingEmbedding(BaseEmbedding):
    """Deterministic fake: character unigrams and bigrams hashed into signed buckets.

    Texts that share characters get similar vectors, so it ranks like a weak real
    model, which is what unit tests of retrieval need; it never loads anything.
    """

    dim: int = 256

    def __init__(self, dim: int = 256) -> None:
        super().__init__(model_name="hashing-fake", dim=dim)  # type: ignore[call-arg]

    @classmethod
    def class_name(cls) -> str:
        return "HashingEmbedding"

    def _vector(self, text: str) -> list[float]:
        vector = [0.0] * self.dim
        chars = [c for c in text if not c.isspace()]
        grams = chars + [a + b for a, b in zip(chars, chars[1:], strict=False)]
        for gram in grams:
            digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest()
            bucket = int.from_bytes(digest[:4], "little") % self.dim
            vector[bucket] += 1.0 if digest[4] & 1 else -1.0
        norm = math.sqrt(sum(x * x for x in vector)) or 1.0
        return [x / norm for x in vector]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._vector(text)


def build_embedding(settings: Settings) -> BaseEmbedding:
    match settings.embedding.mode:
        case "sentence_transformers":
            path = resolve_model(settings.embedding.model, settings.resolved_models_dir())
            return SentenceTransformerEmbedding(
                path, device=settings.embedding.device, batch_size=settings.embedding.batch_size
            )
        case "mock":
            return HashingEmbedding(dim=settings.embedding.mock_dim)
    raise ValueError(f"unknown embedding mode {settings.embedding.mode!r}")
