"""Answering: retrieve, ask the LLM for the answer span, then accept only what the passages
state verbatim, for the time, place and kind of figure the question asks about."""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field, replace

from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.llms import LLM
from llama_index.core.schema import NodeWithScore

from rag.components.prompts import ChatPrompt
from rag.errors import IndexMissingError
from rag.services.conversation import standalone_question
from rag.services.extraction import (
    ExtractedAnswer,
    PassageText,
    extract_answer,
    extract_followup,
)
from rag.services.grounding import is_refusal
from rag.services.index_store import IndexStore
from rag.services.injection import without_control_tokens
from rag.services.passage_window import windows
from rag.services.retrieval import HybridRetriever, best_similarity, worth_asking
from rag.settings import Settings

# One call to the model: the messages sent, the reply, the backend's token usage (or None).
_Call = tuple[list[ChatMessage], str, object]


@dataclass(frozen=True)
class Citation:
    number: int  # as shown in the answer text: [1], [2] ...
    source: str  # document file name
    title: str
    text: str  # the passage
    score: float  # retrieval score (reciprocal-rank fusion)
    start: int  # character offsets of the passage in the repaired document text
    end: int
    date: str = ""  # the article's date (YYYY-MM-DD) when layout repair found one
    publisher: str = ""  # the article's publisher (克孜勒苏日报) when layout repair found one
    # The sentence(s) of `text` the answer stands on, verbatim:
    # text[quote_start:quote_end] == quote. Empty for a retrieved passage that is not cited.
    quote: str = ""
    quote_start: int = 0
    quote_end: int = 0


@dataclass(frozen=True)
class AnswerPart:
    """One part of a (possibly multi-part) question and the span that answers it."""

    question: str  # this part of the question
    answer: str  # copied verbatim from the cited passage; '' when the documents do not hold it
    citation: int  # the Citation.number it stands on; 0 when missing
    scope: str = ""  # the time and place its evidence states, e.g. '2025年1-9月 克州'


