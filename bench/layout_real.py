"""Layout repair on real pages: hand-checked truth sentences against what comes out.

    .venv/bin/python -m bench.layout_bench --real DIR [--out bench/results/layout_real.json]

The pages are public Chinese PDFs that are not ours to commit: DIR holds them as fetched,
and `bench/real_pages/sources.json` says where each comes from (repository, path, commit,
sha256). What is ours is the truth, one file per page in `bench/real_pages/`, written by
reading the rendered page: each article's title and, in reading order, the first and last
sentence of each column or block of it, plus the text that is not article text (headers,
page numbers, captions, section labels).

Per page, two systems: the PDF layout path (`layout_pdf`) and plain pypdfium2
`get_text_range()` taken as one article. A truth sentence is *whole* when it comes out
unbroken inside one article's body, and *in order* when, besides, it sits after the
sentence before it in the same article (the first sentence of an article: when whole).
Text is compared without whitespace and with full-width forms made half-width.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TRUTH_DIR = ROOT / "bench" / "real_pages"

# (title, body) of each article a system found, in its order
Found = list[tuple[str, str]]


def key(text: str) -> str:
    from rag.components.text_repair import normalize_width

    return normalize_width(re.sub(r"\s+", "", text))


@dataclass
class PageScore:
    articles_found: int
    articles_true: int
    sentences: int
    whole: int
    in_order: int
    titles: int  # truth articles with a title on this page
    titles_exact: int
    error: str = ""  # the exception's text when the system crashed on the page


def score_page(found: Found, truth: dict[str, Any]) -> PageScore:
    bodies = [key(body) for _, body in found]
    titles = {key(title) for title, _ in found if title.strip()}
    articles = truth["articles"]
    result = PageScore(len(found), len(articles), 0, 0, 0, 0, 0)
    for article in articles:
        if article.get("title"):
            result.titles += 1
            result.titles_exact += key(article["title"]) in titles
        where: tuple[int, int] | None = None  # (article, offset) of the last sentence found
        for sentence in article["sentences"]:
            result.sentences += 1
            needle = key(sentence)
            spots = [(i, b.find(needle)) for i, b in enumerate(bodies) if needle in b]
            if not spots:
                continue
            result.whole += 1
            if where is None:
                result.in_order += 1
                where = spots[0]
                continue
            after = [s for s in spots if s[0] == where[0] and s[1] > where[1]]
            if after:
                result.in_order += 1
                where = after[0]
            else:
                where = spots[0]
    return result


def one_page(pdf: Path, page: int) -> bytes:
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(pdf)
    single = pdfium.PdfDocument.new()
    single.import_pages(source, [page])
    out = BytesIO()
    single.save(out)
    single.close()
    source.close()
    return out.getvalue()


def layout_system(data: bytes, named: str = "") -> Found:
    """The layout path on one page; `named` is the whole PDF's metadata title, which the
    reader hands on (`documents.mend_titles`) and a page copied out of the file loses."""
    from rag.components.pdf_layout import layout_pdf
    from rag.services.documents import mend_titles

    layout = layout_pdf(data).layout
    mend_titles(layout, named)
    return [(a.title, a.text) for a in layout.articles]


def metadata_title(pdf: Path) -> str:
    import pypdfium2 as pdfium

    from rag.components.readers import valid_unicode

    source = pdfium.PdfDocument(pdf)
    try:
        return valid_unicode(source.get_metadata_dict().get("Title") or "").strip()
    finally:
        source.close()


def plain_system(data: bytes) -> Found:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    textpage = pdf[0].get_textpage()
    text = textpage.get_text_range()
    pdf.close()
    return [("", text)]


def truth_files(folder: Path = TRUTH_DIR) -> list[Path]:
    return sorted(folder.glob("*.truth.json"))


def find_pdf(pdf_dir: Path, truth: dict[str, Any]) -> Path:
    """The truth's PDF in `pdf_dir`, by name, checked by sha256."""
    path = pdf_dir / truth["pdf"]
    if not path.exists():
        raise SystemExit(
            f"{path} is missing: fetch it as bench/real_pages/sources.json says "
            f"({truth['pdf']}) and put it in {pdf_dir}"
        )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != truth["sha256"]:
        raise SystemExit(f"{path}: sha256 {digest} is not the truth's {truth['sha256']}")
    return path


def run_page(pdf: Path, truth: dict[str, Any]) -> dict[str, dict[str, Any]]:
    data = one_page(pdf, int(truth["page"]))
    named = metadata_title(pdf)
    systems: dict[str, Callable[[], Found]] = {
        "layout": lambda: layout_system(data, named),
        "baseline": lambda: plain_system(data),
    }
    scores: dict[str, dict[str, Any]] = {}
    for name, system in systems.items():
        try:
            scores[name] = asdict(score_page(system(), truth))
        except Exception as exc:  # noqa: BLE001 - a crash is a result of the benchmark
            empty = score_page([], truth)
            empty.error = f"{type(exc).__name__}: {exc}"
            scores[name] = asdict(empty)
    return scores


def totals(pages: Sequence[dict[str, Any]], system: str) -> dict[str, Any]:
    rows = [p[system] for p in pages]
    sentences = sum(r["sentences"] for r in rows)
    return {
        "pages": len(rows),
        "crashed": sum(bool(r["error"]) for r in rows),
        "sentences": sentences,
        "whole": sum(r["whole"] for r in rows) / sentences if sentences else None,
        "in_order": sum(r["in_order"] for r in rows) / sentences if sentences else None,
        "titles_exact": f"{sum(r['titles_exact'] for r in rows)}/{sum(r['titles'] for r in rows)}",
        "articles_right": sum(r["articles_found"] == r["articles_true"] for r in rows),
    }


def run(pdf_dir: Path, truth_dir: Path = TRUTH_DIR) -> dict[str, Any]:
    pages = []
    for path in truth_files(truth_dir):
        truth = json.loads(path.read_text(encoding="utf-8"))
        scores = run_page(find_pdf(pdf_dir, truth), truth)
        pages.append({"page": path.name.removesuffix(".truth.json"), **scores})
    return {
        "pages": pages,
        "totals": {s: totals(pages, s) for s in ("layout", "baseline")},
    }


def rows(report: dict[str, Any]) -> list[list[object]]:
    def cell(r: dict[str, Any]) -> str:
        if r["error"]:
            return "crash"
        return f"{r['in_order']}/{r['sentences']}"

    out: list[list[object]] = []
    for p in report["pages"]:
        lay, base = p["layout"], p["baseline"]
        out.append(
            [
                p["page"],
                f"{lay['articles_found']}/{lay['articles_true']}",
                cell(lay),
                f"{lay['titles_exact']}/{lay['titles']}",
                cell(base),
            ]
        )
    return out


def summary_rows(report: dict[str, Any]) -> list[list[object]]:
    out: list[list[object]] = []
    for system in ("layout", "baseline"):
        t = report["totals"][system]
        out.append(
            [
                system,
                t["pages"],
                t["crashed"],
                t["sentences"],
                "n/a" if t["whole"] is None else f"{t['whole']:.1%}",
                "n/a" if t["in_order"] is None else f"{t['in_order']:.1%}",
                t["titles_exact"],
                t["articles_right"],
            ]
        )
    return out


SUMMARY_HEADER = [
    "system",
    "pages",
    "crashed",
    "truth sentences",
    "whole",
    "whole and in order",
    "titles exact",
    "pages with the true article count",
]
HEADER = [
    "page",
    "articles found/true",
    "sentences whole, in order",
    "titles exact",
    "baseline: whole, in order",
]
