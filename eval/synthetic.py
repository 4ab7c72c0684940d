"""A synthetic archive for the scale benchmark: the sample reports re-issued for other periods.

Five reports say nothing about how granska behaves with hundreds, and no larger real archive
ships with the repo. So each synthetic report is a text extract of one sample report with its
title moved to another month and year (every year in the text shifted with it, so the body
agrees with the title), every figure multiplied by one random factor per report (so totals
still add up, to rounding) and, when asked, its publisher's place name replaced by an invented
one (another region or kommun issuing the same kind of report). Headings, tables and wording stay as they are, which keeps the
parse, chunk and embedding cost per character realistic and gives retrieval many near-duplicate
distractors, the hard case for an archive of recurring reports.

Everything is drawn from one `random.Random(seed)`, so a seed names one archive exactly.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from granska.ingest.periods import MONTH_NAMES, MONTHS
from granska.types import SECTION_SEP, ParsedDocument

_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
# A figure as Swedish reports write it: "287,7", "119 695", "82 700", "13,77" (the sign, if any,
# stays in front and is unaffected by a positive factor). Not part of a word ("R12", "UR2"), a
# date ("2017-12-31") or a section number ("1.2").
_FIGURE_RE = re.compile(
    r"(?<![\w.,:/])(?<!\d[-–])"
    r"(?P<int>\d{1,3}(?:(?P<sep>[ \u00a0\u202f])\d{3})+|\d+)(?:,(?P<dec>\d+))?"
    r"(?!\w|[.,:/-]\d)"
)
MONTH_WORD_RE = re.compile(
    r"(?<![\wåäö])(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?(?![\wåäö])", re.IGNORECASE
)
_FILE_PERIOD_RE = re.compile(r"-(?:19|20)\d\d(?:-\d\d)?$")
_ABBREVIATED = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
_TITLE_LINES = 8
YEARS = range(2012, 2030)
FACTORS = (0.7, 1.4)
PLACES = ("Norrvik", "Sjöby", "Älvdala", "Bergslanda", "Österå", "Västmark", "Skogsbyn", "Ådalen", "Lövsta",
          "Kustlanda", "Myrberga", "Granhed")
"""Invented place names for re-issues by other organisations (no real Swedish region or kommun)."""
_ORGANISATION_KINDS = ("region", "landsting", "regionförbundet")


@dataclass(frozen=True)
class Template:
    """One sample report as a text extract, with the period its title states."""

    stem: str  # file name without suffix and period, e.g. "halland-regionkontoret-manadsrapport"
    text: str
    year: int
    month: int  # the month the report runs to
    organisation: str = ""  # as granska infers it, e.g. "Region X, Regionkontoret"

    @property
    def place(self) -> str | None:
        """The publisher's place name: "Region X" -> "X", "Y kommun" -> "Y"; None if there is none."""
        words = self.organisation.split(",")[0].split()
        if len(words) < 2:
            return None
        return words[-1] if words[0].lower() in _ORGANISATION_KINDS else words[0]


def extract_text(doc: ParsedDocument) -> str:
    """A Markdown extract of a parsed report, rendered from granska's own parse of it.

    Markdown headings ("## 1.1 Sammanfattning") and tab-separated table rows are what the text
    reader recognises without font information, so the extract parses back into the same
    sections and tables as the PDF. Pages are not kept: a text extract has none.
    """
    lines = [line for line in doc.title_text.splitlines() if line.strip()]
    previous: list[str] = []
    for block in doc.blocks:
        segments = [s for s in block.section.split(SECTION_SEP) if s] if block.section else []
        for depth, segment in enumerate(segments):
            if previous[: depth + 1] != segments[: depth + 1]:
                lines += ["", "#" * min(depth + 1, 6) + " " + segment]
        previous = segments
        lines.append("")
        if block.kind == "table" and block.rows:
            if block.caption and (not segments or block.caption != segments[-1]):
                lines.append(" ".join(block.caption.split()))
            lines += ["\t".join(" ".join(cell.split()) for cell in row) for row in block.rows]
        else:
            lines.append(block.text)
    return "\n".join(lines).strip() + "\n"


def load_templates(paths: list[Path]) -> list[Template]:
    """Templates from report files: `.txt`/`.md` extracts as they are, PDFs through `extract_text`.

    The period comes from granska's metadata inference on the original file, so a template's
    year and month are what the ingest would have recorded for it. Each file is parsed once:
    pdfplumber is the slow part (seconds per page on a busy machine).
    """
    from granska.ingest.metadata import infer_metadata
    from granska.ingest.reader import read_document

    templates = []
    for path in sorted(map(Path, paths)):
        doc = read_document(path)
        meta = infer_metadata(doc)
        text = extract_text(doc) if path.suffix.lower() == ".pdf" else path.read_text(encoding="utf-8")
        templates.append(Template(_FILE_PERIOD_RE.sub("", path.stem), text, meta.period_end // 100,
                                  meta.period_end % 100, meta.organisation))
    if not templates:
        raise ValueError("inga rapporter att bygga det syntetiska arkivet av")
    return templates