@dataclass
class Answer:
    question: str
    text: str
    refused: bool
    # True when every answer span was found verbatim in its cited passage. The evidence-first
    # answer step accepts nothing else, so an answer that is not refused is grounded; the
    # field stays for callers and reports that read it.
    grounded: bool
    citations: list[Citation] = field(default_factory=list)
    # Why it was refused (or which part of the question found no answer), for people and
    # for the eval report.
    reason: str = ""
    raw_answer: str = ""
    passages: list[Citation] = field(default_factory=list)
    seconds: float = 0.0
    # Tokens the LLM read and wrote: the backend's own count when it reports one, else the
    # model's tokenizer over the message texts (without the chat template's role tokens).
    # None when neither is available, or when the LLM was not asked.
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    # The answer itself: verbatim span(s) from the cited passages, one per part of the
    # question, joined with '；'. Empty when refused.
    short_answer: str = ""
    parts: list[AnswerPart] = field(default_factory=list)
    # The question as searched and answered: a follow-up rewritten with the conversation's
    # earlier question (「2024年1至8月克州外贸总额？」 for 「那2024年1至8月呢？」), else `question`.
    searched: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "searched": self.searched or self.question,
            "answer": self.text,
            "short_answer": self.short_answer,
            "refused": self.refused,
            "grounded": self.grounded,
            "reason": self.reason,
            "parts": [
                {
                    "question": p.question,
                    "answer": p.answer,
                    "citation": p.citation,
                    "scope": p.scope,
                }
                for p in self.parts
            ],
            "citations": [
                {
                    "number": c.number,
                    "source": c.source,
                    "title": c.title,
                    "date": c.date,
                    "publisher": c.publisher,
                    "text": c.text,
                    "quote": c.quote,
                    "quote_start": c.quote_start,
                    "quote_end": c.quote_end,
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
        date=str(meta.get("date", "") or ""),
        publisher=str(meta.get("publisher", "") or ""),
    )


def _quoted(passage: Citation, number: int, quote_start: int, quote_end: int) -> Citation:
    """A retrieved passage as cited: its number in the answer and the sentence(s) it backs."""
    return replace(
        passage,
        number=number,
        quote=passage.text[quote_start:quote_end],
        quote_start=quote_start,
        quote_end=quote_end,
    )


def _article_year(hit: NodeWithScore) -> str:
    """The year 今年 means in this passage: the article's date, else the year ingest read
    from its headline and lead (older indexes have neither: '')."""
    meta = hit.node.metadata
    date = str(meta.get("date", "") or "")
    return date[:4] if date[:4].isdigit() else str(meta.get("year", "") or "")


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
        self.retry_hint = prompt.values.get("retry", "（请只摘抄资料原文中回答问题的词句。）")

    def answer(self, question: str, history: Sequence[str] = ()) -> Answer:
        final: Answer | None = None
        for event in self.stream(question, history):
            if isinstance(event, Answer):
                final = event
        assert final is not None
        return final

    def stream(self, question: str, history: Sequence[str] = ()) -> Iterator[str | Answer]:
        """Yields the model's text as it is generated (str deltas), then the checked Answer.
        `history`: the user's earlier questions in this conversation, oldest first; a
        follow-up (「那2024年1至8月呢？」) is searched and answered as a whole question."""
        asked = question.strip()
        if not asked:
            raise ValueError("the question is empty")
        searched = standalone_question(asked, history)
        for event in self._stream(searched):
            if isinstance(event, Answer):
                event.question, event.searched = asked, searched
            yield event

    def _stream(self, question: str) -> Iterator[str | Answer]:
        started = time.perf_counter()
        if self.index.is_empty():
            raise IndexMissingError(
                f"the index at {self.index.dir} is empty: run `rag ingest PATH` first (or `make run`)"
            )
        hits = self.retriever.retrieve(question)
        passages = [_as_citation(i + 1, h) for i, h in enumerate(hits)]
        if not worth_asking(question, hits, self.settings.retrieval):
            answer = self._refuse(
                question,
                passages,
                f"no passage is close to the question (best similarity {best_similarity(hits):.2f})",
                "",
            )
            answer.seconds = time.perf_counter() - started
            yield answer
            return
        texts = [(p.title, p.text, _article_year(h)) for p, h in zip(passages, hits, strict=True)]
        calls: list[_Call] = []
        extracted = yield from self._ask(question, passages, texts, calls)
        raw = "\n".join(reply for _, reply, _ in calls)
        answer = self._verdict(question, raw, passages, extracted)
        answer.seconds = time.perf_counter() - started
        counts = [_token_counts(self.llm, m, r, u) for m, r, u in calls]
        if all(p is not None and c is not None for p, c in counts):
            answer.prompt_tokens = sum(p or 0 for p, _ in counts)
            answer.completion_tokens = sum(c or 0 for _, c in counts)
        yield answer

    def _ask(
        self,
        question: str,
        passages: list[Citation],
        texts: list[PassageText],
        calls: list[_Call],
    ) -> Generator[str, None, ExtractedAnswer | None]:
        """The model's reply, checked, with at most two kinds of second call: once more when
        nothing in the reply could be checked, and each part the reply left out on its own.
        Streams every reply; records each call in `calls`. None when the model refused."""
        min_support = self.settings.answer.min_metric_support
        # Windows chosen once, by the question as asked: second calls then share the whole
        # passage part of the prompt with the first, which llama.cpp does not evaluate again.
        budget = self.settings.answer.passage_chars
        share = self.settings.answer.min_passage_share
        cut = windows(question, [p.text for p in passages], budget, share)
        shown = [replace(p, text=text) for p, text in zip(passages, cut, strict=True) if text]

        def call(text: str) -> Generator[str, None, str]:
            messages = self._messages(text, shown)
            if calls:
                yield "\n"
            reply, usage = yield from self._generate(messages)
            calls.append((messages, reply, usage))
            return reply

        raw = yield from call(question)
        if is_refusal(raw, self.refusal_text):
            return None
        extracted = extract_answer(question, raw, texts, min_support)
        if extracted.unverified and self.settings.answer.retry_unverified:
            # Only markers, a piece of the question, or words in no passage: once more, with
            # the hint to copy the passage's own words.
            again = yield from call(f"{question}\n{self.retry_hint}")
            if not is_refusal(again, self.refusal_text):
                retried = extract_answer(question, again, texts, min_support)
                extracted = retried if retried.parts else extracted
        for part, ask in list(extracted.followups.items())[: self.settings.answer.max_followups]:
            more = yield from call(ask)
            extracted.merge(part, extract_followup(question, part, more, texts, min_support))
        return extracted

    def _messages(self, question: str, passages: list[Citation]) -> list[ChatMessage]:
        # Control tokens in a document or a question could open a fake system turn.
        clean = without_control_tokens
        system, user = self.prompt.render(
            question=clean(question),
            passages=[
                {
                    "number": p.number,
                    "title": clean(p.title),
                    "source": p.source,
                    "text": clean(p.text),
                }
                for p in passages
            ],
            refusal=self.refusal_text,
        )
        return [
            ChatMessage(role=MessageRole.SYSTEM, content=system),
            ChatMessage(role=MessageRole.USER, content=user),
        ]

    def _generate(self, messages: list[ChatMessage]) -> Generator[str, None, tuple[str, object]]:
        """Streams the model's reply (yields its deltas); returns all of it and the
        backend's token usage when it reports one."""
        raw = ""
        usage: object = None
        for chunk in self.llm.stream_chat(messages):
            delta = chunk.delta or ""
            raw += delta
            if delta:
                yield delta
            if isinstance(chunk.raw, dict) and chunk.raw.get("usage"):
                usage = chunk.raw["usage"]
        return raw, usage

    def _verdict(
        self,
        question: str,
        raw: str,
        passages: list[Citation],
        extracted: ExtractedAnswer | None,
    ) -> Answer:
        if extracted is None:
            return self._refuse(
                question, passages, "the model found no answer in the passages", raw
            )
        if not extracted.parts:
            return self._refuse(question, passages, extracted.reason, raw, extracted)
        return self._accept(question, raw, passages, extracted)

    def _accept(
        self,
        question: str,
        raw: str,
        passages: list[Citation],
        extracted: ExtractedAnswer,
    ) -> Answer:
        numbers: dict[int, int] = {}  # passage index -> citation number
        for part in extracted.parts:
            numbers.setdefault(part.passage, len(numbers) + 1)
        citations = [
            _quoted(passages[index], number, *extracted.quote_bounds(index))
            for index, number in numbers.items()
        ]
        parts = [
            AnswerPart(p.question, p.answer, numbers[p.passage], p.scope) for p in extracted.parts
        ]
        parts += [AnswerPart(q, "", 0, "") for q in extracted.missing]
        lines = extracted.sentences(numbers)
        lines += [f"文档中没有找到“{q}”的答案。" for q in extracted.missing]
        reason = f"no answer found for: {'、'.join(extracted.missing)}" if extracted.missing else ""
        return Answer(
            question,
            "".join(lines),
            False,
            True,
            citations,
            reason,
            raw,
            passages,
            short_answer="；".join(p.answer for p in extracted.parts),
            parts=parts,
        )

    def _refuse(
        self,
        question: str,
        passages: list[Citation],
        reason: str,
        raw: str,
        extracted: ExtractedAnswer | None = None,
    ) -> Answer:
        """A refusal; when the evidence was rejected for its scope, the text also says what
        the documents do hold, with its own scope and citation."""
        text = self.refusal_text
        citations: list[Citation] = []
        if extracted is not None and extracted.near_miss is not None:
            miss = extracted.near_miss
            citations = [_quoted(passages[miss.passage], 1, miss.quote_start, miss.quote_end)]
            scope = f"（{miss.scope}）" if miss.scope else ""
            text += f"文档中的{miss.answer}{scope}出自：{miss.readable}[1]"
        return Answer(
            question,
            text,
            True,
            True,
            citations,
            reason,
            raw,
            passages,
        )
