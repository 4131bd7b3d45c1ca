"""The embedding model: sentence-transformers (query/document prompts) run by torch or, exported
once to ONNX, by OpenVINO or ONNX Runtime; any OpenAI-compatible embeddings server; or a hashing
fake for tests."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
from pathlib import Path
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from rag.components.embedding_export import MANIFEST, ensure_exported
from rag.components.embedding_runtime import Precision, Runtime, open_runtime
from rag.components.model_store import resolve_model
from rag.errors import RagError
from rag.settings import EmbeddingSettings, OpenAIEmbeddingSettings, Settings

log = logging.getLogger(__name__)


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


class ExportedEmbedding(BaseEmbedding):
    """A sentence-transformers model exported to ONNX (`embedding_export`), run by OpenVINO or
    ONNX Runtime with the model's own tokenizer, prompts and maximum length. Texts are batched
    by length, so short ones are not padded to long ones. Its vectors match the torch model's
    (cosine >= 0.9998 measured), so an index made by either backend is queried by the other."""

    model_path: str
    runtime: str
    forward_batch: int = 4
    _tokenizer: Any = PrivateAttr()
    _run: Any = PrivateAttr()
    _prompts: dict[str, str] = PrivateAttr()
    _max_length: int = PrivateAttr()
    _pad_id: int = PrivateAttr()
    _pad_left: bool = PrivateAttr()
    # The UI embeds questions from several threads: a tokenizer used by two at once can raise
    # "Already borrowed", and OpenVINO's one infer request must not be shared either.
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    def __init__(
        self, folder: Path, runtime: Runtime, precision: Precision = "auto", batch_size: int = 4
    ) -> None:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        super().__init__(  # type: ignore[call-arg]  # pydantic fields of this subclass
            model_name=manifest["source"],
            model_path=str(folder),
            runtime=runtime,
            forward_batch=batch_size,
            embed_batch_size=64,  # what llama-index hands over at once, sorted by length here
        )
        self._prompts = manifest["prompts"]
        self._max_length = manifest["max_seq_length"]
        self._tokenizer, self._pad_id, self._pad_left = _fast_tokenizer(
            folder / "tokenizer", self._max_length
        )
        self._run = open_runtime(folder, runtime, precision)

    @classmethod
    def class_name(cls) -> str:
        return "ExportedEmbedding"

    def _encode(self, texts: list[str], prompt: str) -> list[list[float]]:
        with self._lock:
            return self._encode_unlocked(texts, prompt)

    def _encode_unlocked(self, texts: list[str], prompt: str) -> list[list[float]]:
        import numpy as np

        ids = [e.ids for e in self._tokenizer.encode_batch([prompt + t for t in texts])]
        vectors: list[list[float]] = [[] for _ in texts]
        for batch in length_batches([len(i) for i in ids], self.forward_batch):
            rows = [ids[i] for i in batch]
            width = -(-max(len(r) for r in rows) // _PAD_MULTIPLE) * _PAD_MULTIPLE
            input_ids = np.full((len(rows), width), self._pad_id, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for row, tokens in enumerate(rows):
                at = width - len(tokens) if self._pad_left else 0
                input_ids[row, at : at + len(tokens)] = tokens
                mask[row, at : at + len(tokens)] = 1
            out = np.asarray(self._run(input_ids, mask), dtype=np.float32)
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
            for i, vector in zip(batch, out, strict=True):
                vectors[i] = vector.tolist()
        return vectors

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._encode([query], self._prompts["query"])[0]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._encode(texts, self._prompts["document"])


def _fast_tokenizer(folder: Path, max_length: int) -> tuple[Any, int, bool]:
    """The model's tokenizer from its tokenizer.json (the `tokenizers` library alone: 0.8 s to
    load EmbeddingGemma's, against 2.4 s and the transformers import for AutoTokenizer; the
    same ids), truncating like sentence-transformers; its pad id and padding side."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length)
    config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    pad = config.get("pad_token")
    pad = pad.get("content") if isinstance(pad, dict) else pad
    pad_id = tokenizer.token_to_id(pad) if pad else None
    return tokenizer, pad_id or 0, config.get("padding_side") == "left"


# Sequence lengths are padded to a multiple of 16 tokens: OpenVINO then meets fewer distinct
# shapes (question p50 23 -> 18 ms measured); the attention mask keeps the vectors the same.
_PAD_MULTIPLE = 16
# A batch holds texts whose token counts differ by at most this factor, so a short chunk (the
# end of a document) is not padded to a long one's length: padding is computed, not skipped.
_MAX_PADDING = 1.25


def length_batches(lengths: list[int], size: int) -> list[list[int]]:
    """Indexes of `lengths` in batches of at most `size`, longest first, each batch's longest
    at most `_MAX_PADDING` times its shortest."""
    batches: list[list[int]] = []
    for i in sorted(range(len(lengths)), key=lambda i: -lengths[i]):
        last = batches[-1] if batches else None
        if last and len(last) < size and lengths[last[0]] <= _MAX_PADDING * max(1, lengths[i]):
            last.append(i)
        else:
            batches.append([i])
    return batches


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
    cfg = settings.embedding
    match cfg.mode:
        case "sentence_transformers":
            path = resolve_model(cfg.model, settings.resolved_models_dir())
            if exported_backend(cfg, path):
                try:
                    folder = ensure_exported(path, settings.resolved_models_dir())
                    return ExportedEmbedding(folder, cfg.backend, cfg.precision, cfg.batch_size)  # type: ignore[arg-type]
                except Exception as exc:  # an architecture the exporter or runtime cannot take
                    log.warning(
                        "embedding backend %s unavailable for %s (%s: %s); using torch, which "
                        "is slower. Set embedding.backend: torch to skip this attempt.",
                        cfg.backend,
                        path,
                        type(exc).__name__,
                        str(exc)[:300],
                    )
            return SentenceTransformerEmbedding(path, device=cfg.device, batch_size=cfg.batch_size)
        case "openai":
            return ServerEmbedding(cfg.openai, cfg.batch_size)
        case "mock":
            return HashingEmbedding(dim=cfg.mock_dim)
    raise ValueError(f"unknown embedding mode {cfg.mode!r}")


def exported_backend(cfg: EmbeddingSettings, model_path: str) -> bool:
    """OpenVINO / ONNX Runtime run a local model folder on the CPU; torch runs the rest
    (a GPU device, a hub name)."""
    return cfg.backend != "torch" and cfg.device == "cpu" and Path(model_path).is_dir()
