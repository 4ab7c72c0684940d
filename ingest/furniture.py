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


# Furniture lines considered per edge: footers stack up to three lines (report name with the
# page label "9 (29)", subtitle, office and date), and the label may sit on the innermost one;
# a running header may be the publisher's line over the report's title line.
EDGE_LINES = 3


def edge_furniture(edges: Sequence[tuple[Sequence[str], Sequence[str]]]) -> list[tuple[int, int, str | None]]:
    """Per page, how many of its top and of its bottom edge lines are furniture, and its printed
    page label (None if it shows none).

    `edges` holds, per page, the texts of its outermost lines at the top and at the bottom, each
    from the edge inwards (at most `EDGE_LINES`). From each edge inwards, a line is furniture
    while it recurs at that edge on enough pages (`repeated_keys`); the outermost line is also
    furniture when it is a page number. The first line that is neither ends the furniture, so
    body text that happens to repeat further in is kept."""
    top_keys = repeated_keys([top for top, _ in edges], len(edges))
    bottom_keys = repeated_keys([bottom for _, bottom in edges], len(edges))
    out = []
    for top, bottom in edges:
        label: str | None = None
        counts = []
        for texts, keys in ((bottom, bottom_keys), (top, top_keys)):
            count = 0
            for index, text in enumerate(texts):
                found = page_label(text)
                if furniture_key(text) in keys or (index == 0 and found is not None):
                    count += 1
                    label = label or found
                else:
                    break
            counts.append(count)
        out.append((counts[1], counts[0], label))
    return out
