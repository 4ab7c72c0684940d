"""Entry point of the document reader: one function, dispatching on the file suffix."""

from __future__ import annotations

from pathlib import Path

from granska.ingest.errors import IngestError
from granska.ingest.pdf import read_pdf
from granska.ingest.tables import rejoin_broken_words, render_table, vocabulary
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
        return _rejoin_table_words(read_pdf(path))
    if suffix in (".txt", ".md"):
        return _rejoin_table_words(read_text(path))
    raise IngestError(
        f"{path.name}: filtypen {suffix or '(ingen)'} stöds inte; använd {', '.join(SUPPORTED_SUFFIXES)}."
    )


def _rejoin_table_words(doc: ParsedDocument) -> ParsedDocument:
    """Table cells with words broken over two lines are rejoined against the words the whole
    document's prose prints (`tables.rejoin_broken_words`): only the whole document knows its words."""
    words = vocabulary([block.text for block in doc.blocks if block.kind == "text"])  # the broken cells would vouch for themselves
    for block in doc.blocks:
        if block.kind == "table" and block.rows:
            rows = [[rejoin_broken_words(cell, words) for cell in row] for row in block.rows]
            if rows != block.rows:
                block.rows, block.text = rows, render_table(rows)
    return doc
