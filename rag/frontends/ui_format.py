"""Pure formatting for the chat UI: answers and sources as Markdown (tested without Gradio)."""

from __future__ import annotations

import html

from rag.services.answer import Answer, Citation

EXCERPT_CHARS = 160
CONTEXT_CHARS = 60  # shown on each side of the highlighted quote


def format_excerpt(c: Citation) -> str:
    """The passage around its quote, the quote highlighted (HTML-escaped)."""
    if not c.quote:
        excerpt = c.text if len(c.text) <= EXCERPT_CHARS else c.text[:EXCERPT_CHARS] + "…"
        return html.escape(excerpt)
    left = max(0, c.quote_start - CONTEXT_CHARS)
    right = min(len(c.text), c.quote_end + CONTEXT_CHARS)
    return (
        ("…" if left else "")
        + html.escape(c.text[left : c.quote_start])
        + f"<mark>{html.escape(c.quote)}</mark>"
        + html.escape(c.text[c.quote_end : right])
        + ("…" if right < len(c.text) else "")
    )


def format_sources(citations: list[Citation]) -> str:
    lines = []
    for c in citations:
        title = f"《{c.title}》" if c.title else ""
        excerpt = format_excerpt(c)
        lines.append(
            f"<details><summary>[{c.number}] {html.escape(title)} {html.escape(c.source)}"
            f" (字符 {c.start}–{c.end})</summary>\n\n> {excerpt}\n\n</details>"
        )
    return "\n".join(lines)


def format_answer(answer: Answer) -> str:
    """The final chat message: the answer, a note when refused or ungrounded, then the sources."""
    parts = [f"**{answer.short_answer}**", answer.text] if answer.short_answer else [answer.text]
    if answer.refused:
        parts.append("*未在文档中找到依据，因此不作回答。*")
    elif not answer.grounded:
        parts.append("⚠️ *部分数字没有出处，请核实。*")
    if answer.citations:
        parts.append("**来源**\n\n" + format_sources(answer.citations))
    if answer.searched and answer.searched != answer.question:
        parts.append(f"<small>按上文理解为：{html.escape(answer.searched)}</small>")
    return "\n\n".join(parts)


def format_partial(text: str) -> str:
    """What is shown while the model is still writing."""
    return text + " ▌"


def format_error(message: str) -> str:
    return f"❌ {message}"
