"""Page furniture: running headers/footers and printed page numbers.

A running header or footer is found by repetition, not by its wording: a line at the top or
bottom edge of a page whose text, with digits normalised, recurs at the same edge on several
pages. A page-number line ("Sida 8 av 13", "5 (26)", "12") at an edge is furniture even when
it does not repeat (a one-page appendix with its own footer), and gives the page its label.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

_DIGITS_RE = re.compile(r"\d+")
# The printed page number at the end of a header/footer line, in the forms Swedish reports use.
_LABEL_RES = (
    re.compile(r"\b(?:sida|sid\.?|s\.|page|p\.)\s*(\d{1,4})\s*(?:\(|av|of|/)\s*\d{1,4}\s*\)?\s*$", re.I),
    re.compile(r"\b(?:sida|sid\.?|page)\s*(\d{1,4})\s*$", re.I),
    re.compile(r"(?:^|\s)(\d{1,4})\s*\(\s*\d{1,4}\s*\)\s*$"),
    re.compile(r"^(\d{1,4})\s*(?:/|av|of)\s*\d{1,4}$", re.I),
    re.compile(r"^[-–]?\s*(\d{1,3})\s*[-–]?$"),
)


def page_label(text: str) -> str | None:
    """The printed page number in a header/footer line ("Sida 9 av 13" -> "9"), if any."""
    text = text.strip()
    for pattern in _LABEL_RES:
        match = pattern.search(text)
        if match:
            return match.group(1)
    return None


def furniture_key(text: str) -> str:
    """Text with digits and spacing normalised, so "Sida 8 av 13" and "Sida 9 av 13" match."""
    return " ".join(_DIGITS_RE.sub("#", text).split()).lower()


def repeated_keys(edge_texts: Sequence[Sequence[str]], page_count: int) -> set[str]:
    """Keys of edge lines that recur on enough pages to be running headers or footers.

    `edge_texts` holds, per page, the texts of that page's candidate lines at one edge. A line
    counts once per page. The threshold grows with document length but stays at three, so a
    header of a ten-page appendix inside a long volume is still found.
    """
    threshold = min(3, max(2, math.ceil(0.3 * page_count)))
    counts: Counter[str] = Counter()
    for texts in edge_texts:
        counts.update({furniture_key(text) for text in texts})
    return {key for key, count in counts.items() if count >= threshold and key}
