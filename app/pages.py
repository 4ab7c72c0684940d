"""Cited pages as images, with the cited passage highlighted, and safe lookup of archive files.

A reader who doubts a figure wants to see it where it was printed, not a re-typed copy: so the
source view renders the PDF page itself (pdfplumber, via pypdfium2) and marks the words of the
passage on it. Files are only ever found through the archive registry, by exact document name,
so no request parameter can point the server at another file.
"""

from __future__ import annotations

import io
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from difflib import SequenceMatcher
from pathlib import Path

from granska.index.registry import DocumentRecord

DEFAULT_RESOLUTION = 110
MAX_RESOLUTION = 200
_HIGHLIGHT_FILL = (255, 214, 0, 90)
_HIGHLIGHT_STROKE = (230, 120, 0, 255)
_FIGURE_FILL = (255, 120, 0, 110)  # a searched figure, stronger than its passage's yellow
_FIGURE_STROKE = (190, 30, 0, 255)
# Word runs shorter than this are left unmarked unless they hold a figure with decimals or a
# two-token figure ("82 700"): single common words ("och", "i") and years ("2020") match all
# over a page and would scatter highlights away from the passage.
_MIN_RUN = 3
_DASHES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u00a0": " "})
_EDGE_PUNCT = re.compile(r"^[^\w+\-]+|[^\w%]+$")


class PageError(LookupError):
    """A page that cannot be shown: unknown document, no such page, or not a PDF."""


def resolve_document(records: Mapping[str, DocumentRecord], name: str) -> tuple[DocumentRecord, Path]:
    """The registry record and file of the document called exactly `name`.

    Only registry keys are accepted (never a path built from user input), and the recorded file
    must still exist: this is the single gate every served file goes through.
    """
    record = records.get(name)
    if record is None:
        raise PageError(f"Dokumentet {name!r} finns inte i arkivet.")
    path = Path(record.path)
    if not path.is_file():
        raise PageError(f"Filen för {name!r} saknas på disken; läs in dokumentet igen.")
    return record, path


def check_page(record: DocumentRecord, path: Path, page: int) -> None:
    """Refuse pages outside the document before any rendering work is done."""
    if path.suffix.lower() != ".pdf":
        raise PageError(f"{record.document} är ingen PDF; sidbilder finns bara för PDF-filer.")
    if page < 1 or page > record.pages:
        raise PageError(f"Sidan {page} finns inte: {record.document} har sidorna 1–{record.pages}.")


def _token(word: str) -> str:
    return _EDGE_PUNCT.sub("", word.translate(_DASHES).lower())


def _tokens(text: str) -> list[str]:
    return [t for t in (_token(w) for w in text.translate(_DASHES).split()) if t]


def _is_figure_run(run: list[str]) -> bool:
    numeric = [t for t in run if any(ch.isdigit() for ch in t)]
    return bool(numeric) and (len(numeric) > 1 or any("," in t for t in numeric))


def matched_words(words: list[dict], passage: str) -> list[dict]:
    """The page words that belong to the passage, found as shared runs of words in order.

    The passage went through cleaning (hyphenation joined, tables flattened with separators),
    so it is aligned with the page's word sequence rather than searched for verbatim.
    """
    page_tokens = [_token(w["text"]) for w in words]
    wanted = _tokens(passage)
    if not wanted or not page_tokens:
        return []
    matcher = SequenceMatcher(None, page_tokens, wanted, autojunk=False)
    marked: list[dict] = []
    for block in matcher.get_matching_blocks():
        run = page_tokens[block.a : block.a + block.size]
        if block.size >= _MIN_RUN or _is_figure_run(run):
            marked.extend(words[block.a : block.a + block.size])
    return marked


def figure_words(words: list[dict], figures: list[str], within: list[dict] | None = None) -> list[dict]:
    """The page words that print the given figures ("-12 480 tkr" -> the words "-12", "480"),
    inside `within` (the passage's words) when the figure is printed there, else anywhere on the page.

    Only the number's words are matched: a table prints its unit in the header, not in the cell.
    """
    marked: list[dict] = []
    inside = {id(w) for w in within or ()}
    for pool in ([w for w in words if id(w) in inside], words):
        tokens = [_token(w["text"]) for w in pool]
        for figure in figures:
            wanted = [t for t in _tokens(figure) if any(ch.isdigit() for ch in t)]
            for i in range(len(tokens) - len(wanted) + 1):
                if wanted and [t.lstrip("+") for t in tokens[i:i + len(wanted)]] == [t.lstrip("+") for t in wanted]:
                    marked.extend(pool[i:i + len(wanted)])
        if marked:
            return marked
    return marked


def line_boxes(words: list[dict], gap: float = 12.0) -> list[tuple[float, float, float, float]]:
    """Merge neighbouring marked words on one line into one box, so highlights read as text runs."""
    boxes: list[list[float]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        last = boxes[-1] if boxes else None
        if last and abs(last[1] - w["top"]) < 2 and w["x0"] - last[2] <= gap:
            last[2] = max(last[2], w["x1"])
            last[3] = max(last[3], w["bottom"])
        else:
            boxes.append([w["x0"], w["top"], w["x1"], w["bottom"]])
    return [(x0 - 1, top - 1, x1 + 1, bottom + 1) for x0, top, x1, bottom in boxes]


def render_page_png(
    path: Path, page: int, passage: str = "", resolution: int = DEFAULT_RESOLUTION, figures: tuple[str, ...] = ()
) -> bytes:
    """The page as PNG, with the passage's words marked, and the `figures` (as printed) a search
    matched marked more strongly (uncached; see `PageRenderer`)."""
    import pdfplumber

    resolution = max(30, min(int(resolution), MAX_RESOLUTION))
    with pdfplumber.open(str(path)) as pdf:
        if page < 1 or page > len(pdf.pages):
            raise PageError(f"Sidan {page} finns inte: {path.name} har sidorna 1–{len(pdf.pages)}.")
        pdf_page = pdf.pages[page - 1]
        image = pdf_page.to_image(resolution=resolution)
        words = pdf_page.extract_words() if passage.strip() or figures else []
        in_passage = matched_words(words, passage) if passage.strip() else []
        boxes = line_boxes(in_passage)
        if boxes:
            image.draw_rects(boxes, fill=_HIGHLIGHT_FILL, stroke=_HIGHLIGHT_STROKE, stroke_width=1)
        figure_boxes = line_boxes(figure_words(words, list(figures), in_passage)) if figures else []
        if figure_boxes:
            image.draw_rects(figure_boxes, fill=_FIGURE_FILL, stroke=_FIGURE_STROKE, stroke_width=2)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", quantize=False)
    return buffer.getvalue()


class PageRenderer:
    """Renders pages with a small in-memory cache.

    Opening a citation, then a neighbouring one on the same page, or several users checking the
    same figure, all want the same image; rendering costs ~0.2-0.5 s per page on a small CPU.
    The key includes the file's size and mtime, so a re-ingested file is never served stale.
    """

    def __init__(self, capacity: int = 64) -> None:
        self.capacity = capacity
        self._cache: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def render(
        self, path: Path, page: int, passage: str = "", resolution: int = DEFAULT_RESOLUTION, figures: tuple[str, ...] = ()
    ) -> bytes:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size, page, passage, resolution, figures)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        png = render_page_png(path, page, passage, resolution, figures)
        with self._lock:
            self._cache[key] = png
            while len(self._cache) > self.capacity:
                self._cache.popitem(last=False)
        return png
