"""Layout benchmark: articles recovered from multi-column PDFs and seed texts vs plain extraction.

    .venv/bin/python -m bench.layout_bench [--pages 300] [--out bench/results/layout.json]
    .venv/bin/python -m bench.layout_bench --real DIR [--out bench/results/layout_real.json]

With `--real DIR`: real pages (public PDFs in DIR, hand-checked truth in bench/real_pages),
scored sentence by sentence; see bench/layout_real.py.

For every PDF fixture in tests/fixtures/pdf (with its `<name>.truth.json`) and both seeds
(truth in tests/fixtures/layout), two systems:

- layout: the PDF path (`read_document` -> `pdf_layout`) for PDFs, `split_articles` for text;
- baseline: plain pypdfium2 `get_text_range()` per page (PDFs) or the raw file text (seeds),
  taken as one article.

Figures, all on text with whitespace removed: article count found vs truth; mean body
similarity (for each true article, the best difflib ratio against any found article); and
character error rate, the Levenshtein distance between the found bodies joined in reading
order and the true bodies joined in reading order, over the true length.

Then a long PDF (one fixture page imported N times) is read in a child process: pages/s and
the child's peak RSS, against its RSS just before reading (the PDF bytes already loaded).
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.report import describe_machine, machine_line, markdown_table, write_json

ROOT = Path(__file__).resolve().parents[1]
PDF_DIR = ROOT / "tests" / "fixtures" / "pdf"
SEEDS = {
    "seed 000 (text)": (ROOT / "seeds" / "000_673d2681ea06abf5.txt", "seed000_truth.json"),
    "seed 004 (text)": (ROOT / "seeds" / "004_2c14e46296c21688.txt", "seed004_truth.json"),
}
TRUTH_DIR = ROOT / "tests" / "fixtures" / "layout"
BOOK_PAGE = PDF_DIR / "four_columns.pdf"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one DP row at a time (numpy; insertions via a running minimum)."""
    if not a or not b:
        return len(a) + len(b)
    codes_b = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    index = np.arange(len(b) + 1)
    previous = index.copy()
    for i, char in enumerate(a, start=1):
        cost = (codes_b != ord(char)).astype(np.int64)
        # Deletion (from above) and substitution (diagonal); insertion is the running
        # minimum along the row: cur[j] = min_k<=j (base[k] + j - k).
        base = np.empty(len(b) + 1, dtype=np.int64)
        base[0] = i
        base[1:] = np.minimum(previous[1:] + 1, previous[:-1] + cost)
        previous = np.minimum.accumulate(base - index) + index
    return int(previous[-1])


@dataclass
class Score:
    found: int
    truth: int
    similarity: float
    cer: float


def score(found: Sequence[str], truth: Sequence[str]) -> Score:
    found_sq = [squeeze(t) for t in found]
    ratios = []
    for expected in truth:
        target = squeeze(expected)
        ratios.append(
            max(
                (
                    difflib.SequenceMatcher(None, target, f, autojunk=False).ratio()
                    for f in found_sq
                ),
                default=0.0,
            )
        )
    joined_truth = "".join(squeeze(t) for t in truth)
    distance = edit_distance("".join(found_sq), joined_truth)
    return Score(len(found), len(truth), sum(ratios) / len(ratios), distance / len(joined_truth))


def pdf_systems(path: Path) -> tuple[list[str], list[str]]:
    import pypdfium2 as pdfium

    from rag.components.readers import read_document

    doc = read_document(path, 100_000_000)
    assert doc.layout is not None
    pdf = pdfium.PdfDocument(path)
    pages = []
    for page in pdf:
        textpage = page.get_textpage()
        pages.append(textpage.get_text_range())
        textpage.close()
        page.close()
    pdf.close()
    return [a.text for a in doc.layout.articles], ["\n".join(pages)]


def text_systems(path: Path) -> tuple[list[str], list[str]]:
    # Imported here: article_split is the text path's module, maintained beside this one.
    from rag.components.article_split import split_articles
    from rag.components.readers import decode_text

    raw, _ = decode_text(path, path.read_bytes())
    return [a.text for a in split_articles(raw).articles], [raw]


