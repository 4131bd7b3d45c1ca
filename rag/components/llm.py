"""The LLM: llama.cpp on a local GGUF, any OpenAI-compatible server, or a scripted fake."""

from __future__ import annotations

import os
import re
import threading
from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.llms import LLM
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.custom import CustomLLM
from pydantic import PrivateAttr

from rag.components.model_store import resolve_model
from rag.settings import Settings


class LlamaCppChat(CustomLLM):
    """llama-cpp-python with the chat template stored in the GGUF file itself.

    One llama.cpp context serves one generation at a time: calls from several threads (the
    web UI's users, `answer()` in threads) wait for each other on a lock instead of
    interleaving in one context, which mixes answers or crashes. A stream holds the lock
    until it ends or is closed."""

    model_path: str
    n_ctx: int = 4096
    temperature: float = 0.0
    max_tokens: int = 384
    _llama: Any = PrivateAttr()
    _lock: Any = PrivateAttr(default_factory=threading.RLock)

    def __init__(
        self,
        model_path: str,
        n_ctx: int,
        n_threads: int | None,
        temperature: float,
        max_tokens: int,
    ) -> None:
        super().__init__(
            model_path=model_path, n_ctx=n_ctx, temperature=temperature, max_tokens=max_tokens
        )
        try:
            from llama_cpp import Llama
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ImportError("llama-cpp-python is missing: run `make install`") from exc
        self._llama = Llama(
            model_path=model_path,
            n_ctx=n_ctx,
            n_threads=n_threads or os.cpu_count() or 2,
            verbose=False,
            seed=0,
        )

    @classmethod
    def class_name(cls) -> str:
        return "LlamaCppChat"

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(
            context_window=self.n_ctx,
            num_output=self.max_tokens,
            is_chat_model=True,
            model_name=self.model_path,
        )

    def count_tokens(self, text: str) -> int:
        # Tokenizing reads the model's vocabulary, not the context: no need to wait for the
        # lock (waiting here held every finished answer until the last one was generated).
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False))

    def _create(self, messages: Sequence[ChatMessage], stream: bool) -> Any:
        return self._llama.create_chat_completion(
            messages=[{"role": m.role.value, "content": m.content or ""} for m in messages],
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            stream=stream,
        )

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        with self._lock:
            result = self._create(messages, stream=False)
        text = result["choices"][0]["message"]["content"] or ""
        return ChatResponse(
            message=ChatMessage(role=MessageRole.ASSISTANT, content=text), raw=result
        )

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        def gen() -> ChatResponseGen:
            text = ""
            with self._lock:
                for part in self._create(messages, stream=True):
                    delta = part["choices"][0]["delta"].get("content") or ""
                    text += delta
                    yield ChatResponse(
                        message=ChatMessage(role=MessageRole.ASSISTANT, content=text),
                        delta=delta,
                        raw=part,
                    )

        return gen()

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        response = self.chat([ChatMessage(role=MessageRole.USER, content=prompt)])
        return CompletionResponse(text=response.message.content or "")

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        def gen() -> CompletionResponseGen:
            for r in self.stream_chat([ChatMessage(role=MessageRole.USER, content=prompt)]):
                yield CompletionResponse(text=r.message.content or "", delta=r.delta)

        return gen()


def _best_sentence(prompt: str) -> str:
    """The sentence of the prompt's passages that shares most character pairs with its
    question (the line starting 问题：), as an answer span; the refusal when there is none."""
    head, _, question = prompt.rpartition("问题：")
    pairs = {question[i : i + 2] for i in range(len(question) - 1)}
    sentences = [
        s.strip()
        for line in head.splitlines()
        if not line.startswith(("[", "资料"))
        for s in re.split("(?<=[。！？])", line)
        if s.strip()
    ]
    if not sentences or not pairs:
        return "文档中没有找到答案。"
    return max(sentences, key=lambda s: sum(p in s for p in pairs))


class ScriptedLLM(CustomLLM):
    """Fake LLM for tests: replays queued replies in order and records every call.

    With an empty queue it answers from the prompt itself (the passage sentence that
    shares most with the question) so a UI or pipeline run without models still shows
    something that depends on what was retrieved.
    """

    _replies: deque[str] = PrivateAttr(default_factory=deque)
    _calls: list[list[ChatMessage]] = PrivateAttr(default_factory=list)

    def __init__(self, replies: Iterable[str] = ()) -> None:
        super().__init__()
        self._replies = deque(replies)
        self._calls = []

    @classmethod
    def class_name(cls) -> str:
        return "ScriptedLLM"

    @property
    def calls(self) -> list[list[ChatMessage]]:
        return self._calls

    def queue(self, *replies: str) -> None:
        self._replies.extend(replies)

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(
            context_window=4096, num_output=256, is_chat_model=True, model_name="scripted"
        )

    def _reply(self, messages: Sequence[ChatMessage]) -> str:
        self._calls.append(list(messages))
        if self._replies:
            return self._replies.popleft()
        return _best_sentence(messages[-1].content or "")

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        text = self._reply(messages)
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text))

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        text = self._reply(messages)

        def gen() -> ChatResponseGen:
            sent = ""
            for i in range(0, len(text), 4):
                delta = text[i : i + 4]
                sent += delta
                yield ChatResponse(
                    message=ChatMessage(role=MessageRole.ASSISTANT, content=sent), delta=delta
                )

        return gen()

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(
            text=self._reply([ChatMessage(role=MessageRole.USER, content=prompt)])
        )

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        text = self._reply([ChatMessage(role=MessageRole.USER, content=prompt)])

        def gen() -> CompletionResponseGen:
            yield CompletionResponse(text=text, delta=text)

        return gen()


def build_llm(settings: Settings) -> LLM:
    cfg = settings.llm
    match cfg.mode:
        case "llamacpp":
            path = resolve_model(cfg.llamacpp.model, settings.resolved_models_dir())
            return LlamaCppChat(
                path, cfg.llamacpp.n_ctx, cfg.llamacpp.n_threads, cfg.temperature, cfg.max_tokens
            )
        case "openai":
            try:
                from llama_index.llms.openai_like import OpenAILike
            except ImportError as exc:
                raise ImportError(
                    "llm.mode=openai needs the openai extra: `.venv/bin/pip install -e '.[openai]'`"
                ) from exc
            return OpenAILike(
                model=cfg.openai.model,
                api_base=cfg.openai.api_base,
                api_key=cfg.openai.api_key.get_secret_value(),
                is_chat_model=True,
                temperature=cfg.temperature,
                max_tokens=cfg.max_tokens,
                timeout=cfg.openai.timeout_s,
                context_window=cfg.llamacpp.n_ctx,
            )
        case "mock":
            return ScriptedLLM()
    raise ValueError(f"unknown llm mode {cfg.mode!r}")
