"""PDF extraction with pdfplumber: per page, the text lines outside tables and the cleaned tables.

This is the only module that opens PDFs. Each page is processed once (one `find_tables()`, one
line clustering of the page's characters) and closed, so memory stays flat on long documents.
A page without a text layer but with images is a scan: `ocr.py` reads it when tesseract is
installed. Layout interpretation (furniture, headings, paragraphs) is in `layout.py`.
"""

from __future__ import annotations

import logging
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

import pdfplumber
from pdfplumber.utils.exceptions import PdfminerException
from pdfplumber.utils.text import chars_to_textmap

from granska.ingest import ocr
from granska.ingest.errors import IngestError
from granska.ingest.layout import Line, PageContent, PageTable, assemble
from granska.ingest.tables import clean_table
from granska.types import ParsedDocument

log = logging.getLogger(__name__)

_ENCRYPTION_ERRORS = ("PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning")


def read_pdf(path: Path) -> ParsedDocument:
    """Read a PDF into a ParsedDocument, or raise IngestError saying why it cannot be read."""
    _check_bytes(path)
    started = time.perf_counter()
    try:
        with pdfplumber.open(path) as pdf:
            if not pdf.pages:
                raise IngestError(f"{path.name}: PDF-filen har inga sidor; exportera om dokumentet.")
            metadata = {str(key): _metadata_text(value) for key, value in (pdf.metadata or {}).items()}
            pages = [_read_page(page, number) for number, page in enumerate(pdf.pages, start=1)]
    except IngestError:
        raise
    except PdfminerException as exc:
        raise _explain(path, exc.args[0] if exc.args else exc) from exc
    except Exception as exc:  # pdfminer raises many unrelated types on damaged files
        raise _explain(path, exc) from exc
    if not any(page.char_count or page.lines for page in pages):
        if any(page.image_count for page in pages):
            if any(page.ocr for page in pages):
                raise IngestError(
                    f"{path.name}: skannad PDF utan textlager, och OCR med tesseract hittade ingen text "
                    "på sidorna; kontrollera skanningens kvalitet."
                )
            raise IngestError(
                f"{path.name}: skannad PDF utan textlager (sidorna är bilder). OCR kräver tesseract: "
                "installera tesseract-ocr och tesseract-ocr-swe (t.ex. `bash scripts/install-ocr.sh`) och läs "
                "in filen igen, eller kör `ocrmypdf in.pdf ut.pdf` och läs in resultatet."
            )
        raise IngestError(f"{path.name}: PDF:en innehåller ingen extraherbar text; kontrollera filen.")
    ocr_pages = [page.number for page in pages if page.ocr]
    if ocr_pages:
        log.info("%s: pages %s have no text layer and were read by OCR", path.name, ocr_pages)
    document = assemble(str(path), pages, metadata)
    elapsed = time.perf_counter() - started
    log.info("read %s: %d pages, %d blocks in %.2f s", path.name, len(pages), len(document.blocks), elapsed)
    return document


def _check_bytes(path: Path) -> None:
    """Reject files that are not PDFs before pdfminer spends time on them."""
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise IngestError(f"{path.name}: filen kan inte läsas ({exc.strerror}); kontrollera sökväg och behörighet.") from exc
    if not head:
        raise IngestError(f"{path.name}: filen är tom (0 byte); hämta eller exportera dokumentet på nytt.")
    if b"%PDF-" not in head:
        raise IngestError(
            f"{path.name}: filen är inte en PDF (saknar %PDF-huvud) trots filändelsen .pdf; "
            "kontrollera att rätt fil har sparats."
        )


def _explain(path: Path, exc: BaseException) -> IngestError:
    name = type(exc).__name__
    if name in _ENCRYPTION_ERRORS or "encrypt" in str(exc).lower() or "password" in str(exc).lower():
        return IngestError(
            f"{path.name}: krypterad PDF (lösenordsskyddad); spara en okrypterad kopia, t.ex. med "
            "`qpdf --decrypt in.pdf ut.pdf`, och läs in den."
        )
    log.debug("pdfminer failed on %s", path, exc_info=exc)
    return IngestError(
        f"{path.name}: trasig eller ofullständig PDF ({name}: {exc}); hämta filen på nytt eller "
        "exportera om den."
    )


def _metadata_text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, list):
        return ", ".join(_metadata_text(item) for item in value)
    return str(value)


def _read_page(page: Any, number: int) -> PageContent:
    try:
        content = PageContent(number=number, height=float(page.height), image_count=len(page.images))
        chars = [char for char in page.chars if _is_horizontal(char)]
        content.char_count = sum(1 for char in chars if char["text"].strip())
        if not content.char_count:
            if content.image_count and ocr.available():
                content.ocr = True
                try:
                    content.lines = ocr.page_lines(page)
                except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                    log.warning("OCR of page %d failed: %s", number, exc)
                log.debug("OCR of page %d: %d lines", number, len(content.lines))
            return content
        boxes: list[tuple[float, float, float, float]] = []
        for table in _outermost(page.find_tables()):
            rows = clean_table(table.extract())
            # A one-column "table" is a framed text box: read it as text.
            if rows and max(len(row) for row in rows) >= 2:
                boxes.append(table.bbox)
                content.tables.append(PageTable(rows=rows, top=table.bbox[1], bottom=table.bbox[3]))
        free = [char for char in chars if not any(_inside(char, box) for box in boxes)]
        if free:
            for raw in chars_to_textmap(free).extract_text_lines(strip=True, return_chars=True):
                line = _line(raw)
                if line is not None:
                    content.lines.append(line)
        return content
    finally:
        page.close()


def _is_horizontal(char: dict[str, Any]) -> bool:
    """Keep upright, horizontal glyphs: rotated margin stamps (signature ids) are not text."""
    a, b, c, d = char["matrix"][:4]
    return abs(b) + abs(c) < 0.1 * (abs(a) + abs(d)) and a > 0 and d > 0


def _outermost(tables: list[Any]) -> list[Any]:
    """Drop tables nested inside another table (pdfplumber also reports inner header boxes)."""

    def area(bbox: tuple[float, ...]) -> float:
        return (bbox[2] - bbox[0]) * (bbox[3] - bbox[1])

    def contains(outer: tuple[float, ...], inner: tuple[float, ...]) -> bool:
        return (
            outer[0] - 1 <= inner[0] and outer[1] - 1 <= inner[1] and inner[2] <= outer[2] + 1 and inner[3] <= outer[3] + 1
        )

    return [
        table
        for table in tables
        if not any(other is not table and area(other.bbox) > area(table.bbox) and contains(other.bbox, table.bbox) for other in tables)
    ]


def _inside(char: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _line(raw: dict[str, Any]) -> Line | None:
    glyphs = [char for char in raw["chars"] if char["text"].strip()]
    text = raw["text"].strip()
    if not glyphs or not text:
        return None
    bold = sum(1 for char in glyphs if _is_bold(char["fontname"]))
    return Line(
        text=text,
        top=float(raw["top"]),
        bottom=float(raw["bottom"]),
        x0=float(raw["x0"]),
        size=round(statistics.median(char["size"] for char in glyphs), 1),
        bold=bold >= 0.8 * len(glyphs),
    )


def _is_bold(fontname: str) -> bool:
    name = fontname.lower()
    return "bold" in name or "black" in name or "heavy" in name or "semibold" in name
