"""The Python API: `answer("问题")` over the default index and settings."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache

from rag.services.answer import Answer
from rag.services.rag_service import RagService


@cache
def default_service() -> RagService:
    """Built once per process from settings.yaml and RAG_* variables."""
    return RagService()


def answer(question: str, history: Sequence[str] = ()) -> Answer:
    """`history`: the earlier questions of the conversation, oldest first:
    `answer("那2024年1至8月呢？", history=["克州1-9月外贸总额"])`."""
    return default_service().answer(question, history)


def answer_stream(question: str, history: Sequence[str] = ()) -> Iterator[str | Answer]:
    """Text deltas while the model writes, then the checked Answer as the last item."""
    return default_service().stream(question, history)
