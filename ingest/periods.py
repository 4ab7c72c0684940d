"""Swedish month names and the period phrases reports use ("Okt 2020", "januari–augusti 2021").

Kept apart from report metadata because question understanding needs the same lexicon: a user
asking about "sept 2018" or "jan–feb" must land on the same months as the report that says
"september 2018" or "januari-februari".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTH_NAMES: tuple[str, ...] = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)

_ABBREVIATIONS: dict[str, int] = {
    "jan": 1, "feb": 2, "febr": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7,
    "aug": 8, "sep": 9, "sept": 9, "okt": 10, "nov": 11, "dec": 12,
}

MONTHS: dict[str, int] = {name: number for number, name in enumerate(MONTH_NAMES, start=1)}
"""Lower-case month word -> month number; full names and the abbreviations reports use."""
MONTHS.update(_ABBREVIATIONS)

# Longest first, so "september" wins over "sep" and "sept".
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
MONTH_RE = rf"(?:{_MONTH_ALT})\.?(?![a-zåäö])"
"""Regex fragment matching one month word (case-insensitive use intended), "okt." included."""

_YEAR_RE = r"(?:19|20)\d\d"
DATED_TOKEN_RE = re.compile(rf"{_YEAR_RE}(?:-\d\d){{0,2}}")
"""A word that is a year or a date ("2024", "2024-08", "2024-08-31"): how a column header ends."""

# "januari–augusti 2021", "jan-feb", "januari till augusti 2019", "maj t.o.m. augusti".
_RANGE_RE = re.compile(
    rf"(?<![\wåäö])(?P<m1>{MONTH_RE})\s*(?:[-–—]|till och med|till|t\.\s?o\.\s?m\.?|tom)\s*"
    rf"(?P<m2>{MONTH_RE})(?:\s+(?P<year>{_YEAR_RE})(?!\d))?",
    re.IGNORECASE,
)
# "Okt 2020", "september 2018", "Augusti 2019".
_MONTH_YEAR_RE = re.compile(
    rf"(?<![\wåäö])(?P<m>{MONTH_RE})\s+(?P<year>{_YEAR_RE})(?![\d-]\d)", re.IGNORECASE
)
# "2020-10": the numeric form (also how ReportMeta.period prints); not a full date "2020-10-31".
_ISO_MONTH_RE = re.compile(rf"(?<![\d-])(?P<year>{_YEAR_RE})-(?P<m>0[1-9]|1[0-2])(?![\d-])")
_YEAR_ALONE_RE = re.compile(rf"(?<![\d.,-])(?P<year>{_YEAR_RE})(?![\d,]|[-/.]\d)")

# "efter åtta månader", "Efter 9 månader", "efter två månader": the year-to-date length.
COUNT_WORDS: dict[str, int] = {
    "en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7,
    "åtta": 8, "nio": 9, "tio": 10, "elva": 11, "tolv": 12,
}
_AFTER_MONTHS_RE = re.compile(
    rf"\befter\s+(?P<n>\d{{1,2}}|{'|'.join(COUNT_WORDS)})\s+månader", re.IGNORECASE
)


@dataclass(frozen=True)
class PeriodMention:
    """A period phrase found in a text; `start_month` is None when only one month is named."""

    text: str
    position: int
    end_month: int
    start_month: int | None = None
    year: int | None = None


def month_number(word: str) -> int | None:
    """1..12 for a Swedish month word or abbreviation ("Okt", "sept.", "Mars"), else None."""
    return MONTHS.get(word.strip().rstrip(".").lower())


_MONTH_WORD_RE = re.compile(rf"(?<![\wåäö]){MONTH_RE}", re.IGNORECASE)


def months_named(text: str) -> set[int]:
    """The months a text names in any form a report writes them ("juni", "jun", "jan-jun")."""
    return {MONTHS[m.group(0).rstrip(".").lower()] for m in _MONTH_WORD_RE.finditer(text)}


def month_name(month: int) -> str:
    """The full lower-case Swedish name, as reports write it in running text ("oktober")."""
    return MONTH_NAMES[month - 1]


def find_month_ranges(text: str) -> list[PeriodMention]:
    """Every "month–month [year]" range in the text, in order."""
    found = []
    for match in _RANGE_RE.finditer(text):
        start, end = month_number(match["m1"]), month_number(match["m2"])
        if start is None or end is None or start > end:
            continue
        year = int(match["year"]) if match["year"] else None
        found.append(PeriodMention(match.group(0), match.start(), end, start, year))
    return found


def find_month_years(text: str) -> list[PeriodMention]:
    """Every "month year" phrase ("Okt 2020", "2020-10"), in order; a range's last month counts too."""
    found = []
    for match in _MONTH_YEAR_RE.finditer(text):
        month = month_number(match["m"])
        if month is not None:
            found.append(PeriodMention(match.group(0), match.start(), month, None, int(match["year"])))
    for match in _ISO_MONTH_RE.finditer(text):
        found.append(PeriodMention(match.group(0), match.start(), int(match["m"]), None, int(match["year"])))
    return sorted(found, key=lambda m: m.position)


def find_years(text: str) -> list[tuple[int, int]]:
    """(position, year) for every stand-alone 19xx/20xx, skipping dates and id numbers."""
    return [(m.start(), int(m["year"])) for m in _YEAR_ALONE_RE.finditer(text)]


def months_elapsed(text: str) -> list[tuple[int, int]]:
    """(position, n) for "efter n månader" phrases: a year-to-date report's last month is n."""
    found = []
    for match in _AFTER_MONTHS_RE.finditer(text):
        word = match["n"].lower()
        count = int(word) if word.isdigit() else COUNT_WORDS[word]
        if 1 <= count <= 12:
            found.append((match.start(), count))
    return found
