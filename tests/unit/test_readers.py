from pathlib import Path

import pytest

from rag.components.readers import read_document
from rag.errors import InputFileError

MB = 1_000_000


def test_gbk_text_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("克州外贸进出口总额107.37亿元。".encode("gbk"))
    doc = read_document(path, MB)
    assert doc.text == "克州外贸进出口总额107.37亿元。"
    assert doc.encoding == "gb18030"


@pytest.mark.parametrize(
    ("encoding", "expected"), [("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("utf-8", "utf-8")]
)
def test_unicode_encodings(tmp_path: Path, encoding: str, expected: str) -> None:
    path = tmp_path / "u.txt"
    path.write_bytes("增长45.2%。".encode(encoding))
    doc = read_document(path, MB)
    assert doc.text == "增长45.2%。"
    assert doc.encoding == expected


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "is empty"),
        ("blank.txt", b"  \n\n ", "has no text"),
        ("junk.txt", bytes(range(256)) * 20, "binary"),
        ("notes.docx", b"PK\x03\x04", "unsupported file type .docx"),
        ("broken.pdf", b"%PDF-1.7 this is not really a pdf", "not a readable PDF"),
    ],
)
def test_bad_files_get_an_error_naming_the_file(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=message) as info:
        read_document(path, MB)
    assert info.value.path == str(path)
    assert str(path) in str(info.value)


def test_files_over_the_limit_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("字" * 1000, encoding="utf-8")
    with pytest.raises(InputFileError, match="over the 0 MB limit"):
        read_document(path, 100)


def test_html_text_and_title(tmp_path: Path) -> None:
    path = tmp_path / "a.html"
    path.write_text(
        "<html><head><title>站点</title><script>var x=1;</script></head>"
        "<body><h1>潮涌帕米尔</h1><p>今年1-9月,总额107.37亿元。</p></body></html>",
        encoding="utf-8",
    )
    doc = read_document(path, MB)
    assert doc.title == "潮涌帕米尔"
    assert "107.37亿元" in doc.text
    assert "var x" not in doc.text


def test_pdf_text_layer_is_read(tmp_path: Path) -> None:
    reportlab = pytest.importorskip("reportlab.pdfgen.canvas")
    path = tmp_path / "a.pdf"
    pdf = reportlab.Canvas(str(path))
    pdf.drawString(72, 720, "Total 107.37 in Q3")
    pdf.save()
    assert "107.37" in read_document(path, MB).text


def test_pdf_without_text_says_ocr_is_not_supported(tmp_path: Path) -> None:
    reportlab = pytest.importorskip("reportlab.pdfgen.canvas")
    path = tmp_path / "scan.pdf"
    pdf = reportlab.Canvas(str(path))
    pdf.rect(72, 72, 200, 200, fill=1)
    pdf.save()
    with pytest.raises(InputFileError, match="OCR is not supported"):
        read_document(path, MB)
