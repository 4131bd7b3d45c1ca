"""Builds the components named in settings and wires them into the ingest and answer services."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.llms import LLM

from rag.components import chinese_tokens, synonyms
from rag.components.embedding import build_embedding
from rag.components.llm import build_llm
from rag.components.prompts import load_prompt
from rag.services.answer import Answer, AnswerService
from rag.services.index_store import IndexStore
from rag.services.ingest import IngestReport, IngestService
from rag.services.library import Library
from rag.services.retrieval import HybridRetriever
from rag.settings import Settings, load_settings


class RagService:
    """One index plus the models to fill and query it. Models load on first use, so
    ingesting never loads the LLM. Pass `embed_model`/`llm` to use your own."""

    def __init__(
        self,
        settings: Settings | None = None,
        index_dir: Path | None = None,
        *,
        embed_model: BaseEmbedding | None = None,
        llm: LLM | None = None,
    ) -> None:
        self.settings = settings or load_settings()
        self.index = IndexStore(self.settings, index_dir)
        self._embed_model = embed_model
        self._llm = llm
        self._answerer: AnswerService | None = None
        self._loading = threading.Lock()  # a model is loaded once, whoever asks first

    @property
    def embed_model(self) -> BaseEmbedding:
        if self._embed_model is None:
            with self._loading:
                if self._embed_model is None:
                    self._embed_model = build_embedding(self.settings)
        return self._embed_model

    @property
    def llm(self) -> LLM:
        if self._llm is None:
            with self._loading:
                if self._llm is None:
                    self._llm = build_llm(self.settings)
        return self._llm

    def warm_up(self) -> None:
        """Load both models, the keyword index and the word lists the answer checks use
        now rather than on the first question (`rag serve` does this in the background
        while the page starts)."""
        _ = self.embed_model, self.llm
        self.index.bm25()
        chinese_tokens.preload()
        synonyms.preload()

    def ingest(
        self, paths: Iterable[Path], progress: bool = True, skip_bad: bool = False
    ) -> IngestReport:
        return IngestService(self.settings, self.index, self.embed_model).ingest(
            paths, progress, skip_bad
        )

    @property
    def library(self) -> Library:
        """Upload, list, delete and inspect documents (what the web UI's 文档 tab does)."""
        return Library(
            self.index,
            lambda paths: self.ingest(paths, progress=True, skip_bad=True),
            int(self.settings.ingest.max_file_mb * 1_000_000),
        )

    def about(self) -> dict[str, str | int]:
        """Which models and index are in use, for the UI's 关于 tab and the API."""
        s = self.settings
        llm = {
            "llamacpp": f"{s.llm.llamacpp.model} (llama.cpp)",
            "openai": f"{s.llm.openai.model} @ {s.llm.openai.api_base}",
            "mock": "mock",
        }[s.llm.mode]
        store = (
            f"Chroma server {s.vectorstore.http.host}:{s.vectorstore.http.port}"
            if s.vectorstore.mode == "chroma_http"
            else "Chroma (embedded)"
        )
        return {
            "embedding_model": s.embedding.identity(),
            "llm": llm,
            "vector_store": f"{store}, collection {s.vectorstore.collection!r}",
            "index_dir": str(self.index.dir),
            "documents": len(self.index.document_ids()),
            "chunks": self.index.chunk_count(),
        }

    def retriever(self) -> HybridRetriever:
        return HybridRetriever(self.index, self.embed_model, self.settings.retrieval)

    def _answer_service(self) -> AnswerService:
        if self._answerer is None:
            prompt = load_prompt(self.settings.answer.prompt)
            self._answerer = AnswerService(
                self.settings, self.index, self.retriever(), self.llm, prompt
            )
        return self._answerer

    def answer(self, question: str, history: Sequence[str] = ()) -> Answer:
        """`history`: the earlier questions of the conversation, oldest first, so that a
        follow-up such as 「那2024年1至8月呢？」 is understood (`Answer.searched`)."""
        return self._answer_service().answer(question, history)

    def stream(self, question: str, history: Sequence[str] = ()) -> Iterator[str | Answer]:
        """Text deltas as the model writes them, then the checked Answer."""
        return self._answer_service().stream(question, history)
