"""Users' corrections of inferred report metadata, kept in the store and applied at every ingest.

Inference reads organisation, type and period from the report itself (ingest/metadata.py), and it
will be wrong on some layout nobody here has seen. A user who knows better says so once
(`granska docs set NAME --organisation ...`, the Arkiv tab, or a metadata file given to `granska
ingest --metadata FILE`); the correction lives in `corrections.json` beside the registry, so it
survives re-ingest, re-index and pipeline upgrades. A document whose correction differs from the
one its chunks were built with is processed again on the next ingest, so chunks, registry and
lexical index always carry the corrected values.
"""

from __future__ import annotations

import csv
import json
import os
from datetime import datetime, timezone
from pathlib import Path

from granska.ingest.corrections import FIELDS, CorrectionError, parse_period

class Corrections:
    """Per document name: the fields a user set, with when."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.by_document: dict[str, dict[str, str]] = {}
        if self.path.exists():
            self.by_document = json.loads(self.path.read_text(encoding="utf-8")).get("documents", {})

    def get(self, document: str) -> dict[str, str]:
        """The correction of one document (without its time stamp), {} when none."""
        return {k: v for k, v in self.by_document.get(document, {}).items() if k in FIELDS}

    def set(self, document: str, **values: str | None) -> dict[str, str]:
        """Record the given fields (None leaves a field as it is); checks them first."""
        given = {k: v.strip() for k, v in values.items() if v is not None and v.strip()}
        unknown = set(given) - set(FIELDS)
        if unknown:
            raise CorrectionError(f"Okänt fält {sorted(unknown)}: använd {', '.join(FIELDS)}.")
        if not given:
            raise CorrectionError("Ange minst ett av --organisation, --report-type och --period.")
        if "period" in given:
            parse_period(given["period"])
        if "report_type" in given:
            given["report_type"] = given["report_type"].lower()
        entry = {**self.get(document), **given}
        entry["set_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.by_document[document] = entry
        return self.get(document)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"documents": self.by_document}, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)

    def read_file(self, path: Path) -> dict[str, dict[str, str]]:
        """Bulk corrections from a CSV file (comma or semicolon), one row per document, with the
        columns `document` and any of organisation, report_type, period; returns the fields each
        row gave, by document name (what the audit trail records)."""
        text = Path(path).read_text(encoding="utf-8-sig")
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
        rows = list(csv.DictReader(text.splitlines(), dialect=dialect))
        if not rows or "document" not in (rows[0].keys()):
            raise CorrectionError(
                f"{path}: metadatafilen behöver en rubrikrad med kolumnen document och någon av "
                f"{', '.join(FIELDS)} (t.ex. document;organisation;report_type;period)."
            )
        given: dict[str, dict[str, str]] = {}
        for line_no, row in enumerate(rows, 2):
            name = (row.pop("document") or "").strip()
            if not name:
                continue
            fields = {k.strip(): v for k, v in row.items() if k and k.strip() in FIELDS}
            try:
                self.set(name, **fields)
            except CorrectionError as exc:
                raise CorrectionError(f"{path}:{line_no}: {exc}") from exc
            given[name] = {**given.get(name, {}), **{k: v for k, v in fields.items() if v and v.strip()}}
        return given
