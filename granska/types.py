"""The data that flows between ingest, index, app and eval.

Ingest produces `ParsedDocument`s (layout-level: blocks with page, section, tables) and
`ReportMeta`; chunking turns them into `Chunk`s, the unit that is embedded, stored and cited.
The app returns an `Answer`, whose JSON form is the public contract in DESIGN.md.
"""

from __future__ import annotations

import sys

from dataclasses import asdict, dataclass, field
from typing import Literal

SECTION_SEP = " > "  # joins the headings of a section path, outermost first

BlockKind = Literal["text", "table"]


def format_period(yyyymm: int) -> str:
    """The period as users read it: 202010 -> "2020-10" (the month a report runs to)."""
    return f"{yyyymm // 100:04d}-{yyyymm % 100:02d}"


@dataclass(frozen=True, slots=True)
class Figure:
    """A number as written in a report, with its canonical value.

    `value` is in base units: kronor for money (82,7 mnkr -> 82_700_000.0), percent points for
    `%` (2,78 % -> 2.78), the plain number otherwise. `unit` is one of "kr", "%",
    "procentenheter" or "" (a bare number whose unit the text does not state).
    """

    text: str
    value: float
    unit: str


@dataclass
class Block:
    """One layout piece of a document: a paragraph run or a table, on one page, in one section.

    For tables, `rows` holds the cells row by row with the header row first (repeated when a
    table continues from an earlier page), and `caption` the line that introduces the table.
    """

    kind: BlockKind
    text: str
    page: int  # 1-based PDF page (1 for text extracts without pages)
    page_label: str | None = None  # printed page number ("9" from "Sida 9 av 13"), when known
    section: str = ""  # heading path, e.g. "4 Ekonomi > 4.1 Prognos > 4.1.3 Prognosförändring ..."
    rows: list[list[str]] | None = None
    caption: str = ""
    ocr: bool = False  # read by OCR from a page image: its text may hold recognition errors


@dataclass
class ParsedDocument:
    """A document as read from disk, before metadata inference and chunking."""

    path: str
    blocks: list[Block]
    page_count: int
    title_text: str = ""  # the text of the title page (first page), for metadata inference
    pdf_metadata: dict[str, str] = field(default_factory=dict)
    toc_pages: list[int] = field(default_factory=list)  # pages recognised as table of contents
    furniture: list[str] = field(default_factory=list)  # running header/footer texts removed from the pages (they name the publisher)


HIGH, MEDIUM, LOW, CORRECTED = "hög", "medel", "låg", "rättad"


@dataclass(frozen=True)
class Provenance:
    """Where an inferred metadata field was read, and how sure the reading is (HIGH: the report
    names itself; MEDIUM: read from its text; LOW: file name or an assumption; CORRECTED: a user
    set it). Shown in `granska docs list` and the Arkiv tab so users can see what to correct."""

    source: str
    confidence: str

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "confidence": self.confidence}


@dataclass
class ReportMeta:
    """What a report is: who wrote it, what kind it is, which period it covers."""

    organisation: str  # "Region Halland, Regionkontoret"
    report_type: str  # "månadsrapport", "uppföljningsrapport", "delårsrapport", ...
    period_start: int  # yyyymm, e.g. 202001
    period_end: int  # yyyymm, e.g. 202010
    title: str = ""  # one line naming the report, prefixed to every chunk before embedding
    provenance: dict[str, Provenance] = field(default_factory=dict)  # field name -> where it was read

    @property
    def year(self) -> int:
        return self.period_end // 100

    @property
    def period(self) -> str:
        return format_period(self.period_end)


@dataclass(slots=True)
class TableRow:
    """One body row of a table, as typed data from ingest to the answer (ingest/table_rows.py).

    `label_path` is the groups the row sits under, outermost first, then its own label
    (["Nyinvestering", "Lokaler"]); `headers[i]` is the header path of value cell `i`, stacked
    header cells joined by " > " ("Period > Utfall"); `figures[i]` is that cell's figure in its
    column's unit (None where the cell holds no figure). Cells are as printed.
    """

    label_path: list[str]
    cells: list[str]
    headers: list[str]
    figures: list[Figure | None]

    @classmethod
    def from_dict(cls, data: dict) -> "TableRow":
        """Labels, headers and units recur in every row of a table and every re-issue of a report:
        shared (interned) strings keep an archive's rows in memory once (see `Chunk.from_dict`)."""
        return cls(
            label_path=[sys.intern(p) for p in data["label_path"]], cells=list(data["cells"]),
            headers=[sys.intern(h) for h in data["headers"]],
            figures=[_figure(f) if f else None for f in data["figures"]],
        )


