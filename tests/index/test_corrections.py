"""Users' corrections of inferred metadata: checked when given, kept in the store, applied at every
ingest (the CLI's `docs set` and `ingest --metadata`), on a real store with real embeddings."""

from __future__ import annotations

import getpass
import json
import subprocess
import sys
from pathlib import Path

import pytest

from granska.index.corrections import CorrectionError, Corrections
from granska.ingest.corrections import apply_correction, parse_period
from granska.types import Provenance, ReportMeta

FIXTURE = json.loads((Path(__file__).parents[1] / "ingest" / "fixtures" / "title_pages.json").read_text(encoding="utf-8"))
NAME = "kungsbacka-delarsrapport-miljo-halsoskydd-2024-08.md"


@pytest.mark.parametrize(("text", "expected"), [
    ("2024", (202401, 202412)), ("2024-08", (202401, 202408)), ("202408", (202401, 202408)),
    ("2024-03..2024-08", (202403, 202408)), ("202403-202408", (202403, 202408)),
])
def test_periods_users_write(text: str, expected: tuple[int, int]) -> None:
    assert parse_period(text) == expected


@pytest.mark.parametrize("text", ["augusti", "2024-13", "2024-08..2024-03", ""])
def test_a_period_that_cannot_be_read_says_how_to_write_it(text: str) -> None:
    with pytest.raises(CorrectionError):
        parse_period(text)


def test_a_correction_replaces_the_inferred_fields_and_says_so() -> None:
    meta = ReportMeta("Region Felland", "årsredovisning", 202501, 202512, "Årsredovisning 2025 – Region Felland",
                      {"organisation": Provenance("texten", "medel")})
    fixed = apply_correction(meta, {"organisation": "Revisionen i Ålunda", "period": "2024"})
    assert (fixed.organisation, fixed.period_start, fixed.period_end) == ("Revisionen i Ålunda", 202401, 202412)
    assert fixed.provenance["organisation"].confidence == "rättad"
    assert fixed.title == "Årsredovisning 2024 – Revisionen i Ålunda"


def test_unknown_fields_and_empty_corrections_are_refused(tmp_path: Path) -> None:
    corrections = Corrections(tmp_path / "corrections.json")
    with pytest.raises(CorrectionError):
        corrections.set("a.pdf")
    with pytest.raises(CorrectionError):
        corrections.set("a.pdf", colour="blå")
    bad = tmp_path / "meta.csv"
    bad.write_text("fil;organisation\na.pdf;X\n", encoding="utf-8")
    with pytest.raises(CorrectionError, match="document"):
        corrections.read_file(bad)


def _granska(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("granska")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_docs_set_and_metadata_file_survive_reingest(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / NAME).write_text(FIXTURE[NAME]["text"], encoding="utf-8")
    store = str(tmp_path / "store")
    assert _granska("ingest", str(archive), "--store", store).returncode == 0

    done = _granska("docs", "set", NAME, "--organisation", "Kungsbacka kommun, Miljö- och hälsoskyddsnämnden",
                    "--period", "2024-08", "--store", store)
    assert done.returncode == 0, done.stderr
    listed = {d["document"]: d for d in json.loads(_granska("docs", "list", "--json", "--store", store).stdout)}
    record = listed[NAME]
    assert record["organisation"] == "Kungsbacka kommun, Miljö- och hälsoskyddsnämnden"
    assert record["provenance"]["organisation"]["confidence"] == "rättad"
    assert record["provenance"]["report_type"]["confidence"] in ("hög", "medel", "låg")

    again = _granska("ingest", str(archive), "--store", store)
    assert "1 oförändrade" in again.stdout, again.stdout
    listed = {d["document"]: d for d in json.loads(_granska("docs", "list", "--json", "--store", store).stdout)}
    assert listed[NAME]["organisation"] == "Kungsbacka kommun, Miljö- och hälsoskyddsnämnden"
    hits = json.loads(_granska("search", "sjukfrånvaro", "--json", "-k", "2", "--store", store).stdout)
    assert hits and all(h["organisation"] == "Kungsbacka kommun, Miljö- och hälsoskyddsnämnden" for h in hits)

    sheet = tmp_path / "metadata.csv"
    sheet.write_text(f"document;report_type\n{NAME};uppföljningsrapport\n", encoding="utf-8")
    bulk = _granska("ingest", str(archive), "--metadata", str(sheet), "--store", store)
    assert bulk.returncode == 0 and "1 uppdaterade" in bulk.stdout, bulk.stdout + bulk.stderr
    listed = {d["document"]: d for d in json.loads(_granska("docs", "list", "--json", "--store", store).stdout)}
    assert (listed[NAME]["report_type"], listed[NAME]["organisation"]) == (
        "uppföljningsrapport", "Kungsbacka kommun, Miljö- och hälsoskyddsnämnden")
    text = _granska("docs", "list", "--store", store).stdout
    assert "rättad av användare" in text

    missing = _granska("docs", "set", "nope.pdf", "--period", "2024", "--store", store)
    assert missing.returncode == 1 and "finns inte" in missing.stderr

    # The audit trail: the first ingest, then both corrections with what they changed (the
    # rebuilds they caused are not entries of their own), by the OS user, newest last.
    log = [json.loads(line) for line in _granska("docs", "log", "--json", "--store", store).stdout.splitlines()]
    assert [(e["action"], e["document"]) for e in log] == [("ingest", NAME), ("correct", NAME), ("correct", NAME)]
    assert {e["user"] for e in log} == {f"cli:{getpass.getuser()}"}
    assert len({e["sha256"] for e in log}) == 1 and len(log[0]["sha256"]) == 64
    assert log[1]["changes"]["organisation"][1] == "Kungsbacka kommun, Miljö- och hälsoskyddsnämnden"
    assert "period" not in log[1]["changes"]  # inferred as 2024-08 already: only what changed is recorded
    assert list(log[2]["changes"]) == ["report_type"] and log[2]["changes"]["report_type"][1] == "uppföljningsrapport"
    last = _granska("docs", "log", "--limit", "1", "--store", store).stdout.splitlines()
    assert len(last) == 1 and "\tcorrect\t" in last[0] and "report_type:" in last[0]
