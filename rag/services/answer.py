"""Answering: retrieve, prompt the LLM, then check the reply against the passages it saw."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.llms import LLM
from llama_index.core.schema import NodeWithScore

from rag.components.prompts import ChatPrompt
from rag.errors import IndexMissingError
from rag.services.grounding import (
    find_evidence,
    is_refusal,
    missing_entities,
    question_coverage,
    strip_markers,
)
from rag.services.index_store import IndexStore
from rag.services.retrieval import HybridRetriever
from rag.settings import Settings


@dataclass(frozen=True)
class Citation:
    number: int  # as shown in the answer text: [1], [2] ...
    source: str  # document file name
    title: str
    text: str  # the passage
    score: float  # retrieval score (reciprocal-rank fusion)
    start: int  # character offsets of the passage in the repaired document text
    end: int


@dataclass
class Answer:
    question: str
    text: str
    refused: bool
    grounded: bool
    citations: list[Citation] = field(default_factory=list)
    # Why it was refused or not grounded, for people and for the eval report.
    reason: str = ""
    raw_answer: str = ""
    passages: list[Citation] = field(default_factory=list)
    seconds: float = 0.0
    # Tokens the LLM read and wrote: the backend's own count when it reports one, else the
    # model's tokenizer over the message texts (without the chat template's role tokens).
    # None when neither is available, or when the LLM was not asked.
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "answer": self.text,
            "refused": self.refused,
            "grounded": self.grounded,
            "citations": [
                {
                    "source": c.source,
                    "title": c.title,
                    "text": c.text,
                    "score": round(c.score, 6),
                    "start": c.start,
                    "end": c.end,
                }
                for c in self.citations
            ],
        }


def _as_citation(number: int, hit: NodeWithScore) -> Citation:
    meta = hit.node.metadata
    return Citation(
        number=number,
        source=str(meta.get("source", "")),
        title=str(meta.get("title", "")),
        text=hit.node.get_content(),
        score=float(hit.score or 0.0),
        start=int(meta.get("start", 0) or 0),
        end=int(meta.get("end", 0) or 0),
    )


def _token_counts(
    llm: LLM, messages: list[ChatMessage], reply: str, usage: object
) -> tuple[int | None, int | None]:
    if isinstance(usage, dict) and "prompt_tokens" in usage:
        return int(usage["prompt_tokens"]), int(usage.get("completion_tokens") or 0)
    count = getattr(llm, "count_tokens", None)  # LlamaCppChat has the GGUF tokenizer
    if not callable(count):
        return None, None
    return sum(int(count(m.content or "")) for m in messages), int(count(reply))


class AnswerService:
    def __init__(
        self,
        settings: Settings,
        index: IndexStore,
        retriever: HybridRetriever,
        llm: LLM,
        prompt: ChatPrompt,
    ) -> None:
        self.settings = settings
        self.index = index
        self.retriever = retriever
        self.llm = llm
        self.prompt = prompt
        self.refusal_text = prompt.values.get("refusal", "文档中没有找到这个问题的答案。")

    def answer(self, question: str) -> Answer:
        final: Answer | None = None
        for event in self.stream(question):
            if isinstance(event, Answer):
                final = event
        assert final is not None
        return final

    def stream(self, question: str) -> Iterator[str | Answer]:
        """Yields the model's text as it is generated (str deltas), then the checked Answer."""
        started = time.perf_counter()
        question = question.strip()
        if not question:
            raise ValueError("the question is empty")
        if self.index.is_empty():
            raise IndexMissingError(
                f"the index at {self.index.dir} is empty: run `rag ingest PATH` first (or `make run`)"
            )
        hits = self.retriever.retrieve(question)
        passages = [_as_citation(i + 1, h) for i, h in enumerate(hits)]
        best = max(
            (float(h.node.metadata.get("dense_similarity", -1.0)) for h in hits), default=-1.0
        )
        if not hits or best < self.settings.retrieval.min_dense_similarity:
            yield self._refuse(
                question,
                passages,
                f"no passage is close to the question (best similarity {best:.2f})",
                "",
                started,
            )
            return
        system, user = self.prompt.render(
            question=question,
            passages=[
                {"number": p.number, "title": p.title, "source": p.source, "text": p.text}
                for p in passages
            ],
            refusal=self.refusal_text,
        )
        messages = [
            ChatMessage(role=MessageRole.SYSTEM, content=system),
            ChatMessage(role=MessageRole.USER, content=user),
        ]
        raw = ""
        usage: object = None
        for chunk in self.llm.stream_chat(messages):
            delta = chunk.delta or ""
            raw += delta
            if delta:
                yield delta
            if isinstance(chunk.raw, dict) and chunk.raw.get("usage"):
                usage = chunk.raw["usage"]
        answer = self._check(question, raw, passages, started)
        answer.prompt_tokens, answer.completion_tokens = _token_counts(
            self.llm, messages, raw, usage
        )
        yield answer

    def _check(self, question: str, raw: str, passages: list[Citation], started: float) -> Answer:
        if is_refusal(raw, self.refusal_text):
            return self._refuse(
                question, passages, "the model found no answer in the passages", raw, started
            )
        evidence = find_evidence(raw, question, [p.text for p in passages])
        if evidence.unsupported_numbers and not evidence.passages_hold_a_number:
            reason = f"the answer's numbers ({'、'.join(evidence.unsupported_numbers)}) are in no retrieved passage"
            return self._refuse(question, passages, reason, raw, started)
        backing = [passages[i] for i in evidence.passages]
        backing_texts = [f"{p.title}\n{p.text}" for p in backing]
        coverage, missing = question_coverage(question, backing_texts)
        absent_names = missing_entities(question, backing_texts)
        if absent_names or coverage < self.settings.answer.min_question_coverage:
            reason = f"the cited passages do not mention {'、'.join(absent_names or missing)} (coverage {coverage:.2f})"
            return self._refuse(question, passages, reason, raw, started)
        citations = [
            Citation(n, c.source, c.title, c.text, c.score, c.start, c.end)
            for n, c in enumerate(backing, start=1)
        ]
        text = strip_markers(raw) + "".join(f"[{c.number}]" for c in citations)
        grounded = not evidence.unsupported_numbers
        reason = ""
        if not grounded:
            numbers = "、".join(evidence.unsupported_numbers)
            reason = f"numbers not found in any retrieved passage: {numbers}"
            text += (
                f"\n（注意：答案中的 {numbers} 在检索到的文档段落中找不到，请勿当作有出处的数据。）"
            )
        return Answer(
            question,
            text,
            False,
            grounded,
            citations,
            reason,
            raw,
            passages,
            time.perf_counter() - started,
        )

    def _refuse(
        self, question: str, passages: list[Citation], reason: str, raw: str, started: float
    ) -> Answer:
        return Answer(
            question,
            self.refusal_text,
            True,
            True,
            [],
            reason,
            raw,
            passages,
            time.perf_counter() - started,
        )