@dataclass
class Chunk:
    """The unit that is embedded, indexed and cited."""

    id: str
    text: str
    document: str  # file name
    doc_id: str  # content hash of the file
    organisation: str
    report_type: str
    period_start: int
    period_end: int
    year: int
    page: int
    page_label: str
    section: str
    kind: BlockKind
    title: str = ""
    figures: list[Figure] = field(default_factory=list)
    position: int = 0  # order within the document
    rows: list[TableRow] = field(default_factory=list)  # a table chunk's body rows, typed

    @property
    def period(self) -> str:
        return format_period(self.period_end)

    @classmethod
    def from_dict(cls, data: dict) -> "Chunk":
        """A chunk from its stored fields (the lexical index's chunks.jsonl, the vector store's
        metadata), figures and rows as dicts.

        An engine holds every chunk in memory, and a chunk's document, organisation, title and
        heading path are the same strings as its neighbours' (measured on a 500-report archive:
        interning them and the rows' labels and headers halves the memory of the loaded chunks).
        """
        fields = dict(data)
        for name in _SHARED_FIELDS:
            if isinstance(fields.get(name), str):
                fields[name] = sys.intern(fields[name])
        fields["figures"] = [_figure(f) for f in data.get("figures", [])]
        fields["rows"] = [TableRow.from_dict(r) for r in data.get("rows", [])]
        return cls(**fields)

    def embed_text(self) -> str:
        """Text given to the embedder: the document's title line, the leaf heading, the passage.

        The title prefix measurably helps dense retrieval (MODELS.md: +0.08 to +0.10 MRR). Only
        the leaf heading goes with it: the full heading path (up to 82 tokens in deep outlines)
        cost 15% more embedding time and no accuracy on the dev set (docs/ingest-benchmark.md).
        """
        head = " | ".join(part for part in (self.title, self.leaf_section) if part)
        return f"{head}\n{self.text}" if head else self.text

    def index_text(self) -> str:
        """Text given to the lexical index: the title line, the full heading path, the passage.

        Words of the parent headings ("Ekonomi", "Medarbetare") are cheap to index and let a
        question find a table whose own heading does not name its subject.
        """
        head = " | ".join(part for part in (self.title, self.section) if part)
        return f"{head}\n{self.text}" if head else self.text

    @property
    def leaf_section(self) -> str:
        return self.section.rsplit(SECTION_SEP, 1)[-1]


_SHARED_FIELDS = ("document", "doc_id", "organisation", "report_type", "page_label", "section", "kind", "title")


def _figure(data: dict) -> Figure:
    return Figure(data["text"], data["value"], sys.intern(data["unit"]))


@dataclass
class Citation:
    n: int
    document: str
    organisation: str
    report_type: str
    period: str
    page: int
    page_label: str
    section: str
    kind: str
    text: str
    chunk_id: str = ""


    @classmethod
    def from_chunk(cls, n: int, chunk: Chunk) -> "Citation":
        """The citation of a passage: its leaf section, and the printed page label when known."""
        return cls(
            n=n,
            document=chunk.document,
            organisation=chunk.organisation,
            report_type=chunk.report_type,
            period=chunk.period,
            page=chunk.page,
            page_label=chunk.page_label or str(chunk.page),
            section=chunk.leaf_section,
            kind=chunk.kind,
            text=chunk.text,
            chunk_id=chunk.id,
        )


@dataclass
class AnswerFigure:
    text: str
    value: float
    unit: str
    citation: int
    verified: bool


@dataclass
class Answer:
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    figures: list[AnswerFigure] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    id: str | None = None
    warnings: list[str] = field(default_factory=list)
    # What a refusal found missing: "organisation" (no report of it), "period" (no report for
    # it, nor one that states it), "measure" (the reports in scope do not state what was asked).
    missing: str | None = None
    # The generation of the published index state the answer was computed from (its registry,
    # lexical index and retriever): every citation is of a document of that state.
    generation: int | None = None

    def to_dict(self) -> dict:
        """The DESIGN.md answer object (extended with `warnings`, `missing` and `generation`, never narrowed)."""
        data = asdict(self)
        if data["id"] is None:
            data.pop("id")
        for cit in data["citations"]:
            cit.pop("chunk_id", None)
        return data


@dataclass
class Hit:
    """A retrieved chunk with its fused score."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    matched: list[Figure] = field(default_factory=list)  # figures of the passage that state a value the query quotes
    generation: int | None = None  # of the index state it was found in (set by `Engine.search`)
