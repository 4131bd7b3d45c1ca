"""The Gradio web UI: chat with a sources panel, document management and an about tab.

A thin shell over RagService: every operation is one RagService / Library call, every piece
of text it shows comes from ui_format. The same operations are API endpoints
(`gradio_client`): /ask, /upload, /documents, /delete, /inspect, /about.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from rag.errors import RagError
from rag.frontends.ui_format import (
    DOCUMENT_HEADERS,
    NO_SOURCES,
    document_choices,
    document_rows,
    format_about,
    format_answer,
    format_error,
    format_layout,
    format_partial,
    format_sources_panel,
)
from rag.services.answer import Answer
from rag.services.rag_service import RagService

EXAMPLES = [
    "克州1-9月外贸总额是多少？",
    "2024年1至8月克州外贸进出口总额",
    "宿迁绿色产业洽谈会签约了多少个项目？",
]
UPLOAD_TYPES = [".txt", ".md", ".markdown", ".html", ".htm", ".pdf"]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

CSS = """
.sources { display: flex; flex-direction: column; gap: 10px; max-height: 640px; overflow-y: auto; }
.source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px; }
.source:target { border-color: var(--color-accent); box-shadow: 0 0 0 2px var(--color-accent-soft); }
.source-title { font-weight: 600; }
.source-no { color: var(--color-accent); }
.source-meta { font-size: 0.85em; color: var(--body-text-color-subdued); margin: 2px 0 6px; }
.source-text { line-height: 1.7; white-space: pre-wrap; }
.source-text mark, .message mark { background: #ffe58f; padding: 0 2px; border-radius: 2px; }
.sources-empty { color: var(--body-text-color-subdued); padding: 12px; }
.refusal { background: var(--background-fill-secondary); border-left: 4px solid #999;
           padding: 6px 10px; border-radius: 4px; }
.ungrounded { color: #ad4e00; }
a.cite { text-decoration: none; font-weight: 600; }
"""


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


def chat_replies(
    service: RagService, message: str, history: Sequence[str] = ()
) -> Iterator[tuple[str, Answer | None]]:
    """The successive states of the assistant's message for one question, each with the
    checked Answer once there is one; `history`, the earlier questions, lets a follow-up
    (「那2024年1至8月呢？」) be understood."""
    text = ""
    try:
        for event in service.stream(message, history):
            if isinstance(event, Answer):
                yield format_answer(event), event
                return
            text += event
            yield format_partial(text), None
    except (RagError, ValueError) as exc:
        yield format_error(str(exc)), None


def auth_pair(auth: str | None) -> tuple[str, str] | None:
    """'user:password' → (user, password); None or '' → no login."""
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise RagError("--auth / ui.auth must be user:password (both non-empty)")
    return user, password


def exposure_warning(host: str, auth: tuple[str, str] | None) -> str | None:
    """The warning printed at start when the UI is reachable from other machines without
    a login."""
    if auth is None and host not in LOOPBACK:
        return (
            f"warning: serving on {host} without a login: anyone who can reach this machine can "
            "read, upload and delete documents. Set --auth user:password (or RAG_UI__AUTH)."
        )
    return None


def build_ui(service: RagService) -> Any:
    import gradio as gr

    library = service.library

    def chat(message: str, history: list[dict[str, Any]]) -> Iterator[Any]:
        message = message.strip()
        if not message:
            yield history, gr.skip(), ""
            return
        earlier = user_questions(history)
        history = [
            *history,
            {"role": "user", "content": message},
            {"role": "assistant", "content": "▌"},
        ]
        for state, answer in chat_replies(service, message, earlier):
            history[-1] = {"role": "assistant", "content": state}
            panel = format_sources_panel(answer) if answer is not None else gr.skip()
            yield history, panel, ""

    def table_and_choices() -> tuple[Any, Any]:
        docs = library.documents()
        choices = document_choices(docs)
        return (
            gr.update(value=document_rows(docs)),
            gr.update(choices=choices, value=choices[0][1] if choices else None),
        )

    tracked = gr.Progress(track_tqdm=True)  # the ingest's tqdm bars become the progress bar

    def upload(files: list[str] | None, progress: Any = tracked) -> Any:
        if not files:
            return "请先选择文件。", *table_and_choices()
        progress(0, desc="导入中")
        try:
            report = library.upload([Path(f) for f in files])
            status = "\n".join(f"- {line}" for line in report.lines())
        except RagError as exc:
            status = format_error(str(exc))
        return status, *table_and_choices()

    def on_delete(file_id: str | None) -> Any:
        if not file_id:
            return "请先选择要删除的文档。", *table_and_choices()
        try:
            removed = library.delete(file_id)
            status = f"🗑️ 已删除 {Path(file_id).name}（{removed} 个片段），回答不会再引用它。"
        except RagError as exc:
            status = format_error(str(exc))
        return status, *table_and_choices()

    def on_inspect(file_id: str | None) -> str:
        if not file_id:
            return "请先选择文档。"
        try:
            return format_layout(Path(file_id).name, library.inspect(file_id))
        except RagError as exc:
            return format_error(str(exc))

    with gr.Blocks(title="文档问答") as demo:
        gr.Markdown(
            "## 文档问答\n回答只来自已导入的文档，每个数字都注明出处；文档中没有的，会直说没有。"
        )
        with gr.Tabs():
            with gr.Tab("问答", id="chat"), gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=320):
                    chatbot = gr.Chatbot(
                        label="对话", height=520, elem_id="chatbot", buttons=["copy"]
                    )
                    with gr.Row():
                        box = gr.Textbox(
                            placeholder="输入问题，例如：克州1-9月外贸总额",
                            show_label=False,
                            scale=5,
                            elem_id="question",
                            submit_btn="提问",
                        )
                    new = gr.Button("新对话", size="sm", elem_id="new-chat")
                    gr.Examples(EXAMPLES, box, label="示例问题")
                with gr.Column(scale=2, min_width=300):
                    gr.Markdown("#### 来源")
                    sources = gr.HTML(NO_SOURCES, elem_id="sources-panel")
            with gr.Tab("文档", id="documents"):
                files = gr.File(
                    label="上传文档（txt、md、html、pdf，可多选）",
                    file_count="multiple",
                    file_types=UPLOAD_TYPES,
                    type="filepath",
                    height=150,
                    elem_id="upload-files",
                )
                upload_btn = gr.Button("导入", variant="primary", elem_id="upload-button")
                status = gr.Markdown(elem_id="documents-status")
                table = gr.Dataframe(
                    headers=DOCUMENT_HEADERS,
                    interactive=False,
                    wrap=True,
                    elem_id="documents-table",
                    label="索引中的文档",
                )
                with gr.Row():
                    pick = gr.Dropdown(label="选择文档", choices=[], elem_id="document-pick")
                    delete_btn = gr.Button("删除", variant="stop", elem_id="delete-button")
                    inspect_btn = gr.Button("查看版面修复结果", elem_id="inspect-button")
                inspected = gr.Markdown(elem_id="inspect-view")
            with gr.Tab("关于", id="about"):
                about = gr.Markdown(elem_id="about")

        box.submit(chat, [box, chatbot], [chatbot, sources, box], api_visibility="private")
        new.click(
            lambda: ([], NO_SOURCES, ""), None, [chatbot, sources, box], api_visibility="private"
        )
        upload_btn.click(
            upload, files, [status, table, pick], api_name="upload", concurrency_limit=1
        ).then(lambda: None, None, files, api_visibility="private")
        delete_btn.click(
            on_delete, pick, [status, table, pick], api_visibility="private", concurrency_limit=1
        )
        inspect_btn.click(on_inspect, pick, inspected, api_visibility="private")
        demo.load(table_and_choices, None, [table, pick], api_visibility="private")
        demo.load(lambda: format_about(service.about()), None, about, api_visibility="private")

        def ask(question: str, history: list[str] | None = None) -> dict[str, Any]:
            """Answer one question (earlier questions in `history` make follow-ups work):
            the Answer as JSON: answer, short_answer, parts, refused, citations with quotes."""
            return service.answer(question, history or []).to_json()

        def documents() -> list[dict[str, Any]]:
            """The documents in the index: file_id, source, articles, chunks, ingested."""
            return [
                {
                    "file_id": d.file_id,
                    "source": d.source,
                    "articles": d.articles,
                    "chunks": d.chunks,
                    "ingested": d.ingested,
                    "titles": list(d.titles),
                }
                for d in library.documents()
            ]

        def delete_document(file_id: str) -> dict[str, Any]:
            """Remove one document (its file_id from /documents) from the index."""
            return {"file_id": file_id, "chunks_removed": library.delete(file_id)}

        def inspect_document(file_id: str) -> dict[str, Any]:
            """What layout repair made of an ingested file: its articles and what was set aside."""
            layout = library.inspect(file_id)
            return {
                "articles": [a.to_json() for a in layout.articles],
                "set_aside": [s.to_json() for s in layout.set_aside],
            }

        def about_index() -> dict[str, Any]:
            """Which embedding model, LLM and index are in use, and how many chunks it holds."""
            return dict(service.about())

        gr.api(ask, api_name="ask")
        gr.api(documents, api_name="documents")
        gr.api(delete_document, api_name="delete", concurrency_limit=1)
        gr.api(inspect_document, api_name="inspect")
        gr.api(about_index, api_name="about")
    return demo


def _warm_up(service: RagService) -> None:
    try:
        service.warm_up()
    except RagError as exc:  # the first question then reports it, in the page
        print(f"warning: {exc}", file=sys.stderr)


def serve(
    service: RagService, host: str, port: int, auth: str | None = None, quiet: bool = False
) -> None:
    ui = service.settings.ui
    login = auth_pair(auth)
    warning = exposure_warning(host, login)
    if warning:
        print(warning, file=sys.stderr)
    # The models load while the page starts: the first question does not wait for them.
    threading.Thread(target=_warm_up, args=(service,), name="warm-up", daemon=True).start()
    demo = build_ui(service)
    demo.queue(default_concurrency_limit=ui.concurrency, max_size=ui.max_queue)
    demo.launch(
        server_name=host,
        server_port=port,
        auth=login,
        show_error=True,
        css=CSS,
        quiet=quiet,
    )
