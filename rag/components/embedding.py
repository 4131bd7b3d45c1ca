"""The embedding model: sentence-transformers (query/document prompts), any OpenAI-compatible
embeddings server, or a hashing fake for tests."""

from __future__ import annotations

import hashlib
import math
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from rag.components.model_store import resolve_model
from rag.errors import RagError
from rag.settings import OpenAIEmbeddingSettings, Settings


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


class ServerEmbedding(BaseEmbedding):
    """Vectors from an OpenAI-compatible `/v1/embeddings` endpoint, so app replicas need not
    each load the model. Vectors are normalised here (servers differ on that)."""

    api_base: str
    query_prefix: str = ""
    document_prefix: str = ""
    _client: Any = PrivateAttr()
    _one_at_a_time: bool = PrivateAttr(default=False)

    def __init__(self, cfg: OpenAIEmbeddingSettings, batch_size: int = 16) -> None:
        super().__init__(  # type: ignore[call-arg]  # pydantic fields of this subclass
            model_name=cfg.model,
            api_base=cfg.api_base,
            query_prefix=cfg.query_prefix,
            document_prefix=cfg.document_prefix,
            embed_batch_size=batch_size,
        )
        from openai import OpenAI

        self._client = OpenAI(
            base_url=cfg.api_base,
            api_key=cfg.api_key.get_secret_value(),
            timeout=cfg.timeout_s,
            max_retries=2,
        )

    @classmethod
    def class_name(cls) -> str:
        return "ServerEmbedding"

    def _embed(self, texts: list[str]) -> list[list[float]]:
        if self._one_at_a_time and len(texts) > 1:
            return [v for t in texts for v in self._embed([t])]
        try:
            reply = self._client.embeddings.create(model=self.model_name, input=texts)
        except Exception as exc:  # openai raises APIConnectionError, APIStatusError, ...
            raise RagError(
                f"the embedding server at {self.api_base} failed ({type(exc).__name__}: "
                f"{str(exc)[:200]}): check that it runs and serves model {self.model_name!r} "
                "(embedding.openai in settings)"
            ) from exc
        vectors = [d.embedding for d in sorted(reply.data, key=lambda d: d.index)]
        if vectors and vectors[0] and isinstance(vectors[0][0], list):
            # Per-token vectors: llama.cpp's server on a model without pooling. It mixes up
            # the tokens of several texts in one request (measured: only the first text's
            # vector is right), so such a server gets one text per request.
            self._one_at_a_time = True
            if len(texts) > 1:
                return self._embed(texts)
        return [_normalised(_pooled(v)) for v in vectors]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embed([self.query_prefix + query])[0]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embed([self.document_prefix + t for t in texts])


def _pooled(vector: Any) -> list[float]:
    """One vector per text. llama.cpp's server on a model without a pooling layer (any chat
    GGUF) returns one vector per token: they are averaged, as sentence-transformers does."""
    if vector and isinstance(vector[0], list):
        return [sum(column) / len(vector) for column in zip(*vector, strict=True)]
    return list(vector)


def _normalised(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [float(x) / norm for x in vector]


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
        case "openai":
            return ServerEmbedding(settings.embedding.openai, settings.embedding.batch_size)
        case "mock":
            return HashingEmbedding(dim=settings.embedding.mock_dim)
    raise ValueError(f"unknown embedding mode {settings.embedding.mode!r}")
