"""The Gradio chat UI: a thin shell over RagService; formatting lives in ui_format."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from rag.errors import RagError
from rag.frontends.ui_format import format_answer, format_error, format_partial
from rag.services.answer import Answer
from rag.services.rag_service import RagService

EXAMPLES = [
    "克州1-9月外贸总额是多少？",
    "2024年1至8月克州外贸进出口总额",
    "宿迁绿色产业洽谈会签约了多少个项目？",
]


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, list):  # content blocks: [{"type": "text", "text": …}]
        return "".join(_text(block) for block in content)
    return ""


def user_questions(history: list[dict[str, Any]]) -> list[str]:
    """The user's earlier questions from Gradio's chat history (messages format)."""
    return [_text(m.get("content")) for m in history if m.get("role") == "user"]


def chat_replies(service: RagService, message: str, history: Sequence[str] = ()) -> Iterator[str]:
    """The successive states of the assistant's message for one question; `history`, the
    earlier questions, lets a follow-up (「那2024年1至8月呢？」) be understood."""
    text = ""
    try:
        for event in service.stream(message, history):
            if isinstance(event, Answer):
                yield format_answer(event)
                return
            text += event
            yield format_partial(text)
    except (RagError, ValueError) as exc:
        yield format_error(str(exc))


def build_ui(service: RagService) -> Any:
    import gradio as gr

    def respond(message: str, history: list[dict[str, Any]]) -> Iterator[str]:
        yield from chat_replies(service, message, user_questions(history))

    return gr.ChatInterface(
        respond,
        title="文档问答",
        description=f"回答只来自已导入的文档（索引：{service.index.dir}），并列出出处。",
        examples=EXAMPLES,
        cache_examples=False,
        flagging_mode="never",
        api_name="chat",
    )


def serve(service: RagService, host: str, port: int) -> None:
    build_ui(service).queue().launch(server_name=host, server_port=port, show_error=True)
