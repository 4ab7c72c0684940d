"""What the web app does with the archive, and the HTTP API beside the Gradio UI.

`ArchiveService` is the one place the UI and the HTTP API go through: it turns engine results
into the JSON shapes of DESIGN.md, serves only registry files, serialises writes (upload,
remove, correct), checks uploads, decides who may write (the `editor` role; everyone when the app
runs without login), audits writes under the user's name and issues follow-up sessions bound to
the user. The UI and the API therefore cannot drift apart, and the safety checks live in one place.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field

from granska.app.indicators import IndicatorSeries, available, normalise_label, series
from granska.app.pages import DEFAULT_RESOLUTION, MAX_RESOLUTION, PageError, PageRenderer, check_page, resolve_document
from granska.app.sessions import Sessions
from granska.app.users import User
from granska.index.audit import ANONYMOUS, AuditEntry, AuditLog


MAX_UPLOAD_BYTES = 50 * 1024 * 1024
SEARCH_POOL = 50
UPLOAD_SUFFIXES = (".pdf", ".txt", ".md")
FILTER_KEYS = ("organisation", "report_type", "year", "document")
_SAFE_NAME = re.compile(r"[^\w.\-]+", re.UNICODE)
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-"})  # a figure's sign as typed or as printed
_STOPWORDS = frozenset(
    "och i på av för att det som en ett med till är om vad hur var den de sig har inte från vid".split()
)


class UploadRejected(ValueError):
    """An uploaded file that is refused before ingest (wrong type, too large, not a PDF)."""


class Forbidden(PermissionError):
    """A write by a user without the editor role (HTTP 403)."""

    def __init__(self, user: str | None) -> None:
        super().__init__(f"{user or 'Du'} har rollen reader (läsa, söka, exportera); att läsa in, ta bort och rätta "
                         "dokument kräver rollen editor. Be en administratör köra `granska users add NAMN --role editor`.")


@dataclass
class UploadOutcome:
    """What happened to one upload batch, ready to show to the person who uploaded."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason in Swedish)
    summary: str = ""


def clean_filters(filters: dict[str, Any] | None) -> dict[str, Any]:
    """Drop empty values and reject unknown keys, so a typo never silently widens a search."""
    result: dict[str, Any] = {}
    for key, value in (filters or {}).items():
        if key not in FILTER_KEYS:
            raise ValueError(f"Okänt filter {key!r}: använd organisation, report_type, year eller document.")
        if value not in (None, "", []):
            result[key] = value
    return result


def _is_number(word: str) -> bool:
    return any(ch.isdigit() for ch in word)


def _phrase_pattern(words: list[str]) -> str:
    """The query as one phrase, any whitespace between words, never inside a larger figure."""
    body = r"\s+".join(re.escape(w.translate(_MINUS)) for w in words).replace(r"\-", "[-\u2212\u2013]")
    head = r"(?<![\d,.])" if _is_number(words[0]) else r"\b"
    tail = r"(?!\d|,\d)" if _is_number(words[-1]) else ""
    return head + body + tail


def highlight_terms(query: str) -> re.Pattern[str] | None:
    """A pattern for the words and figures of a search, to mark them in result snippets.

    Figures match whole ("82,7" not inside "182,75"; "119 695" across any space, and its digit
    groups never alone, since "119" would light up unrelated figures); words match as prefixes
    because the lexical index is stemmed ("sjukfrånvaro" also finds "sjukfrånvaron").
    """
    words = [w.strip("?!.:;\"'()") for w in query.split()]
    words = [w for w in words if w]
    if not words:
        return None
    parts = [_phrase_pattern(words)] if len(words) > 1 else []
    for i, word in enumerate(words):
        if word.lower() in _STOPWORDS:
            continue
        if _is_number(word):
            group = word.isdigit() and len(word) <= 3
            neighbours = words[max(0, i - 1) : i] + words[i + 1 : i + 2]
            if not (group and any(w.isdigit() for w in neighbours)):
                parts.append(_phrase_pattern([word]))
        elif len(word) > 1:
            parts.append(rf"\b{re.escape(word)}\w*")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def exact_first(hits: list[dict], query: str) -> list[dict]:
    """Hits that contain the query verbatim (spacing aside) first, otherwise in retrieval order.

    Someone checking a figure ("119 695") wants the passages that print it before passages that
    are merely similar; hybrid retrieval alone can rank a near neighbour above the exact match.
    """
    words = query.split()
    if not words:
        return hits
    pattern = re.compile(_phrase_pattern(words), re.IGNORECASE)
    # Passages stating a quoted value (in any unit or rounding) keep their place before all others.
    return sorted(hits, key=lambda h: (not h.get("matched"), pattern.search(" ".join(h["text"].split())) is None))