def _format_figure(value: float, decimals: int, separator: str | None) -> str:
    digits = f"{abs(value):.{decimals}f}"
    whole, _, fraction = digits.partition(".")
    if separator:
        whole = f"{int(whole):,}".replace(",", separator)
    return whole + ("," + fraction if fraction else "")


def perturb_figures(text: str, factor: float) -> str:
    """Every figure times `factor`, written with its original decimals and digit grouping.

    Years (1900-2099 without decimals or grouping) and small whole numbers (counts such as
    "9 månader", list numbers) are left alone: they carry the period and the structure.
    """

    def replace(match: re.Match[str]) -> str:
        whole = match["int"]
        decimals = match["dec"] or ""
        value = float(re.sub(r"\D", "", whole) + ("." + decimals if decimals else ""))
        if not decimals and not match["sep"] and (value < 100 or 1900 <= value <= 2099):
            return match.group(0)
        return _format_figure(value * factor, len(decimals), match["sep"])

    return _FIGURE_RE.sub(replace, text)


def _month_word(original: str, month: int) -> str:
    """The new month written like the original: "Okt" -> "Maj", "september" -> "mars"."""
    bare = original.rstrip(".").lower()
    word = _ABBREVIATED[month - 1] if bare not in MONTH_NAMES else MONTH_NAMES[month - 1]
    return word.capitalize() if original[:1].isupper() else word


def rename_place(text: str, old: str, new: str) -> str:
    """Every word starting with the place name `old` ("Halland", "Hallands") starts with `new`."""
    return re.sub(rf"(?<![\wåäöÅÄÖ]){re.escape(old)}", new, text)


def reissue(template: Template, year: int, month: int, factor: float, max_chars: int | None = None,
            serial: int | None = None, place: str | None = None) -> str:
    """The template's text as the report for `month` `year`, figures scaled by `factor`, and
    published by the organisation of `place` instead of the template's when given.

    The first month word in the title lines is replaced (a title without one keeps its month);
    every year is shifted by the same number of years as the title. `serial` adds a
    registration-number line after the title lines, so every generated report is unique.
    `max_chars` cuts the body at a line boundary, to bound the embedding cost per report.
    """
    shift = year - template.year
    text = _YEAR_RE.sub(lambda m: str(int(m.group(0)) + shift), template.text)
    lines = text.split("\n")
    for i, line in enumerate(lines[:_TITLE_LINES]):
        if line.startswith("#"):
            break
        match = MONTH_WORD_RE.search(line)
        if match:
            lines[i] = line[: match.start()] + _month_word(match.group(0), month) + line[match.end():]
            break
    text = perturb_figures("\n".join(lines), factor)
    if place and template.place:
        text = rename_place(text, template.place, place)
    if serial is not None:
        # A registration number on the title page, as real reports carry: without it, two
        # re-issues of a template whose capped text holds no figures (same year, a title
        # without a month) would be byte-identical, and identical files share a document id.
        head, _, body = text.partition("\n\n")
        text = f"{head}\nDiarienummer RS {serial:05d}\n\n{body}"
    if max_chars is not None and len(text) > max_chars:
        text = text[: text.rfind("\n", 0, max_chars) + 1]
    return text


def generate(out: Path, count: int, templates: list[Template], seed: int = 20240601,
             max_chars: int | None = None, other_organisations: float = 0.0,
             avoid_years: frozenset[int] = frozenset()) -> list[Path]:
    """Write `count` synthetic reports (`.md`) into `out`, cycling through the templates.

    File names carry the template, the new period and a serial number, so they sort in the
    order they were generated and a prefix of the list is a smaller archive of the same kind.
    A template whose title names no month (a delårsrapport) keeps its month. A share
    `other_organisations` of the reports is published by an invented place (`PLACES`) instead
    of the template's. No report gets a year in `avoid_years`: a scale benchmark keeps the
    originals' years for the originals, so each answer to a question naming its year exists
    once in the archive (a re-issue moves its title's month, not the months its body names).
    """
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for serial in range(count):
        template = templates[serial % len(templates)]
        year = rng.choice(YEARS)
        month = rng.randint(1, 12) if _title_month(template) else template.month
        while year in avoid_years:
            year = rng.choice(YEARS)
        factor = rng.uniform(*FACTORS)
        place = rng.choice(PLACES) if template.place and rng.random() < other_organisations else None
        stem = template.stem
        if place:
            stem = stem.replace(_slug(template.place), _slug(place))
        path = out / f"s{serial:04d}-{stem}-{year}-{month:02d}.md"
        path.write_text(reissue(template, year, month, factor, max_chars, serial, place), encoding="utf-8")
        written.append(path)
    return written


def _slug(name: str) -> str:
    """A place name as file names spell it: "Älvdala" -> "alvdala"."""
    return name.lower().translate(str.maketrans("åäöé", "aaoe"))


def _title_month(template: Template) -> bool:
    """Whether the title lines name a month (else the period's month comes from the body)."""
    for line in template.text.split("\n")[:_TITLE_LINES]:
        if line.startswith("#"):
            return False
        if MONTH_WORD_RE.search(line):
            return True
    return False
