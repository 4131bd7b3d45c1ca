"""Text pdfium returns is made valid Unicode before anything else sees it: a surrogate pair
is one character, lone surrogates and private-use glyphs are dropped and counted. Such
text used to crash ingest and `rag inspect --json` (UnicodeEncodeError: surrogates not
allowed). pdfium is made to hand over such code units on a real fixture PDF."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rag.components.embedding import HashingEmbedding
from rag.components.llm import ScriptedLLM
from rag.components.readers import read_document, valid_unicode
from rag.frontends.cli import main
from rag.services.rag_service import RagService
from rag.settings import PROJECT_ROOT, Settings

PDF = PROJECT_ROOT / "tests" / "fixtures" / "pdf" / "justified.pdf"
MATH_A = "\U0001d400"  # 𝐀, a surrogate pair in UTF-16


@pytest.fixture
def broken_fonts(monkeypatch: pytest.MonkeyPatch) -> None:
    import pypdfium2.raw as pdfium_c

    real = pdfium_c.FPDFText_GetUnicode
    swap = {60: 0xD835, 61: 0xDC00, 64: 0xD800, 66: 0xE001, 70: 0xDC01}  # in the body

    def get_unicode(textpage: Any, index: int) -> int:
        return swap.get(index, real(textpage, index))

    monkeypatch.setattr(pdfium_c, "FPDFText_GetUnicode", get_unicode)


def test_valid_unicode_joins_pairs_and_drops_the_rest() -> None:
    assert valid_unicode("a\ud835\udc00b\ud800c\ue001d\U000f0001e") == f"a{MATH_A}bcde"


@pytest.mark.usefixtures("broken_fonts")
def test_reading_repair_chunking_ingest_and_inspect_survive(
    test_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = read_document(PDF, 50_000_000)
    assert MATH_A in raw.text
    assert not any(0xD800 <= ord(c) <= 0xDFFF or 0xE000 <= ord(c) <= 0xF8FF for c in raw.text)
    assert raw.layout is not None
    notes = [s.text for s in raw.layout.set_aside if s.kind == "other"]
    assert any(n.startswith("3 characters without a valid Unicode mapping") for n in notes)

    service = RagService(test_settings, embed_model=HashingEmbedding(), llm=ScriptedLLM())
    report = service.ingest([PDF], progress=False)
    assert report.chunks_added > 0
    assert any(MATH_A in c.text for c in service.index.store.chunks())

    assert main(["inspect", str(PDF), "--json"]) == 0
    out = capsys.readouterr()
    articles = json.loads(out.out)
    assert any(MATH_A in a["text"] or MATH_A in a["title"] for a in articles)
    assert "without a valid Unicode mapping" in out.err
