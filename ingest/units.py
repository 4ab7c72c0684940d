"""The unit of a money table that states none, inferred from the report's own prose.

Some reports print tables of bare numbers ("TOTALT | 1 143 942 | 1 088 251 | -55 691") and
say in the text what they amount to ("ett underskott i delåret på -55,7 miljoner kronor"). A
figure without its unit cannot be compared, converted or checked, so ingest looks for the scale
(kr, tkr, mnkr) under which several of the table's numbers are exactly the prose's rounded
amounts. Only a clear result counts: at least `MIN_MATCHES` different prose amounts of two or
more significant digits explained ("2 miljoner kronor" is near too many numbers to tell), one of
them on the table's own page or the next (a table's commentary often follows it over the page
break), and no other scale explaining any. The caption then says the unit
was inferred, so a reader knows it was not printed.
"""

from __future__ import annotations

import re

from granska.ingest.numbers import parse_figure
from granska.types import Block, Figure

MIN_MATCHES = 2
SCALES = {"kr": 1.0, "tkr": 1e3, "mnkr": 1e6}

_NUMBER = re.compile(r"\d[\d\s\u00a0\u202f]*(?:,(\d+))?")
_SCALE_WORDS = (
    (re.compile(r"mdkr|miljard", re.I), 1e9),
    (re.compile(r"mnkr|mkr|msek|miljon", re.I), 1e6),
    (re.compile(r"tkr|tusen", re.I), 1e3),
)


def precision(figure: Figure) -> float:
    """How far a written amount may be from the exact one: half its last printed digit, in kronor
    ("55,7 miljoner kronor" -> 50 000 kr; "120 miljoner kronor" -> 500 000 kr)."""
    number = _NUMBER.search(figure.text)
    decimals = len(number.group(1)) if number and number.group(1) else 0
    scale = next((s for pattern, s in _SCALE_WORDS if pattern.search(figure.text)), 1.0)
    return 0.5 * scale * 10.0 ** -decimals


def infer_table_unit(block: Block, prose: list[tuple[Figure, int]]) -> str | None:
    """The scale of a unitless table's numbers, when the report's prose (figure, page) states several."""
    cells = {
        abs(f.value)
        for row in (block.rows or [])[1:]
        for cell in row[1:]
        if (f := parse_figure(cell or "")) is not None and f.unit == "" and f.value
    }
    near = (block.page, block.page + 1)  # the table's page, and the next, where its commentary may be
    amounts: dict[float, int] = {}  # distinct specific amounts -> a page that states it (a near one if any)
    for figure, page in prose:
        if figure.unit == "kr" and _significant_digits(figure) >= 2:
            key = abs(figure.value)
            if amounts.get(key) not in near:
                amounts[key] = page
    explained: dict[str, list[int]] = {}
    for unit, scale in SCALES.items():
        explained[unit] = [
            page for amount, page in amounts.items()
            if any(abs(cell * scale - amount) <= precision(_as_written(amount, prose)) for cell in cells)
        ]
    best = max(explained, key=lambda unit: len(explained[unit]))
    clear = all(not pages for unit, pages in explained.items() if unit != best)
    if len(explained[best]) >= MIN_MATCHES and any(page in explained[best] for page in near) and clear:
        return best
    return None


def _as_written(amount: float, prose: list[tuple[Figure, int]]) -> Figure:
    return next(f for f, _ in prose if f.unit == "kr" and abs(f.value) == amount)


def _significant_digits(figure: Figure) -> int:
    number = _NUMBER.search(figure.text)
    digits = re.sub(r"\D", "", number.group(0)) if number else ""
    return len(digits.lstrip("0"))