def figure_pattern(printed: list[str]) -> re.Pattern[str] | None:
    """The figures as printed in a passage ("-402 510 tkr"), any whitespace between their parts."""
    parts = [r"\s+".join(re.escape(w) for w in text.split()) for text in printed if text.strip()]
    return re.compile("|".join(sorted(parts, key=len, reverse=True))) if parts else None


def snippet_html(text: str, query: str, width: int = 260, figures: list[str] | None = None) -> str:
    """An escaped excerpt around the first hit, with the hit terms in <mark>; when the passage
    states a value the query quotes, the excerpt is centred on that figure as printed (`figures`)
    and marks it, whatever unit or rounding the query used."""
    from html import escape

    flat = " ".join(text.split())
    pattern = figure_pattern(figures or []) or highlight_terms(query)
    first = pattern.search(flat) if pattern else None
    start = max(0, (first.start() if first else 0) - width // 3)
    excerpt = flat[start : start + width]
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + width < len(flat) else ""
    if pattern is None:
        return prefix + escape(excerpt) + suffix
    out, pos = [], 0
    for match in pattern.finditer(excerpt):
        out.append(escape(excerpt[pos : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        pos = match.end()
    out.append(escape(excerpt[pos:]))
    return prefix + "".join(out) + suffix


def hits_to_csv(hits: list[dict]) -> str:
    """Search results as CSV for Swedish spreadsheets: semicolons, since the comma is the decimal sign."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["dokument", "organisation", "rapporttyp", "period", "sida", "tryckt sida", "avsnitt", "text", "poäng",
                     "siffra"])
    for h in hits:
        writer.writerow(
            [h["document"], h["organisation"], h["report_type"], h["period"], h["page"], h["page_label"],
             h["section"], " ".join(h["text"].split()), h.get("score", ""), " | ".join(h.get("matched", []))]
        )
    return buffer.getvalue()


class ArchiveService:
    """The engine as the web app uses it: JSON shapes, safe file access, serialised writes."""

    def __init__(self, engine, users: dict[str, User] | None = None, upload_dir: Path | None = None,
                 max_upload_bytes: int = MAX_UPLOAD_BYTES) -> None:
        """`users` is the login's users file ({} or None: no login, the local single-user app, where
        whoever reaches the app may write)."""
        self.engine = engine
        self.users = users or {}
        self.sessions = Sessions()
        self.upload_dir = Path(upload_dir or Path(engine.settings.store) / "uploads")
        self.max_upload_bytes = max_upload_bytes
        self.pages = PageRenderer()
        self._write_lock = threading.Lock()
        self._writer = None
        self._indicator_lock = threading.Lock()
        self._indicators: dict[str, IndicatorSeries] = {}
        self._indicators_for: list | None = None  # the chunk list the cached series were read from

    # -- who may do what ------------------------------------------------------------------------
    def can_edit(self, user: str | None) -> bool:
        """Whether `user` (the logged-in name, None without login) may upload, remove and correct."""
        if not self.users:
            return True
        known = self.users.get(user or "")
        return known is not None and known.can_edit

    def _editor(self, user: str | None) -> str:
        """The name a write is audited under; Forbidden for anyone but an editor."""
        if not self.can_edit(user):
            raise Forbidden(user)
        return user if self.users and user else ANONYMOUS

    # -- reading -------------------------------------------------------------------------------
    def ask(self, question: str, filters: dict | None = None, session: str | None = None, user: str | None = None) -> dict:
        """The answer object, with the follow-up `session` it belongs to: the given one if it was
        issued to `user`, else a new one (see granska.app.sessions)."""
        question = question.strip()
        if not question:
            raise ValueError("Skriv en fråga.")
        session = self.sessions.claim(session, user)
        answer = self.engine.ask(question, filters=clean_filters(filters) or None, session=session).to_dict()
        return answer | {"session": session}

    def audit(self, user: str | None, limit: int | None = None) -> list[AuditEntry]:
        """The archive's audit trail, oldest first (the newest `limit`); editors only."""
        self._editor(user)
        return AuditLog(Path(self.engine.settings.store)).read(limit)

    def search(self, query: str, k: int = 10, filters: dict | None = None) -> list[dict]:
        from granska.cli import hit_to_dict

        query = query.strip()
        if not query:
            raise ValueError("Skriv något att söka efter.")
        # Fetch a wider pool than asked for: the engine's fusion can rank a passage that only the
        # lexical index finds (typically an exact figure) below the dense top 20, and such a
        # passage is exactly what someone checking a figure is looking for.
        pool = self.engine.search(query, k=max(k, SEARCH_POOL), filters=clean_filters(filters) or None)
        return exact_first([hit_to_dict(h) for h in pool], query)[:k]

    def find_value(self, value: str, filters: dict | None = None) -> list[dict]:
        """Every passage stating the value (`Engine.find_value`), as search hits with `matched`
        (the figures as printed) and `exact` (stated at the value's own precision)."""
        from granska.cli import value_match_to_dict

        value = value.strip()
        if not value:
            raise ValueError("Skriv ett värde att söka efter, t.ex. 12,5 mnkr.")
        return [value_match_to_dict(m) for m in self.engine.find_value(value, filters=clean_filters(filters) or None)]

    def documents(self) -> list[dict]:
        """The archive's documents, without the server-side file path (nobody outside needs it)."""
        out = []
        for record in self.engine.documents():
            data = asdict(record)
            data.pop("path", None)
            data["period"] = record.period
            out.append(data)
        return out

    def filter_choices(self) -> dict[str, list[str]]:
        """Values the archive actually holds, so filter menus never offer an empty result."""
        docs = self.engine.documents()
        years: set[int] = set()
        for d in docs:
            years.update(range(d.period_start // 100, d.period_end // 100 + 1))
        return {
            "organisation": sorted({d.organisation for d in docs}),
            "report_type": sorted({d.report_type for d in docs}),
            "year": [str(y) for y in sorted(years, reverse=True)],
            "document": sorted(d.document for d in docs),
        }

    def indicators(self) -> list[IndicatorSeries]:
        """The indicators stated in several reports, read once per state of the archive.

        Reading every table of the archive is cheap but not free, and the chart, the menu and the
        API all ask for it; the engine swaps in a new chunk list after every ingest, so the list's
        identity says when the cache is stale.
        """
        chunks = self.engine.state().lexical.chunks
        with self._indicator_lock:
            if self._indicators_for is not chunks:
                self._indicators = {s.name: s for s in available(chunks)}
                self._indicators_for = chunks
            return list(self._indicators.values())

    def indicator_series(self, name: str) -> IndicatorSeries | None:
        """One indicator's values across the reports, also one that only a single report states."""
        listed = {s.name: s for s in self.indicators()}
        return listed.get(normalise_label(name)) or series(self.engine.state().lexical.chunks, name)

    def pdf_path(self, document: str) -> Path:
        _, path = resolve_document(self.engine.state().documents, document)
        return path

    def page_png(
        self, document: str, page: int, highlight: str = "", resolution: int = DEFAULT_RESOLUTION,
        figures: tuple[str, ...] = (),
    ) -> bytes:
        """The page image of a registry document; PageError for anything outside the archive."""
        record, path = resolve_document(self.engine.state().documents, document)
        check_page(record, path, page)
        return self.pages.render(path, page, highlight, resolution, tuple(figures))

    # -- writing -------------------------------------------------------------------------------
    def _archive_writer(self):
        """One writer for the app's lifetime, sharing the engine's embedder and store (no second model in memory)."""
        from granska.index.builder import ArchiveWriter

        if self._writer is None:
            self._writer = ArchiveWriter(
                self.engine.settings, progress=False, lock_wait=30.0, store=self.engine.store, embedder=self.engine.embedder
            )
        return self._writer

    def check_upload(self, path: Path, name: str) -> str:
        """The archive name for an upload, or UploadRejected with a reason the uploader can act on."""
        safe = _SAFE_NAME.sub("-", Path(name).name).strip(".-")
        suffix = Path(safe).suffix.lower()
        if not safe or suffix not in UPLOAD_SUFFIXES:
            raise UploadRejected("bara PDF-, .txt- och .md-filer kan läsas in")
        size = path.stat().st_size
        if size == 0:
            raise UploadRejected("filen är tom")
        if size > self.max_upload_bytes:
            raise UploadRejected(f"filen är {size / 1e6:.1f} MB; gränsen är {self.max_upload_bytes / 1e6:.0f} MB")
        if suffix == ".pdf":
            with path.open("rb") as fh:
                if not fh.read(1024).lstrip().startswith(b"%PDF-"):
                    raise UploadRejected("filen är ingen giltig PDF")
        return safe

    def upload(self, files: list[tuple[Path, str]], on_file: Callable[[str], None] | None = None,
               user: str | None = None) -> UploadOutcome:
        """Check, keep and ingest uploaded files (path on disk, original name); failures are reported by name.
        Editors only (Forbidden otherwise); audited as `user`'s uploads.

        Accepted files are copied into the store's upload folder, because the registry refers to
        files by path and the source view must still find them after the upload's temp file is gone.
        A file that replaces an earlier upload of the same name is kept aside until the new one is
        in, so a failed replacement leaves the archive and its file as they were.
        """
        from granska.index.builder import StoreLocked

        actor = self._editor(user)
        outcome = UploadOutcome()
        with self._write_lock:
            self.upload_dir.mkdir(parents=True, exist_ok=True)
            accepted: dict[str, Path | None] = {}  # archive name -> backup of the file it replaces
            for path, name in files:
                try:
                    safe = self.check_upload(Path(path), name)
                except UploadRejected as exc:
                    outcome.failed.append((Path(name).name, str(exc)))
                    continue
                target = self.upload_dir / safe
                backup = None
                if target.exists() and safe not in accepted:
                    backup = target.with_name(f".{safe}.tidigare")
                    os.replace(target, backup)
                accepted[safe] = accepted.get(safe) or backup
                shutil.copyfile(path, target)
            if not accepted:
                return outcome
            try:
                report = self._archive_writer().ingest(
                    [self.upload_dir / n for n in accepted], remove_missing=False, on_file=on_file, user=actor, upload=True
                )
            except StoreLocked as exc:
                report = None
                outcome.failed.extend((n, str(exc)) for n in accepted)
            finally:
                self.engine.refresh()
            failed = {n for n, _ in outcome.failed} if report is None else {Path(p).name for p, _ in report.failed}
            for name, backup in accepted.items():
                target = self.upload_dir / name
                if name in failed:
                    if backup is not None:
                        os.replace(backup, target)
                    else:
                        target.unlink(missing_ok=True)
                elif backup is not None:
                    backup.unlink(missing_ok=True)
        if report is not None:
            outcome.added, outcome.updated, outcome.unchanged = report.added, report.updated, report.unchanged
            outcome.failed.extend((Path(p).name, reason) for p, reason in report.failed)
            outcome.summary = report.summary()
        return outcome

    def correct(self, document: str, user: str | None = None, **fields: str | None) -> str:
        """A user's correction of a document's metadata (see granska.index.corrections); returns
        a Swedish message. Raises KeyError for an unknown document, CorrectionError for bad values,
        Forbidden for anyone but an editor."""
        actor = self._editor(user)
        with self._write_lock:
            correction, report = self._archive_writer().correct(document, user=actor, **fields)
            self.engine.refresh()
        fields_text = ", ".join(f"{k}: {v}" for k, v in correction.items())
        if report is None:
            return f"Rättat {document} ({fields_text}); filen saknas på disken, så rättelsen gäller nästa inläsning."
        return f"Rättat {document} ({fields_text})."

    def remove(self, document: str, user: str | None = None) -> bool:
        """Remove a document from the archive; a file this app uploaded is deleted from disk too.
        Editors only (Forbidden otherwise); audited as `user`'s removal."""
        actor = self._editor(user)
        with self._write_lock:
            record = self.engine.state().documents.get(document)
            removed = self._archive_writer().remove(document, user=actor)
            self.engine.refresh()
        if removed and record is not None:
            path = Path(record.path).resolve()
            if path.parent == self.upload_dir.resolve() and path.is_file():
                path.unlink()
        return removed


# -- HTTP API ------------------------------------------------------------------------------------
class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=2000, description="Frågan, på svenska.")
    filters: dict[str, str | int | None] | None = Field(default=None, description="organisation, report_type, year, document")
    session: str | None = Field(default=None, max_length=128, description="Id för följdfrågor.")
    id: str | None = Field(default=None, max_length=128)


class CorrectionRequest(BaseModel):
    organisation: str | None = Field(default=None, max_length=300, description="T.ex. \"Ålunda kommun, Nämnden för Teknik\".")
    report_type: str | None = Field(default=None, max_length=100, description="T.ex. årsredovisning, månadsrapport.")
    period: str | None = Field(default=None, max_length=40, description="2024, 2024-08 eller 2024-03..2024-08.")


def _outcome_dict(outcome: UploadOutcome) -> dict:
    return {"added": outcome.added, "updated": outcome.updated, "unchanged": outcome.unchanged,
            "failed": [{"document": name, "reason": reason} for name, reason in outcome.failed], "summary": outcome.summary}


def _save_upload(upload: UploadFile, target: Path, limit: int) -> Path:
    """The upload on disk, cut off once past `limit` (enough for the size check to refuse it)."""
    with target.open("wb") as out:
        while len(block := upload.file.read(1 << 20)) and out.tell() <= limit:
            out.write(block)
    return target


def api_router(service: ArchiveService, authorize: Callable[[Request], str | None]) -> APIRouter:
    """The JSON API of DESIGN.md, plus page images and PDFs for the source view, and the writes
    of the Arkiv tab (upload, remove, correct) for editors.

    `authorize` answers 401 to a request without valid credentials (when login is on) and
    returns the user's name (None without login). Handlers are plain `def`s on purpose: FastAPI
    runs them in its thread pool, so concurrent clients are answered in parallel instead of
    blocking the event loop.
    """
    router = APIRouter(prefix="/api", dependencies=[Depends(authorize)])

    def editor(user: str | None = Depends(authorize)) -> str | None:
        """403 for a reader; FastAPI runs `authorize` once per request, so this costs nothing extra."""
        if not service.can_edit(user):
            raise HTTPException(status_code=403, detail=str(Forbidden(user)))
        return user

    def _filters(organisation: str | None, report_type: str | None, year: str | None, document: str | None) -> dict:
        return {"organisation": organisation, "report_type": report_type, "year": year, "document": document}

    @router.post("/ask")
    def ask(body: AskRequest, user: str | None = Depends(authorize)) -> dict:
        """The answer object; `session` in it is the id to send with a follow-up question."""
        try:
            answer = service.ask(body.question, body.filters, body.session, user)
        except ValueError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        if body.id is not None:
            answer["id"] = body.id
        return answer

    def _hits(q: str | None, value: str | None, k: int, filters: dict) -> list[dict]:
        """`q`: the top k passages; `value`: every passage stating the value (k does not apply)."""
        if (q is None) == (value is None):
            raise HTTPException(status_code=422, detail="Ange antingen q (sökning) eller value (ett värde, t.ex. 12,5 mnkr).")
        try:
            return service.find_value(value, filters) if value is not None else service.search(q, k, filters)
        except ValueError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc

    @router.get("/search")
    def search(
        q: str | None = Query(None, min_length=1, max_length=500, description="Sökord eller siffra, t.ex. 12,5"),
        value: str | None = Query(None, min_length=1, max_length=100,
                                  description="Ett värde, t.ex. 12,5 mnkr: alla textstycken som anger det, i vilken enhet, "
                                              "avrundning eller med vilket tecken det än står."),
        k: int = Query(10, ge=1, le=100),
        organisation: str | None = None,
        report_type: str | None = None,
        year: str | None = None,
        document: str | None = None,
    ) -> list[dict]:
        return _hits(q, value, k, _filters(organisation, report_type, year, document))

    @router.get("/search.csv")
    def search_csv(
        q: str | None = Query(None, min_length=1, max_length=500),
        value: str | None = Query(None, min_length=1, max_length=100),
        k: int = Query(50, ge=1, le=500),
        organisation: str | None = None,
        report_type: str | None = None,
        year: str | None = None,
        document: str | None = None,
    ) -> Response:
        hits = _hits(q, value, k, _filters(organisation, report_type, year, document))
        return Response(
            ("\ufeff" + hits_to_csv(hits)).encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="granska-sokresultat.csv"'},
        )

    @router.get("/documents")
    def documents() -> list[dict]:
        return service.documents()

    @router.post("/documents", responses={400: {"description": "Ingen av filerna kunde läsas in."},
                                          403: {"description": "Rollen reader får inte läsa in."}})
    def upload(files: list[UploadFile] = File(description="PDF-, .txt- eller .md-filer (högst 50 MB per fil)."),
               user: str | None = Depends(editor)) -> dict:
        """Read files into the archive (editors); the same checks and ingest as the Arkiv tab. A file
        named like a document in the archive replaces it. Returns added / updated / unchanged /
        failed (with reasons)."""
        with tempfile.TemporaryDirectory(prefix="granska-upload-") as tmp:
            saved = [(_save_upload(f, Path(tmp) / str(i), service.max_upload_bytes), f.filename or "")
                     for i, f in enumerate(files)]
            outcome = service.upload(saved, user=user)
        body = _outcome_dict(outcome)
        if not (outcome.added or outcome.updated or outcome.unchanged):
            raise HTTPException(status_code=400, detail=body)
        return body

    @router.delete("/documents/{name}", responses={403: {"description": "Rollen reader får inte ta bort."},
                                                   404: {"description": "Dokumentet finns inte i arkivet."}})
    def remove(name: str, user: str | None = Depends(editor)) -> dict:
        """Remove a document from the archive (editors)."""
        if not service.remove(name, user=user):
            raise HTTPException(status_code=404, detail=f"{name} finns inte i arkivet (se GET /api/documents).")
        return {"removed": name}

    @router.patch("/documents/{name}", responses={403: {"description": "Rollen reader får inte rätta."},
                                                  404: {"description": "Dokumentet finns inte i arkivet."}})
    def correct(name: str, body: CorrectionRequest, user: str | None = Depends(editor)) -> dict:
        """Correct a document's organisation, report type or period (editors); kept in the archive
        and applied at every later ingest, like `granska docs set`."""
        from granska.index.corrections import CorrectionError

        try:
            message = service.correct(name, user=user, **body.model_dump())
        except KeyError as exc:
            raise HTTPException(status_code=404, detail=f"{name} finns inte i arkivet (se GET /api/documents).") from exc
        except CorrectionError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        return {"document": name, "message": message}

    @router.get("/audit", responses={403: {"description": "Ändringsloggen visas bara för rollen editor."}})
    def audit(limit: int = Query(100, ge=1, le=10_000), user: str | None = Depends(editor)) -> list[dict]:
        """The archive's audit trail, oldest first (the newest `limit` entries): time, user, action,
        document, sha256, changes."""
        return [e.to_dict() for e in service.audit(user, limit)]

    @router.get("/indicators")
    def indicators() -> list[dict]:
        """The indicators that recur across reports, for a menu: name, title, unit and periods."""
        return [
            {"name": s.name, "title": s.title, "unit": s.unit, "reports": len(s.reports),
             "periods": sorted({p.period for p in s.points}), "contradictions": len(s.contradictions)}
            for s in service.indicators()
        ]

    @router.get("/indicators/{name}")
    def indicator(name: str) -> dict:
        """One indicator's values report by report, each with its citation, and its contradictions."""
        found = service.indicator_series(name)
        if found is None:
            raise HTTPException(status_code=404, detail=f"Nyckeltalet {name!r} finns inte i rapporternas indikatortabeller.")
        return found.to_dict()

    @router.get("/page/{document}/{page}.png")
    def page_image(
        document: str,
        page: int,
        highlight: str = Query("", max_length=4000, description="Text att markera på sidan."),
        resolution: int = Query(DEFAULT_RESOLUTION, ge=30, le=MAX_RESOLUTION),
        figure: list[str] = Query([], max_length=100, description="En siffra som den är tryckt (sökträffens `matched`), markeras tydligare."),
    ) -> Response:
        try:
            png = service.page_png(document, page, highlight, resolution, tuple(figure[:20]))
        except PageError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from exc
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=300"})

    @router.get("/pdf/{document}")
    def pdf(document: str) -> FileResponse:
        try:
            path = service.pdf_path(document)
        except PageError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from exc
        media = "application/pdf" if path.suffix.lower() == ".pdf" else "text/plain; charset=utf-8"
        return FileResponse(path, media_type=media, filename=document, content_disposition_type="inline")

    return router
