"""Pure formatting for the web UI: chat messages, the sources panel, the document table,
the inspect view and the about tab (tested without Gradio or a browser)."""

from __future__ import annotations

import html
import re
from datetime import datetime

from rag.components.page_layout import PageLayout
from rag.services.answer import Answer, Citation
from rag.services.index_store import IndexedDocument

NO_SOURCES = '<div class="sources-empty">提问后，这里显示回答引用的原文，依据句会高亮。</div>'
DOCUMENT_HEADERS = ["文件", "文章数", "片段数", "导入时间", "文章标题"]
_MARKER = re.compile(r"\[(\d{1,2})\]")
# What the fallback highlight looks for in a passage when a citation has no quote: the
# answer's figures (107.37亿元, 65.6%) and its longer CJK names.
_HIGHLIGHTABLE = re.compile(r"\d+(?:\.\d+)?\s*[%‰亿万千百个元吨辆人户家项]*|[\u4e00-\u9fff·]{3,}")


def link_markers(text: str) -> str:
    """HTML-escape the answer text and make each [n] a link to source n in the panel."""
    return _MARKER.sub(
        lambda m: f'<a class="cite" href="#src-{m.group(1)}">[{m.group(1)}]</a>',
        html.escape(text),
    )


def highlight(c: Citation, answer_text: str = "") -> str:
    """The whole passage, HTML-escaped, with its quote marked; a citation without a quote
    gets the answer's figures and names marked where the passage has them."""
    text = c.text
    if c.quote and text[c.quote_start : c.quote_end] == c.quote:
        spans = [(c.quote_start, c.quote_end)]
    else:
        spans = []
        for m in _HIGHLIGHTABLE.finditer(answer_text):
            at = text.find(m.group().strip())
            if m.group().strip() and at >= 0:
                spans.append((at, at + len(m.group().strip())))
        spans = _merge(spans)
    out, pos = [], 0
    for start, end in spans:
        out += [html.escape(text[pos:start]), f"<mark>{html.escape(text[start:end])}</mark>"]
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def format_sources_panel(answer: Answer | None) -> str:
    """The panel beside the chat: each cited passage with its title, file and date, the
    supporting sentence highlighted."""
    if answer is None:
        return NO_SOURCES
    if not answer.citations:
        return '<div class="sources-empty">这条回答没有引用任何文档。</div>'
    cards = []
    for c in answer.citations:
        meta = " · ".join(html.escape(x) for x in (c.publisher, c.date, c.source) if x)
        cards.append(
            f'<div class="source" id="src-{c.number}">'
            f'<div class="source-title"><span class="source-no">[{c.number}]</span> '
            f"{html.escape(c.title or c.source)}</div>"
            f'<div class="source-meta">{meta} · 字符 {c.start}–{c.end}</div>'
            f'<div class="source-text">{highlight(c, answer.short_answer or answer.text)}</div>'
            "</div>"
        )
    return '<div class="sources">' + "".join(cards) + "</div>"


def format_answer(answer: Answer) -> str:
    """The final chat message: the short answer, the answer sentence with linked [n]
    markers, a note when refused or not fully grounded, the source titles, and the
    standalone question a follow-up was understood as."""
    parts = []
    if answer.refused:
        parts.append(f'<div class="refusal">🚫 {link_markers(answer.text)}</div>')
        parts.append("<small>文档中没有找到可以作答的依据，因此不作回答。</small>")
    else:
        if answer.short_answer:
            parts.append(f"<strong>{html.escape(answer.short_answer)}</strong>")
        parts.append(link_markers(answer.text))
        if not answer.grounded:
            parts.append(
                '<div class="ungrounded">⚠️ 回答中有内容没有在文档中找到出处，请核实。</div>'
            )
    if answer.citations:
        titles = "；".join(
            f'<a class="cite" href="#src-{c.number}">[{c.number}]</a> {html.escape(c.title or c.source)}'
            for c in answer.citations
        )
        parts.append(f'<small class="cited">来源：{titles}</small>')
    if answer.searched and answer.searched != answer.question:
        parts.append(
            f'<small class="searched">按上文理解为：{html.escape(answer.searched)}</small>'
        )
    return "<br>".join(parts)


def format_partial(text: str) -> str:
    """What is shown while the model is still writing."""
    return html.escape(text) + " ▌"


def format_error(message: str) -> str:
    return f"❌ {html.escape(message)}"


def _local_time(iso: str) -> str:
    if not iso:
        return "-"
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def document_rows(docs: list[IndexedDocument]) -> list[list[str | int]]:
    """The document table: one row per ingested file (columns: DOCUMENT_HEADERS)."""
    return [
        [d.source, d.articles, d.chunks, _local_time(d.ingested), "；".join(d.titles)] for d in docs
    ]


def document_choices(docs: list[IndexedDocument]) -> list[tuple[str, str]]:
    """(label, file id) pairs for the delete / inspect picker; the label shows the folder
    when two files share a name."""
    names = [d.source for d in docs]
    return [
        (f"{d.source}（{d.file_id}）" if names.count(d.source) > 1 else d.source, d.file_id)
        for d in docs
    ]


def format_layout(name: str, layout: PageLayout) -> str:
    """The inspect view: the articles layout repair found in a file, and what it set aside."""
    lines = [f"#### {html.escape(name)}：{len(layout.articles)} 篇文章"]
    for i, a in enumerate(layout.articles, start=1):
        meta = " · ".join(x for x in (a.date, a.source) if x)
        lines.append(
            f"**[{i}] {html.escape(a.title)}**" + (f"（{html.escape(meta)}）" if meta else "")
        )
        lines.append(
            f"> {html.escape(a.text[:200]).replace(chr(10), ' ')}{'…' if len(a.text) > 200 else ''}"
        )
        lines.append(f"<small>{len(a.text)} 字</small>")
    if layout.set_aside:
        lines.append(f"#### 未作为正文（{len(layout.set_aside)} 处）")
        for item in layout.set_aside:
            owner = f"（属于第 {item.article + 1} 篇）" if item.article is not None else ""
            lines.append(f"- `{item.kind}`{owner}：{html.escape(item.text[:120])}")
    return "\n\n".join(lines)


def format_about(info: dict[str, str | int]) -> str:
    labels = {
        "embedding_model": "向量模型",
        "llm": "语言模型",
        "vector_store": "向量库",
        "index_dir": "索引位置",
        "documents": "文档数",
        "chunks": "片段数",
    }
    rows = [
        f"| {labels.get(k, k)} | {html.escape(str(v), quote=False).replace('|', '&#124;')} |"
        for k, v in info.items()
    ]
    return "| 项目 | 当前值 |\n|---|---|\n" + "\n".join(rows)
