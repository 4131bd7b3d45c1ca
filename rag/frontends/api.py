"""The Python API: `answer("问题")` over the default index and settings."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from rag.services.answer import Answer
from rag.services.rag_service import RagService


@cache
def default_service() -> RagService:
    """Built once per process from settings.yaml and RAG_* variables."""
    return RagService()


def answer(question: str) -> Answer:
    return default_service().answer(question)


def answer_stream(question: str) -> Iterator[str | Answer]:
    """Text deltas while the model writes, then the checked Answer as the last item."""
    return default_service().stream(question)
