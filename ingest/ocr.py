"""OCR of image-only PDF pages with Debian's tesseract (`tesseract-ocr` + `tesseract-ocr-swe`).

A scanned report has pages that are pictures of text. When tesseract and its Swedish model are
installed, such a page is rendered at 300 dpi and read by the `tesseract` command into the same
`Line`s the text layer gives, so furniture, headings and paragraphs are found as on any page.
The command is run as a subprocess: no Python binding is needed, and without tesseract the
reader keeps its clear error instead of failing on an import.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import shutil
import statistics
import subprocess
from functools import cache
from typing import Any

from granska.ingest.layout import Line

log = logging.getLogger(__name__)

RESOLUTION = 300  # dpi; tesseract's accuracy drops quickly below ~300 dpi on body-size text
_POINTS_PER_PIXEL = 72 / RESOLUTION
_MIN_CONFIDENCE = 30.0  # tesseract's word confidence (0-100); below this it is mostly speckle
_TIMEOUT = 300  # seconds per page: a stuck OCR run must not hang an ingest batch


@cache
def languages() -> str | None:
    """The tesseract language setting to use, or None when OCR is not possible (checked once).

    Swedish is required. English is added when installed (it comes with tesseract-ocr): the
    Swedish model alone reads "2,78 %" as "2,78 260", and a percent sign matters more here
    than anywhere.
    """
    binary = shutil.which("tesseract")
    if binary is None:
        return None
    try:
        listed = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    installed = set((listed.stdout + listed.stderr).split())
    if "swe" not in installed:
        return None
    return "swe+eng" if "eng" in installed else "swe"


def available() -> bool:
    """Whether the tesseract command and its Swedish model are installed."""
    return languages() is not None


def page_lines(page: Any) -> list[Line]:
    """The text lines of a pdfplumber page read by OCR, top to bottom, in PDF points."""
    image = page.to_image(resolution=RESOLUTION).original.convert("L")
    png = io.BytesIO()
    image.save(png, "PNG")
    return _lines_from_tsv(_tesseract_tsv(png.getvalue()))


def _tesseract_tsv(png: bytes) -> str:
    # One thread: the machine is shared and pages are read one at a time anyway.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    done = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", languages() or "swe", "tsv"],
        input=png,
        capture_output=True,
        timeout=_TIMEOUT,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"tesseract failed ({done.returncode}): {done.stderr.decode(errors='replace').strip()}")
    return done.stdout.decode("utf-8", errors="replace")


def _lines_from_tsv(tsv: str) -> list[Line]:
    """Group tesseract's word rows into lines, with a font size the layout rules can use.

    A line box's height varies with its letters (ascenders, descenders) by more than the one
    point that separates paragraphs, so lines up to 1.3 times the page's median height get
    the median (body text) and only clearly larger lines (headings) keep their own.
    """
    words: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    heights: dict[tuple[str, str, str], float] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        key = (row["block_num"], row["par_num"], row["line_num"])
        if row["level"] == "4":
            heights[key] = float(row["height"])
        elif row["level"] == "5" and (row.get("text") or "").strip() and float(row["conf"]) >= _MIN_CONFIDENCE:
            words.setdefault(key, []).append(row)
    if not words:
        return []
    body = statistics.median(heights.get(key, 0.0) or float(found[0]["height"]) for key, found in words.items())
    lines: list[Line] = []
    for key, line_words in words.items():
        height = heights.get(key) or body
        top = min(float(word["top"]) for word in line_words)
        bottom = max(float(word["top"]) + float(word["height"]) for word in line_words)
        lines.append(
            Line(
                text=" ".join(word["text"].strip() for word in line_words),
                top=top * _POINTS_PER_PIXEL,
                bottom=bottom * _POINTS_PER_PIXEL,
                x0=min(float(word["left"]) for word in line_words) * _POINTS_PER_PIXEL,
                size=round((body if height <= 1.3 * body else height) * _POINTS_PER_PIXEL, 1),
                bold=False,
            )
        )
    return sorted(lines, key=lambda line: line.top)
