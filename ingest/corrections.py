"""Applying a user's correction of a report's metadata (see granska.index.corrections for where
corrections are kept): the corrected fields replace the inferred ones and are marked as such."""

from __future__ import annotations

import re
from dataclasses import replace

from granska.types import CORRECTED, Provenance, ReportMeta

FIELDS = ("organisation", "report_type", "period")
_PERIOD_RE = re.compile(
    r"^\s*(?P<y1>(?:19|20)\d\d)(?:-?(?P<m1>0[1-9]|1[0-2]))?"
    r"(?:\s*(?:\.\.|–|—|-|till)\s*(?P<y2>(?:19|20)\d\d)-?(?P<m2>0[1-9]|1[0-2]))?\s*$"
)


class CorrectionError(ValueError):
    """A correction that cannot be applied; the message says what to write instead."""


def parse_period(text: str) -> tuple[int, int]:
    """"2024" -> whole year; "2024-08" -> January to August (a follow-up report's year to date);
    "2024-03..2024-08" (or "202403-202408") -> that range. Returns (period_start, period_end)."""
    match = _PERIOD_RE.match(text or "")
    if match is None:
        raise CorrectionError(
            f"Perioden {text!r} går inte att läsa: skriv ett år (2024), ett år och en månad (2024-08) "
            "eller ett intervall (2024-03..2024-08)."
        )
    y1, m1 = int(match["y1"]), int(match["m1"] or 0)
    if match["y2"]:
        start, end = y1 * 100 + (m1 or 1), int(match["y2"]) * 100 + int(match["m2"])
    elif m1:
        start, end = y1 * 100 + 1, y1 * 100 + m1
    else:
        start, end = y1 * 100 + 1, y1 * 100 + 12
    if start > end:
        raise CorrectionError(f"Perioden {text!r} slutar före den börjar.")
    return start, end


def apply_correction(meta: ReportMeta, correction: dict[str, str]) -> ReportMeta:
    """The inferred metadata with the user's fields in place, marked as corrected."""
    if not correction:
        return meta
    provenance = dict(meta.provenance)
    changes: dict = {}
    if "organisation" in correction:
        changes["organisation"] = correction["organisation"]
        provenance["organisation"] = Provenance("rättad av användare", CORRECTED)
    if "report_type" in correction:
        changes["report_type"] = correction["report_type"]
        provenance["report_type"] = Provenance("rättad av användare", CORRECTED)
    if "period" in correction:
        changes["period_start"], changes["period_end"] = parse_period(correction["period"])
        provenance["period"] = Provenance("rättad av användare", CORRECTED)
    corrected = replace(meta, **changes, provenance=provenance)
    from granska.ingest.metadata import title_for

    return replace(corrected, title=title_for(corrected, meta.title))
