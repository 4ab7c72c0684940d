"""Swedish figures as written in reports -> canonical values, and back.

Every figure in an answer is checked against the figures of the passage it cites, so the reader
here decides what counts as "the same number": "82,7 mnkr" and "82 700 tkr" are one figure,
"-2,5" and "2,5" are not, and a year, a date or a section number is no figure at all.

Conventions read (Swedish typesetting):
- decimal comma ("82,7"); thousands groups separated by a space, a no-break space (U+00A0),
  a narrow no-break space (U+202F) or a thin space (U+2009): "119 695";
- a sign directly before the digits: "+", "-", "−" (U+2212) or "–" (en dash, which reports use
  as a minus), plus "+/-" and "±" for "unchanged"; "+ 82,7" (plus, space, digits) is a plus too,
  but a hyphen or dash followed by a space is punctuation, except a hyphen or minus sign right
  after a preposition that introduces an amount ("ett utfall på - 10,3 miljoner kronor", "med
  - 2,1"): a word processor's line-breaking space, not a dash between words;
- units: kr/kronor; tkr/"tusen kronor"/TSEK/KSEK (×1e3); mnkr/mkr/"mn kr"/"miljoner kronor"/
  MSEK/"milj. kr" (×1e6); mdkr/"md kr"/"mdr kr"/"miljarder kronor" (×1e9); %/procent;
  procentenheter/"p.e."/"%-enheter". "miljoner"/"miljarder"/"tusen" without "kronor" scale a
  plain count.

Not figures: years (an unsigned 4-digit 19xx/20xx with no unit and no decimals, also inside
"2020-2021" or "2020/21"), dates ("2018-12-31", the day in "15 september 2019"), dotted section
numbers ("4.1.3", which also rules out English decimal points), numbers glued to a word ("R12",
"UR2", "covid-19", "12-månadersperioden", "3:e"), heading numbers and list markers at the start
of a line ("1 Sammanfattning", "1. Kommunfullmäktige ..."), ordinals after "nr", "§", "bilaga",
"sida", "vecka" or a report name ("Uppföljningsrapport 2"), "Sida 2 av 5" and "1 (26)" page
labels, and table-of-contents page numbers (after dot leaders, or ending a line that starts with
a heading number).

Ambiguity kept in mind: in text extracted from a PDF table, neighbouring cells are separated by
the same single space as thousands groups, so "135 092 136 355" may be two cells. A run of more
than three space-separated groups (a billion or more) with no "kr" after it is read as cells of
two groups each (the first taking three when the count is odd); a run of three groups or fewer is
read as one number. No-break and thin spaces are never cell separators.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from decimal import Decimal, localcontext

from granska.ingest.periods import MONTH_RE
from granska.types import Figure

log = logging.getLogger(__name__)

UNITS: tuple[str, ...] = ("kr", "%", "procentenheter", "")
"""The canonical units a `Figure` can carry."""

_GROUP_SEPARATORS = " \u00a0\u202f\u2009"
_SEP = f"[{_GROUP_SEPARATORS}]"

# Written unit (lower-case) -> (canonical unit, multiplier). The regex tries longer spellings first.
_UNIT_TABLE: dict[str, tuple[str, int]] = {
    "miljarder kronor": ("kr", 10**9),
    "miljoner kronor": ("kr", 10**6),
    "tusen kronor": ("kr", 10**3),
    "milj. kr": ("kr", 10**6),
    "milj kr": ("kr", 10**6),
    "mdr kr": ("kr", 10**9),
    "md kr": ("kr", 10**9),
    "mn kr": ("kr", 10**6),
    "mdkr": ("kr", 10**9),
    "mdsek": ("kr", 10**9),
    "mnkr": ("kr", 10**6),
    "mkr": ("kr", 10**6),
    "msek": ("kr", 10**6),
    "tkr": ("kr", 10**3),
    "tsek": ("kr", 10**3),
    "ksek": ("kr", 10**3),
    "kronor": ("kr", 1),
    "sek": ("kr", 1),
    "kr": ("kr", 1),
    "procentenheter": ("procentenheter", 1),
    "procentenhet": ("procentenheter", 1),
    "%-enheter": ("procentenheter", 1),
    "p.e.": ("procentenheter", 1),
    "procent": ("%", 1),
    "%": ("%", 1),
    "miljarder": ("", 10**9),
    "miljoner": ("", 10**6),
    "tusen": ("", 10**3),
}


def _unit_pattern(word: str) -> str:
    return r"\s".join(re.escape(part) for part in word.split(" "))


_UNIT_ALT = "|".join(_unit_pattern(u) for u in sorted(_UNIT_TABLE, key=len, reverse=True))

# Swedish prepositions that put an amount after them ("på", "med", "till", "av", "från", "om",
# "mot"): a closed class of grammar words, so a spaced hyphen after one is the amount's sign.
_SPACED_MINUS = "".join(f"(?<=\\b{w}\\x20)" if i == 0 else f"|(?<=\\b{w}\\x20)"
                        for i, w in enumerate(("på", "med", "till", "av", "från", "om", "mot")))
_SPACED_MINUS = rf"(?:{_SPACED_MINUS})[-−]\x20(?=\d)"

# One number as typeset. Groups must be exactly three digits and a grouped number cannot start
# with 0 ("0 150" is two cells, 0 and 150).
_NUMBER_RE = re.compile(
    rf"""
    (?P<sign>\+/[-−–]|±|\+\x20(?=\d)|{_SPACED_MINUS}|[+\-−–](?=\d))?
    (?P<int>[1-9]\d{{0,2}}(?:{_SEP}\d{{3}}(?!\d))+|\d+)
    (?P<dec>,\d+)?
    (?:(?P<usep>{_SEP}?\n?{_SEP}?)(?P<unit>(?i:{_UNIT_ALT}))(?![\wåäöÅÄÖ%]))?
    """,
    re.VERBOSE,
)

_MASK_RES = (
    re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?!\d)"),  # ISO dates
    re.compile(r"\d+(?:\.\d+)+"),  # section numbers, dotted dates, times, English decimals
    re.compile(r"\d{5,}-\d+|\d+-\d{5,}"),  # organisation numbers and other ids
    re.compile(r"(?<!\d)(?:19|20)\d\d(?:\s?[-–]\s?(?:19|20)\d\d|[-–/]\d\d)(?![\d,])"),  # 2020-2021, 2020/21
    re.compile(r"\b[Ss]ida\s+\d+\s+av\s+\d+"),
    re.compile(r"^[ \t]*\d+[ \t]*\(\d+\)[ \t]*$", re.MULTILINE),  # "1 (26)" page labels
)
_ORDINAL_CONTEXT_RE = re.compile(
    r"(?:\b(?:nr|nummer|§|kap|kapitel|punkt|bilaga|avsnitt|sida|sid|s|vecka|v|tertial|kvartal)"
    r"|[a-zåäö]rapport)\.?\s*$",
    re.IGNORECASE,
)
_DAY_MONTH_RE = re.compile(rf"\s+{MONTH_RE}", re.IGNORECASE)
_LINE_PREFIX_RE = re.compile(r"[ \t#*>]*(?:<[^>\n]+>[ \t]*)*")  # markup before a heading number
_HEADING_AFTER_RE = re.compile(r"(?:[.)][ \t]|[ \t]+)[*<]*[A-ZÅÄÖ]")
# Leaders, then the page number; extracts from Word keep markup in between (".....\t<b>36").
_LEADER_RE = re.compile(r"(?:\.{2,}|…)[ \t]*(?:<[^>\n]+>[ \t]*)*$")
# A table-of-contents entry up to its page number: heading number, title, then a tab (the title
# holds no tab) or a space (the title holds no digit, so table rows "51 Avdelning 135 092" differ).
_TOC_LINE_RE = re.compile(
    r"[ \t#*>]*(?:<[^>\n]+>[ \t]*)*\d+(?:\.\d+)*\.?[ \t]+(?:[^\t\n]*\t|[^\t\n\d]*[ ])(?:<[^>\n]+>)*"
)
_MINUS = "-−–"


@dataclass(frozen=True)
class _Match:
    """One figure found in a text, with what same_figure needs to judge its precision."""

    figure: Figure
    decimals: int  # digits after the decimal comma, as written
    multiplier: int  # of the written unit (1e6 for mnkr); 1 for bare numbers and percent


def _resolve_unit(written: str) -> tuple[str, int] | None:
    return _UNIT_TABLE.get(re.sub(r"\s+", " ", written.strip().lower()))


def _masked_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for rx in _MASK_RES for m in rx.finditer(text)]


def _split_groups(int_part: str, unit: str | None) -> list[str]:
    """Split a plain-space run that is too long to be one number into table cells (see module doc)."""
    if any(ch in int_part for ch in _GROUP_SEPARATORS[1:]):
        return [int_part]
    groups = int_part.split(" ")
    if len(groups) <= 3 or (unit is not None and _resolve_unit(unit) == ("kr", 1)):
        return [int_part]
    sizes = [2] * (len(groups) // 2)
    if len(groups) % 2:
        sizes[0] = 3
    pieces, at = [], 0
    for size in sizes:
        pieces.append(groups[at:at + size])
        at += size
    if any(piece[0].startswith("0") for piece in pieces):
        return [int_part]
    return [" ".join(piece) for piece in pieces]


def _raw_numbers(text: str) -> list[tuple[int, int, str, str, str, str, str]]:
    """(start, end, sign, int, dec, usep, unit) for every number-shaped run, cells split apart.

    Purely lexical: signs are kept only where they can be signs (not after a letter or digit, so
    "2019–2021" and "covid-19" keep no minus); whether the run is a figure is decided later.
    """
    out = []
    for m in _NUMBER_RE.finditer(text):
        sign, start = m["sign"] or "", m.start()
        if sign and start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            start, sign = m.start("int"), ""
        pieces = _split_groups(m["int"], m["unit"])
        at = m.start("int")
        for piece in pieces[:-1]:
            out.append((start, at + len(piece), sign, piece, "", "", ""))
            at += len(piece) + 1
            start, sign = at, ""
        out.append((start, m.end(), sign, pieces[-1], m["dec"] or "", m["usep"] or "", m["unit"] or ""))
    return out


def _is_figure(text: str, start: int, end: int, sign: str, int_part: str, dec: str,
               has_unit: bool, masked: list[tuple[int, int]]) -> bool:
    """Apply the "not a figure" rules of the module docstring to one number-shaped run."""
    digits_start = start + len(sign)
    if any(a < end and start < b for a, b in masked):
        return False
    before = text[max(0, digits_start - 2):digits_start]
    if before[-1:].isalpha() or (len(before) == 2 and before[1] in _MINUS and before[0].isalpha()):
        return False  # R12, UR2, covid-19
    after_number = digits_start + len(int_part) + len(dec)
    tail = text[after_number:after_number + 2]
    if not has_unit and tail:
        if tail[0].isalpha() or (tail[0] in _MINUS + ":" and tail[1:2].isalpha()):
            return False  # 3D, 12-månadersperioden, 3:e
    if has_unit or sign or dec:
        return True
    plain = int_part.replace(" ", "")
    if len(int_part) == 4 and plain.isdigit() and plain[:2] in ("19", "20"):
        return False  # a year
    head = text[max(0, start - 40):start]
    line_start = text.rfind("\n", 0, start) + 1
    at_line_start = _LINE_PREFIX_RE.fullmatch(text, line_start, start) is not None
    if at_line_start and _HEADING_AFTER_RE.match(text, after_number):
        return False  # "1 Sammanfattning", "2. Kommunfullmäktige ..."
    if len(plain) <= 2 and int(plain) <= 31 and _DAY_MONTH_RE.match(text, after_number):
        return False  # the day of a date: "15 september 2019"
    if _ORDINAL_CONTEXT_RE.search(head) or _LEADER_RE.search(head):
        return False
    line_end = text.find("\n", end)
    if text[end:None if line_end < 0 else line_end].strip(" \t*<>/b") == "" and _TOC_LINE_RE.fullmatch(
        text, line_start, start
    ):
        return False  # "1\tSammanfattning\t3": a page number in a table of contents
    return True


def _scan(text: str, default_unit: str | None = None) -> list[_Match]:
    default = _resolve_unit(default_unit) if default_unit else None
    if default_unit and default is None:
        log.warning("unknown default unit %r ignored", default_unit)
    masked = _masked_spans(text)
    found = []
    for start, end, sign, int_part, dec, _usep, unit in _raw_numbers(text):
        if not _is_figure(text, start, end, sign, int_part, dec, bool(unit), masked):
            continue
        canonical, multiplier = (_resolve_unit(unit) if unit else default) or ("", 1)
        magnitude = Decimal(re.sub(f"{_SEP}", "", int_part) + ("." + dec[1:] if dec else ""))
        value = float(magnitude * multiplier)
        if sign.strip() in ("-", "−", "–"):
            value = -value
        value = value + 0.0  # no "-0.0" for "-0,0"
        figure = Figure(text=text[start:end], value=value, unit=canonical)
        found.append(_Match(figure, max(len(dec) - 1, 0), multiplier))
    return found


def parse_figures(text: str, default_unit: str | None = None) -> list[Figure]:
    """Every figure in `text`, in order, each with the exact substring it was read from.

    `default_unit` is a unit stated elsewhere (a table header "belopp i mnkr", a caption
    "Investering (tkr)"); it applies to numbers written without a unit of their own.
    """
    return [m.figure for m in _scan(text, default_unit)]


def parse_figure(text: str, default_unit: str | None = None) -> Figure | None:
    """The figure in a short string such as a table cell ("82 700 tkr", "-2,5", "2,78%").

    None when the string holds no figure, or more than one (a cell that is really two cells
    should not be read as either).
    """
    found = _scan(text, default_unit)
    return found[0].figure if len(found) == 1 else None


def normalise_number_tokens(text: str) -> str:
    """Rewrite every number into one lexical token, so a BM25 index keeps it whole.

    "119 695" -> "119695" and "−2,5"/"–2,5"/"+ 4,5" -> "-2,5"/"+4,5"; the decimal comma stays
    ("82,7"), units and all other text are untouched. Queries must pass through this too, so
    that "119 695" in a question meets "119 695" in a report.
    """
    parts, at = [], 0
    for start, end, sign, int_part, dec, usep, unit in _raw_numbers(text):
        sign_out = "-" if sign.strip() in ("−", "–", "-") else sign.replace(" ", "").replace("−", "-").replace("–", "-")
        digits = re.sub(f"{_SEP}", "", int_part)
        parts.append(text[at:start])
        parts.append(f"{sign_out}{digits}{dec}{usep}{unit}")
        at = end
    parts.append(text[at:])
    return "".join(parts)


# --- rendering ---------------------------------------------------------------------------

# (unit, scale, smallest magnitude it is used for): tkr only from 100 000 kr, as the reports do;
# "1 500 kr" reads better than "1,5 tkr".
_KR_SCALES: tuple[tuple[str, int, int], ...] = (
    ("mdkr", 10**9, 10**9), ("mnkr", 10**6, 10**6), ("tkr", 10**3, 10**5), ("kr", 1, 1),
)


def _digits(value: Decimal, decimals: int) -> str:
    """Swedish digits of |value|: groups of three joined by no-break spaces, decimal comma."""
    whole, _, frac = f"{abs(value).quantize(Decimal(1).scaleb(-decimals)):f}".partition(".")
    return f"{int(whole):,}".replace(",", "\u00a0") + ("," + frac if frac else "")


def _min_decimals(value: Decimal, limit: int) -> int | None:
    """Fewest decimals (0..limit) that show `value` exactly, else None."""
    for decimals in range(limit + 1):
        if value == value.quantize(Decimal(1).scaleb(-decimals)):
            return decimals
    return None


def format_figure(value: float, unit: str) -> str:
    """Swedish rendering of a canonical value, for answers.

    Rules, chosen so that nothing the value holds is rounded away and the result reads like the
    reports themselves:
    - kronor: the largest of mdkr, mnkr, tkr, kr in which the value needs at most one decimal
      (82_700_000 -> "82,7 mnkr", 14_660_000 -> "14 660 tkr", 200_000 -> "200 tkr",
      850 -> "850 kr"), tkr only from 100 000 kr (1_500 -> "1 500 kr"); otherwise kronor with
      up to two decimals (öre). "14,7 mnkr" would be
      the rounded reading; the caller rounds first if that is wanted.
    - percent and percentage points: as many decimals as the value has, up to four
      (2.78 -> "2,78 %", 13.0 -> "13 %", 31 procentenheter -> "31 procentenheter").
    - bare numbers: up to four decimals.
    Float noise from arithmetic (differences, sums) is dropped at 15 significant digits.
    Thousands are grouped with no-break spaces (U+00A0) — Swedish typesetting, and unambiguous
    when the text is read back; the unit follows after a plain space; minus is "-".
    """
    if not math.isfinite(value):
        raise ValueError(f"cannot format {value!r}")
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; expected one of {UNITS}")
    with localcontext() as context:
        context.prec = 15  # drop float noise from arithmetic: (0.1 + 0.2) * 1e6 -> 300000
        exact = +Decimal(repr(value))
    sign = "-" if exact < 0 else ""
    if unit == "kr":
        for name, scale, smallest in _KR_SCALES:
            scaled = exact / scale
            decimals = _min_decimals(scaled, 1)
            if abs(exact) >= smallest and decimals is not None:
                return f"{sign}{_digits(scaled, decimals)} {name}"
        rounded = exact.quantize(Decimal("0.01"))
        decimals = _min_decimals(rounded, 2) or 0
        text = _digits(rounded, decimals)
        return f"{sign if rounded else ''}{text} kr"
    rounded = exact.quantize(Decimal("0.0001"))
    text = _digits(rounded, _min_decimals(rounded, 4) or 0)
    sign = sign if rounded else ""
    if unit == "%":
        return f"{sign}{text} %"
    if unit == "procentenheter":
        return f"{sign}{text} procentenheter"
    return f"{sign}{text}"


# --- comparison --------------------------------------------------------------------------


def _step(figure: Figure) -> float:
    """The rounding step the figure's text shows, in its value's units (0 when unknown).

    "82,7 mnkr" -> 100 000 kr; "82 700 tkr" -> 1 000 kr; "12,3 %" -> 0.1. A figure read with a
    default unit ("82,7" under "belopp i mnkr") has its scale recovered from value / written number.
    """
    found = _scan(figure.text) if figure.text else []
    if len(found) != 1:
        return 0.0
    written = found[0]
    scale = float(written.multiplier)
    if written.figure.value and figure.value and written.figure.unit != figure.unit:
        scale = abs(figure.value / written.figure.value)
    return scale * 10.0 ** -written.decimals


def rounding_step(figure: Figure) -> float:
    """The rounding step the figure's text shows, in its value's units (0 when unknown); see `_step`."""
    return _step(figure)


@dataclass(frozen=True)
class Printed:
    """A figure's digits as printed, without its sign and its unit's scale.

    A table cell "-12 480" under "tkr" is 12 480 printed (its value 12 480 000 kr); "12,5 mnkr"
    is 12,5 printed. Someone who types a bare number means the digits they saw, in whatever unit
    the table's header gave them, so figure search compares bare numbers here.
    """

    number: float
    step: float  # 10**-decimals as printed: 1 for "12 480", 0.1 for "12,5"
    significant: int  # significant digits printed: 5 for "12 480", 3 for "12,5", 1 for "2"


def printed(figure: Figure) -> Printed | None:
    """How the figure's number is printed; None when its text holds no single figure."""
    found = _scan(figure.text) if figure.text else []
    if len(found) != 1:
        return None
    written = found[0]
    digits = re.sub(r"\D", "", written.figure.text)  # unit words hold no digits
    return Printed(
        number=abs(written.figure.value) / written.multiplier,
        step=10.0 ** -written.decimals,
        significant=len(digits.lstrip("0")),
    )


def same_figure(a: Figure, b: Figure, rel_tol: float = 1e-9) -> bool:
    """True when two figures state the same quantity, allowing for the rounding the text shows.

    - Units must be equal ("" only matches ""): 82,7 mnkr and 82 700 tkr are both "kr" and match.
    - Signs must agree: -2,5 never matches 2,5 (zero matches either sign).
    - The less precise figure matches when the other, rounded to its precision, equals it:
      "12,3 %" matches "12,32 %" and "119,7 mnkr" matches "119 695 tkr"; "12,3 %" does not
      match "12,4 %". Precision comes from each figure's text (its decimals and written unit);
      a figure without parseable text is taken as exact.
    - `rel_tol` absorbs float noise for figures of equal precision.
    """
    if a.unit != b.unit:
        return False
    if a.value * b.value < 0:
        return False
    tolerance = max(_step(a), _step(b)) / 2
    slack = rel_tol * max(abs(a.value), abs(b.value)) + 1e-12
    return abs(a.value - b.value) <= tolerance + slack
