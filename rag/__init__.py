"""Question answering over Chinese documents with cited sources.

from rag import answer
a = answer("克州1-9月外贸总额")
a.short_answer, a.text, a.refused, a.citations  # citations carry quote + offsets
"""

from rag.frontends.api import answer, answer_stream
from rag.services.answer import Answer, AnswerPart, Citation
from rag.services.rag_service import RagService
from rag.settings import Settings, load_settings

__all__ = [
    "Answer",
    "AnswerPart",
    "Citation",
    "RagService",
    "Settings",
    "answer",
    "answer_stream",
    "load_settings",
]
