"""The reader on two real Göteborg PDFs nobody here made (read from the shared corpus, if present)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from granska.ingest.reader import read_document
from granska.types import ParsedDocument

from tests.conftest import REAL
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"the real PDFs in {REAL} are not beside this clone (extra documents; everything else runs)")


@pytest.fixture(scope="module")
def intraservice() -> ParsedDocument:
    return read_document(REAL / "goteborg-intraservice-delarsrapport-2026-03.pdf")


@pytest.fixture(scope="module")
def revision() -> ParsedDocument:
    return read_document(REAL / "goteborg-revisionsberattelse-2024.pdf")


def test_intraservice_pages_labels_and_toc(intraservice: ParsedDocument) -> None:
    assert intraservice.page_count == 26
    assert intraservice.toc_pages == [2]
    for block in intraservice.blocks:
        assert block.page_label == str(block.page)  # "5 (26)" -> "5"
        assert not re.search(r"(^|\n)\d+ \(26\)($|\n)", block.text)


def test_intraservice_ruled_table_is_cleaned(intraservice: ParsedDocument) -> None:
    (table,) = [b for b in intraservice.blocks if b.kind == "table" and b.page == 14]
    assert table.rows[0] == [
        "Tjänster",
        "Utfall intäkter period",
        "Utfall kostnader period",
        "Resultat period",
        "Budget kostnader period",
        "Budgetavvikelse",
    ]
    assert ["- Ekonomi", "20,5", "-13,7", "6,8", "-20,7", "7,0"] in table.rows
    assert ["Digital infrastruktur, Demokrati- och Medborgarservice (DM)", "7,7", "-7,5", "0,2", "-7,8", "0,3"] in table.rows
    assert table.caption == "Resultatuppföljning tjänster och förändringsinsatser period"
    # inner header boxes that pdfplumber reports as tables of their own are dropped
    assert all(len(b.rows[0]) >= 2 for b in intraservice.blocks if b.kind == "table")


def test_intraservice_sections(intraservice: ParsedDocument) -> None:
    (block,) = [b for b in intraservice.blocks if "Leverantören Miljödata har blivit utsatt" in b.text]
    assert block.kind == "text"  # a framed one-column box is read as text
    assert block.section.endswith("2.1 Verksamhetens utveckling > 2.1.2 Väsentliga avvikelser i verksamhetens utveckling")
    (table,) = [b for b in intraservice.blocks if b.kind == "table" and b.rows[0][0] == "Yrkesgrupp (AID)"]
    assert table.section.endswith("3.1.1 Effektivisering genom minskad administration och digitalisering > 3.1.1.1 Personalvolymsutveckling")


def test_revision_hyphenation_rotated_stamps_and_footers(revision: ParsedDocument) -> None:
    assert revision.page_count == 53
    (block,) = [b for b in revision.blocks if "har granskat den verksamhet som bedrivits" in b.text]
    assert "Genom utsedda lekmannarevisorer har även" in block.text  # "lek-" + "mannarevisorer"
    assert (block.page, block.page_label) == (3, "1")  # footer "Stadsrevisionen, Revisionsberättelse 1 (2)"
    for b in revision.blocks:
        assert "Revisionsberättelse 1 (2)" not in b.text
        # the rotated signature-verification stamp in the margin is not text
        assert not any(line.strip() in {"cf", "af", "3-f", "e:"} for line in b.text.splitlines())
    (listing,) = [b for b in revision.blocks if "Nämnden översänder förvaltningens tjänsteutlåtande" in b.text and b.page == 5]
    assert "\n2. Paragrafen förklaras omedelbart justerad." in listing.text  # enumerated items keep their lines
