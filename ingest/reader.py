"""Entry point of the document reader: one function, dispatching on the file suffix."""

from __future__ import annotations

from pathlib import Path

from granska.ingest.errors import IngestError
from granska.ingest.pdf import read_pdf
from granska.ingest.text import read_text
from granska.types import ParsedDocument

SUPPORTED_SUFFIXES = (".pdf", ".txt", ".md")


def read_document(path: Path) -> ParsedDocument:
    """Read a report file into a ParsedDocument (pages, sections, tables, cleaned text).

    Raises IngestError, with a reason a user can act on, for files that cannot be read.
    """
    path = Path(path)
    if not path.is_file():
        raise IngestError(f"{path}: filen finns inte (eller är en katalog); kontrollera sökvägen.")
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return read_pdf(path)
    if suffix in (".txt", ".md"):
        return read_text(path)
    raise IngestError(
        f"{path.name}: filtypen {suffix or '(ingen)'} stöds inte; använd {', '.join(SUPPORTED_SUFFIXES)}."
    )
