"""Reads document files into text: txt/md (UTF-8, UTF-16, GBK/GB18030, Big5), html, pdf (pypdfium2)."""

from __future__ import annotations

import codecs
import logging
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rag.components.page_layout import PageLayout
from rag.components.pdf_chars import is_private_use
from rag.errors import InputFileError

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
PDF_SUFFIXES = {".pdf"}
PDF_PROGRESS_PAGES = 50  # from this many pages on, reading a PDF shows a progress bar
logger = logging.getLogger(__name__)
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES


@dataclass(frozen=True)
class RawDocument:
    path: Path
    text: str
    title: str | None = None  # when the format names one (<title>, PDF metadata)
    encoding: str = "utf-8"
    # Set by readers that see positions (PDF): the layout found from them. None means
    # the text path (`article_split`) works out articles from `text` alone.
    layout: PageLayout | None = None


def read_document(path: Path, max_bytes: int) -> RawDocument:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputFileError(
            path,
            f"unsupported file type {suffix or '(none)'}",
            f"convert it to one of {', '.join(sorted(SUPPORTED_SUFFIXES))}",
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputFileError(
            path, f"cannot be read ({exc.strerror})", "check the path and permissions"
        ) from exc
    if size == 0:
        raise InputFileError(path, "is empty", "remove it or give a file with text in it")
    if size > max_bytes:
        raise InputFileError(
            path,
            f"is {size / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB limit",
            "split it, or raise ingest.max_file_mb (RAG_INGEST__MAX_FILE_MB)",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(
            path, f"cannot be read ({exc.strerror})", "check the path and permissions"
        ) from exc
    if suffix in PDF_SUFFIXES:
        doc = _read_pdf(path, data)
    else:
        text, encoding = decode_text(path, data)
        doc = (
            _read_html(path, text, encoding)
            if suffix in HTML_SUFFIXES
            else RawDocument(path, text, None, encoding)
        )
    if not doc.text.strip():
        raise InputFileError(path, "has no text in it", "give a file with text in it")
    return doc


def decode_text(path: Path, data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), UTF-16 (with or without BOM), GB18030 (a superset of
    GBK/GB2312) or Big5. Without a BOM, every decoding that gives text is a candidate and the
    one whose Chinese characters are the most common ones wins: bytes read in the wrong
    legacy encoding decode to rare characters and private-use glyphs."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" not in data[:8192]:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if _mostly_text(text):
                return text, "utf-8"
        encodings = ["gb18030", "big5", "utf-16-le", "utf-16-be"]
    else:  # NUL bytes: UTF-16 without a BOM, or binary
        encodings = ["utf-16-le", "utf-16-be"]
    best: tuple[float, str, str] | None = None
    for encoding in encodings:
        if encoding.startswith("utf-16") and len(data) % 2:
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _mostly_text(text):
            continue
        score = _common_share(text)
        if best is None or score > best[0]:
            best = (score, text, encoding)
    if best is not None and best[0] >= 0.6:
        return best[1], best[2]
    if b"\x00" in data[:8192]:
        raise InputFileError(
            path, "looks like a binary file, not text", "give a text, html or pdf file"
        )
    raise InputFileError(
        path,
        "is not UTF-8, UTF-16, GBK/GB18030 or Big5 text (or is binary)",
        "re-save it as UTF-8 (e.g. `iconv -f <encoding> -t utf-8`)",
    )


@cache
def _common_hanzi() -> frozenset[str]:
    """The everyday characters: GB2312 level 1 (simplified) and Big5 level 1 (traditional)."""
    chars = set()
    for b1 in range(0xB0, 0xD8):
        for b2 in range(0xA1, 0xFF):
            with suppress(UnicodeDecodeError):
                chars.add(bytes([b1, b2]).decode("gb2312"))
    for b1 in range(0xA4, 0xC7):
        for b2 in [*range(0x40, 0x7F), *range(0xA1, 0xFF)]:
            with suppress(UnicodeDecodeError):
                chars.add(bytes([b1, b2]).decode("big5"))
    return frozenset(chars)


def _common_share(text: str) -> float:
    """Share of the text's Han characters that are everyday ones (1.0 with none)."""
    common = _common_hanzi()
    han = [c for c in text[:20000] if "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff"]
    return sum(c in common for c in han) / len(han) if han else 1.0


def _mostly_text(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return True
    control = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f")
    odd = sum(1 for c in sample if 0xE000 <= ord(c) <= 0xF8FF or c == "\ufffd")
    # Stray control characters (a bell, an escape) are cleaned later; a tenth is binary.
    return (control + odd) / len(sample) < 0.1


def valid_unicode(text: str) -> str:
    """Surrogate pairs joined, lone surrogates and private-use glyphs dropped: what PDF
    metadata and broken fonts hand over is otherwise unwritable (JSON, Chroma, the UI)."""
    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")
    return "".join(c for c in joined if not is_private_use(ord(c)))


def _read_html(path: Path, html: str, encoding: str) -> RawDocument:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "footer", "header"]):
        tag.decompose()
    title = None
    heading = soup.find("h1")
    if heading and heading.get_text(strip=True):
        title = heading.get_text(strip=True)
    elif soup.title and soup.title.get_text(strip=True):
        title = soup.title.get_text(strip=True)
    body = soup.body or soup
    return RawDocument(path, body.get_text("\n"), title, encoding)


def _read_pdf(path: Path, data: bytes) -> RawDocument:
    """Articles from character positions (`pdf_layout`); `text` is them joined, titles first."""
    import pypdfium2 as pdfium

    from rag.components.pdf_layout import layout_pdf

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        problem = (
            "is encrypted" if "password" in str(exc).lower() else f"is not a readable PDF ({exc})"
        )
        raise InputFileError(
            path, problem, "open and re-save it unprotected, or export it again"
        ) from exc
    try:
        pages = len(pdf)
        title = valid_unicode(pdf.get_metadata_dict().get("Title") or "").strip() or None
    finally:
        pdf.close()
    try:
        # A progress bar only where it helps: long PDFs take seconds per hundred pages.
        result = layout_pdf(data, progress=pages >= PDF_PROGRESS_PAGES)
    except pdfium.PdfiumError as exc:
        raise InputFileError(
            path, f"is not a readable PDF ({exc})", "export it again from its source"
        ) from exc
    layout = result.layout
    if len(result.pages_without_text) == result.pages:
        raise InputFileError(
            path,
            "has no text layer (a scanned PDF?)",
            "OCR is not supported: give a PDF with selectable text",
        )
    if result.pages_without_text:
        skipped = ", ".join(str(n) for n in result.pages_without_text)
        logger.warning(
            "%s: pages %s have no text layer and were skipped (OCR is not supported)",
            path,
            skipped,
        )
    text = "\n\n".join(f"{a.title}\n{a.text}" if a.title else a.text for a in layout.articles)
    return RawDocument(path, text, title, "pdf", layout)