def fixtures() -> list[tuple[str, Path, list[str]]]:
    cases = []
    for truth_file in sorted(PDF_DIR.glob("*.truth.json")):
        name = truth_file.name.removesuffix(".truth.json")
        truth = json.loads(truth_file.read_text(encoding="utf-8"))["articles"]
        cases.append((f"{name}.pdf", PDF_DIR / f"{name}.pdf", [a["text"] for a in truth]))
    for label, (path, truth_name) in SEEDS.items():
        truth = json.loads((TRUTH_DIR / truth_name).read_text(encoding="utf-8"))
        cases.append((label, path, [a["text"] for a in truth]))
    return cases


def read_book(pages: int) -> dict[str, float]:
    """In this (child) process: build an N-page PDF, read it, report time and memory."""
    import pypdfium2 as pdfium

    from rag.components.readers import read_document

    source = pdfium.PdfDocument(BOOK_PAGE)
    book = pdfium.PdfDocument.new()
    for _ in range(pages):
        book.import_pages(source)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "book.pdf"
        book.save(path)
        book.close()
        source.close()
        size_mb = path.stat().st_size / 1e6
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        doc = read_document(path, 10**9)
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert doc.layout is not None
    return {
        "pages": pages,
        "pdf_mb": round(size_mb, 1),
        "seconds": round(seconds, 2),
        "pages_per_s": round(pages / seconds, 1),
        "articles": len(doc.layout.articles),
        "rss_before_mb": round(before),
        "peak_rss_mb": round(peak),
    }


def book_in_child(pages: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.layout_bench", "--book-child", str(pages)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def real_pages(pdf_dir: Path, out: Path | None) -> int:
    from bench import layout_real

    machine = describe_machine()
    report = {"machine": machine, **layout_real.run(pdf_dir)}
    print(f"Layout benchmark, real pages: {machine_line(machine)}\n")
    print(markdown_table(layout_real.HEADER, layout_real.rows(report)))
    print()
    print(markdown_table(layout_real.SUMMARY_HEADER, layout_real.summary_rows(report)))
    write_json(out, report)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=300, help="pages of the long PDF")
    parser.add_argument("--out", type=Path, default=None, help="also write the report as JSON")
    parser.add_argument("--book-child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument(
        "--real",
        type=Path,
        default=None,
        help="folder of the real-page PDFs listed in bench/real_pages/sources.json",
    )
    args = parser.parse_args(argv)
    if args.book_child is not None:
        print(json.dumps(read_book(args.book_child)))
        return 0
    if args.real is not None:
        return real_pages(args.real, args.out)

    machine = describe_machine()
    rows = []
    report: dict[str, object] = {"machine": machine, "fixtures": {}}
    for label, path, truth in fixtures():
        ours, plain = pdf_systems(path) if path.suffix == ".pdf" else text_systems(path)
        layout, baseline = score(ours, truth), score(plain, truth)
        report["fixtures"][label] = {"layout": vars(layout), "baseline": vars(baseline)}  # type: ignore[index]
        rows.append(
            [
                label,
                f"{layout.found}/{layout.truth}",
                f"{layout.similarity:.4f}",
                f"{layout.cer:.4f}",
                f"{baseline.found}/{baseline.truth}",
                f"{baseline.similarity:.4f}",
                f"{baseline.cer:.4f}",
            ]
        )
    header = [
        "input",
        "articles",
        "body similarity",
        "CER",
        "baseline articles",
        "baseline similarity",
        "baseline CER",
    ]
    print(f"Layout benchmark: {machine_line(machine)}\n")
    print(markdown_table(header, rows))

    books = [book_in_child(n) for n in sorted({max(1, args.pages // 3), args.pages})]
    report["books"] = books
    print()
    print(
        markdown_table(
            ["pages", "PDF MB", "seconds", "pages/s", "articles", "RSS before MB", "peak RSS MB"],
            [
                [
                    b["pages"],
                    b["pdf_mb"],
                    b["seconds"],
                    b["pages_per_s"],
                    b["articles"],
                    b["rss_before_mb"],
                    b["peak_rss_mb"],
                ]
                for b in books
            ],
        )
    )
    write_json(args.out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
