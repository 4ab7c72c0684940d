"""Unreadable input raises IngestError naming the problem; fixtures are generated here."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from granska.ingest import ocr
from granska.ingest.errors import IngestError
from granska.ingest.numbers import parse_figures
from granska.ingest.reader import read_document

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "halland-regionkontoret-manadsrapport-2018-09.pdf"

CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
ONE_PAGE = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"


def build_pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    """A minimal, structurally valid PDF (correct xref offsets) made of the given objects."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer_extra, xref)
    return bytes(out)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_generated_pdf_builder_is_valid(tmp_path: Path) -> None:
    # The builder's output must parse; otherwise the cases below would pass for the wrong reason.
    with pytest.raises(IngestError, match="ingen extraherbar text"):
        read_document(write(tmp_path, "blank.pdf", build_pdf([CATALOG, ONE_PAGE, PAGE])))


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"tom \(0 byte\)"):
        read_document(write(tmp_path, "tom.pdf", b""))


@pytest.mark.parametrize("data", [os.urandom(4096), b"<html><body>404 Not Found</body></html>"])
def test_not_a_pdf(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(IngestError, match="inte en PDF"):
        read_document(write(tmp_path, "fel.pdf", data))


@pytest.mark.parametrize("keep", [0.05, 0.4])
def test_truncated_pdf(tmp_path: Path, keep: float) -> None:
    data = SAMPLE.read_bytes()
    with pytest.raises(IngestError, match="trasig eller ofullständig PDF"):
        read_document(write(tmp_path, "avkortad.pdf", data[: int(len(data) * keep)]))


def test_encrypted_pdf(tmp_path: Path) -> None:
    # Standard security handler with owner/user keys no empty password opens.
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32 + b"> /P -4 >>"
    ids = b"/Encrypt 4 0 R /ID [<" + b"01" * 16 + b"> <" + b"01" * 16 + b">] "
    with pytest.raises(IngestError, match="krypterad PDF"):
        read_document(write(tmp_path, "krypterad.pdf", build_pdf([CATALOG, ONE_PAGE, PAGE, encrypt], ids)))


def test_zero_pages(tmp_path: Path) -> None:
    data = build_pdf([CATALOG, b"<< /Type /Pages /Kids [] /Count 0 >>"])
    with pytest.raises(IngestError, match="inga sidor"):
        read_document(write(tmp_path, "noll.pdf", data))


def test_scanned_pdf_without_text_layer(tmp_path: Path) -> None:
    # A blank scan: OCR (when installed) finds nothing, and the message says so.
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), "white").save(buffer, "PDF")
    with pytest.raises(IngestError, match="skannad PDF utan textlager.*tesseract"):
        read_document(write(tmp_path, "skannad.pdf", buffer.getvalue()))


def scanned_report(tmp_path: Path) -> Path:
    """An image-only A4 page at 300 dpi with Swedish report text, as a scanner would save it."""
    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 46)  # about 11 pt at 300 dpi
    except OSError:
        pytest.skip("no DejaVu Sans font on this machine (fonts-dejavu-core)")
    page = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(page)
    lines = ["Sjukfrånvaron var 2,78 % i oktober 2020, vilket är lägre", "än samma månad föregående år."]
    for number, line in enumerate(lines):
        draw.text((250, 400 + 70 * number), line, font=font, fill=0)
    buffer = io.BytesIO()
    page.save(buffer, "PDF", resolution=300)
    return write(tmp_path, "skannad-rapport.pdf", buffer.getvalue())


@pytest.mark.skipif(not ocr.available(), reason="tesseract-ocr with tesseract-ocr-swe not installed (scripts/install-ocr.sh)")
def test_scanned_pdf_is_read_by_ocr(tmp_path: Path) -> None:
    doc = read_document(scanned_report(tmp_path))
    assert doc.blocks and all(block.ocr for block in doc.blocks)
    text = "\n".join(block.text for block in doc.blocks)
    assert "Sjukfrånvaron var 2,78 % i oktober 2020" in text
    assert ("2,78 %", 2.78, "%") in [(f.text, f.value, f.unit) for f in parse_figures(text)]


def test_scanned_pdf_without_ocr_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(IngestError, match="skannad PDF utan textlager.*installera tesseract-ocr och tesseract-ocr-swe"):
        read_document(scanned_report(tmp_path))


def test_text_pages_are_not_marked_as_ocr() -> None:
    assert not any(block.ocr for block in read_document(SAMPLE).blocks)


def test_missing_file_and_unsupported_suffix(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="finns inte"):
        read_document(tmp_path / "saknas.pdf")
    with pytest.raises(IngestError, match=r"\.docx stöds inte"):
        read_document(write(tmp_path, "rapport.docx", b"PK\x03\x04"))


def test_a_folders_own_documentation_is_not_a_report(tmp_path):
    """An archive copied from a repository keeps its README/SOURCES: skipped in a folder, read
    when named on its own."""
    from granska.ingest.pipeline import discover

    for name in ("README.md", "SOURCES.md", "rapport-2024.md", "LICENSE.txt"):
        (tmp_path / name).write_text("text", encoding="utf-8")
    assert [p.name for p in discover([tmp_path])] == ["rapport-2024.md"]
    assert [p.name for p in discover([tmp_path / "SOURCES.md"])] == ["SOURCES.md"]
