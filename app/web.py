"""The web app: a Swedish Gradio UI (chat, search, indicators, archive) and the HTTP API, in one server.

Gradio is mounted on a FastAPI app so that the JSON API of DESIGN.md (`/api/...`) and the UI are
served by one uvicorn process on one port, and both go through the same `ArchiveService`.
Safe by default: it binds to 127.0.0.1, never opens a share tunnel or sends analytics, and asks
for a login when `GRANSKA_AUTH` names a users file (granska.app.users: roles and scrypt hashes,
written by `granska users add`). With login on, only editors see and may use the Arkiv tab's
upload, removal and correction, and the audit trail.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import logging
import os
import tempfile
from html import escape
from pathlib import Path
from typing import Any, Callable, Iterator

import anyio
import gradio as gr
from fastapi import FastAPI, HTTPException, Request
from starlette.routing import Mount

from granska.app.indicators import IndicatorPoint, IndicatorSeries
from granska.app.pages import PageError
from granska.app.users import User, authenticate, load_users
from granska.app.webapi import (
    MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES, ArchiveService, Forbidden, api_router, hits_to_csv, snippet_html,
)

log = logging.getLogger(__name__)

EXAMPLES = [
    "Vad prognostiserar Regionkontoret för 2020 i oktoberrapporten?",
    "Hur hög var sjukfrånvaron i februari 2020?",
    "Varför är prognosen förbättrad sedan augusti?",
]
_ALL = ("Alla", "")
_STREAM_STEPS = 12
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
AUDIT_ROWS = 50

CSS = """
.cite-card {border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;
            margin-bottom: 8px; background: var(--background-fill-secondary);}
.cite-head {font-weight: 600;}
.cite-n {display: inline-block; min-width: 2em; font-weight: 700; color: var(--color-accent);}
.cite-meta {font-size: 0.9em; opacity: 0.85;}
.cite-text {font-size: 0.9em; margin: 6px 0 4px 0; padding-left: 8px;
            border-left: 3px solid var(--color-accent); white-space: pre-wrap;}
mark {background: #ffe066; color: inherit; padding: 0 1px;}
"""


# -- rendering helpers ---------------------------------------------------------------------------
def pdf_link(document: str, page: int) -> str:
    """A relative link (works behind a reverse proxy prefix) that opens the PDF at the cited page."""
    from urllib.parse import quote

    return f"api/pdf/{quote(document)}#page={int(page)}"


def citation_cards(citations: list[dict]) -> str:
    """Numbered source cards: report, organisation, period, printed page, section and the passage."""
    if not citations:
        return "<p class='cite-meta'>Inga källor ännu. Ställ en fråga så visas de citerade textstyckena här.</p>"
    cards = []
    for c in citations:
        text = " ".join(c["text"].split())
        short = text if len(text) <= 600 else text[:600] + " …"
        cards.append(
            f"<div class='cite-card' id='kalla-{c['n']}'>"
            f"<div class='cite-head'><span class='cite-n'>[{c['n']}]</span>{escape(c['document'])}</div>"
            f"<div class='cite-meta'>{escape(c['organisation'])} · {escape(c['report_type'])} {escape(c['period'])}"
            f" · s. {escape(str(c['page_label']))} (PDF-sida {c['page']})"
            f"{' · ' + escape(c['section']) if c['section'] else ''}{' · tabell' if c['kind'] == 'table' else ''}</div>"
            f"<div class='cite-text'>{escape(short)}</div>"
            f"<a href='{escape(pdf_link(c['document'], c['page']))}' target='_blank' rel='noopener'>"
            f"Öppna PDF:en på sidan {c['page']}</a></div>"
        )
    return "".join(cards)


def chat_text(answer: dict) -> str:
    """The answer as the chat shows it: the text with its [n] markers, then a short source list."""
    lines = [answer["answer"]]
    if answer["citations"]:
        sources = "; ".join(f"[{c['n']}] {c['document']}, s. {c['page_label']}" for c in answer["citations"])
        lines.append(f"\n**Källor:** {sources}")
    lines.extend(f"\n_Obs: {w}_" for w in answer.get("warnings", []))
    return "\n".join(lines)


def progressive(text: str, steps: int = _STREAM_STEPS) -> Iterator[str]:
    """Growing prefixes of the text, cut at word boundaries, to stream the answer into the chat."""
    words = text.split(" ")
    size = max(1, len(words) // steps)
    for end in range(size, len(words), size):
        yield " ".join(words[:end])
    yield text


def page_view(service: ArchiveService, document: str, page: int, passage: str, figures: list[str] | None = None) -> tuple[Any, str]:
    """The page image with the passage marked (and a searched figure more strongly), and a
    caption with the PDF link (or why not)."""
    from PIL import Image

    link = f"<a href='{escape(pdf_link(document, page))}' target='_blank' rel='noopener'>Ladda ner PDF:en (sida {page})</a>"
    try:
        png = service.page_png(document, page, passage, figures=tuple(figures or ()))
    except PageError as exc:
        return None, f"<p>{escape(str(exc))}</p>"
    marked = "det citerade textstycket är markerat i gult"
    if figures:
        marked += f", siffran ({escape(', '.join(figures))}) i orange"
    caption = f"<p><b>{escape(document)}</b>, PDF-sida {page}; {marked}. {link}</p>"
    return Image.open(io.BytesIO(png)), caption


# -- indicators over time -------------------------------------------------------------------------
_CHART_SCALES = (("mnkr", 1e6), ("tkr", 1e3), ("kr", 1.0))
_POINT_COLOUR = "#1f5f99"
_CLASH_COLOUR = "#c0392b"


def _axis_unit(points: list[IndicatorPoint], unit: str) -> tuple[str, float]:
    """The axis label and divisor: money in the largest of mnkr/tkr/kr the values reach, like the reports."""
    if unit == "kr":
        largest = max((abs(p.value) for p in points), default=0.0)
        return next(((name, scale) for name, scale in _CHART_SCALES if largest >= scale), ("kr", 1.0))
    return {"%": ("procent", 1.0), "procentenheter": ("procentenheter", 1.0)}.get(unit, ("värde", 1.0))


def indicator_chart(series: IndicatorSeries) -> Any:
    """The series as a PNG line chart (PIL image): one line per organisation through each report's
    first value; contradictory values drawn as red crosses, so both readings of a report are seen.

    Rendered server-side with matplotlib's object API (no pyplot state, safe across threads) so the
    page needs no charting script from a CDN. Values in another unit than the series' are left out
    of the chart (the table lists and marks them).
    """
    from datetime import date

    from matplotlib.dates import DateFormatter
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter
    from PIL import Image

    unit = series.unit
    shown = [p for p in series.points if p.unit == unit]
    if not shown:
        return None
    axis_label, scale = _axis_unit(shown, unit)
    fig = Figure(figsize=(9, 4.2), dpi=100)
    ax = fig.add_subplot()
    when = {p.period_end: date(p.period_end // 100, p.period_end % 100, 1) for p in shown}
    organisations = list(dict.fromkeys(p.organisation for p in shown))
    for i, organisation in enumerate(organisations):
        first: dict[str, IndicatorPoint] = {}
        for p in shown:
            if p.organisation == organisation:
                first.setdefault(p.document, p)
        line = sorted(first.values(), key=lambda p: p.period_end)
        colour = _POINT_COLOUR if i == 0 else f"C{i}"
        ax.plot([when[p.period_end] for p in line], [p.value / scale for p in line], marker="o", color=colour,
                label=organisation, zorder=2)
        for p in line:
            if not p.contradictory:
                ax.annotate(p.formatted, (when[p.period_end], p.value / scale), textcoords="offset points",
                            xytext=(0, 8), ha="center", fontsize=8)
    clashes = [p for p in shown if p.contradictory]
    if clashes:
        ax.scatter([when[p.period_end] for p in clashes], [p.value / scale for p in clashes], marker="X", s=90,
                   color=_CLASH_COLOUR, label="Motstridigt värde", zorder=3)
        for p in clashes:
            ax.annotate(f"{p.formatted} ({p.page_ref})", (when[p.period_end], p.value / scale),
                        textcoords="offset points", xytext=(8, -3), fontsize=8, color=_CLASH_COLOUR)
    ax.set_xticks(sorted(set(when.values())))
    ax.xaxis.set_major_formatter(DateFormatter("%Y-%m"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}".replace(".", ",")))  # decimal comma
    ax.margins(x=0.15, y=0.2)
    ax.set_ylabel(axis_label)
    ax.set_title(series.title)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, frameon=False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return Image.open(io.BytesIO(buffer.getvalue()))


def indicator_rows(series: IndicatorSeries) -> list[list[Any]]:
    """One table row per value, with its citation and what the chart does with it."""
    rows = []
    for p in series.points:
        if p.contradictory:
            note = "Motstridigt värde"
        elif p.unit != series.unit:
            note = "Annan enhet, visas inte i diagrammet"
        else:
            note = ""
        rows.append([p.period, p.formatted, p.text, p.label, p.column, p.document, p.page_ref.removeprefix("s. "), note])
    return rows


def indicator_summary(series: IndicatorSeries) -> str:
    """The line above the chart: how many values from which reports, then each contradiction."""
    periods = sorted({p.period for p in series.points})
    lines = [f"**{escape(series.title)}**: {len(series.points)} värden ur {len(series.reports)} rapporter "
             f"({periods[0]} – {periods[-1]})."]
    lines.extend(f"⚠️ {escape(c.message)}" for c in series.contradictions)
    return "\n\n".join(lines)


def _filters(organisation: str, report_type: str, year: str) -> dict:
    return {"organisation": organisation or None, "report_type": report_type or None, "year": year or None}


def _dropdowns(choices: dict[str, list[str]]) -> list[gr.Dropdown]:
    return [
        gr.Dropdown([_ALL, *choices["organisation"]], value="", label="Organisation", scale=2),
        gr.Dropdown([_ALL, *choices["report_type"]], value="", label="Rapporttyp", scale=1),
        gr.Dropdown([_ALL, *choices["year"]], value="", label="År", scale=1),
    ]


def _document_rows(docs: list[dict]) -> list[list[Any]]:
    return [
        [d["document"], d["organisation"], d["report_type"], d["period"], _provenance_text(d.get("provenance") or {}),
         d["pages"], d["chunks"], d["ingested_at"][:10]]
        for d in docs
    ]


def _provenance_text(provenance: dict) -> str:
    """Where each inferred field was read and how sure it is, so users see what to correct."""
    labels = {"organisation": "organisation", "report_type": "typ", "period": "period"}
    return "; ".join(f"{labels[k]}: {v['confidence']} ({v['source']})" for k, v in provenance.items() if k in labels)


# -- the UI ---------------------------------------------------------------------------------------
def build_blocks(service: ArchiveService) -> gr.Blocks:
    """The Gradio UI: Chatt (staff), Sök (journalists, auditors), Nyckeltal över tid, Arkiv (documents, upload, remove)."""
    choices = service.filter_choices()
    with gr.Blocks(title="granska – rapportarkivet", analytics_enabled=False) as demo:
        gr.Markdown(
            "# granska\nFrågor och sökning i arkivet av uppföljningsrapporter. "
            "Varje siffra i svaren har en numrerad källa [n] som går att öppna på sin sida i rapporten."
        )
        with gr.Tabs():
            # ---- Chatt ----
            with gr.Tab("Chatt", id="chatt"):
                session = gr.State(None)
                citations = gr.State([])
                with gr.Row():
                    with gr.Column(scale=3):
                        with gr.Row():
                            chat_filters = _dropdowns(choices)
                        chatbot = gr.Chatbot(
                            label="Samtal", height=480, elem_id="chatbot", feedback_options=None,
                            placeholder="Ställ en fråga om rapporterna, t.ex. om prognos, sjukfrånvaro eller avvikelser.",
                        )
                        with gr.Row():
                            question = gr.Textbox(
                                label="Fråga", placeholder="Skriv din fråga och tryck Enter …", scale=5, elem_id="fraga",
                                autofocus=True,
                            )
                            send = gr.Button("Skicka", variant="primary", scale=1, elem_id="skicka")
                        clear = gr.Button("Nytt samtal", size="sm")
                        gr.Examples(EXAMPLES, inputs=[question], label="Exempelfrågor")
                    with gr.Column(scale=2):
                        gr.Markdown("### Källor")
                        cards = gr.HTML(citation_cards([]), elem_id="kallor")
                        source_pick = gr.Radio([], label="Visa källans sida", elem_id="visa-kalla")
                        source_image = gr.Image(
                            label="Citerad sida", type="pil", format="png", interactive=False, elem_id="kallsida",
                            buttons=["download", "fullscreen"], height=640,
                        )
                        source_caption = gr.HTML("", elem_id="kallsida-text")

            # ---- Sök ----
            with gr.Tab("Sök", id="sok"):
                hits_state = gr.State([])
                with gr.Row():
                    query = gr.Textbox(label="Sök", placeholder="Ord, fras eller exakt siffra, t.ex. 82,7 eller 119 695",
                                       scale=4, elem_id="sokruta")
                    k = gr.Slider(1, 50, value=10, step=1, label="Antal träffar", scale=1)
                    search_btn = gr.Button("Sök", variant="primary", scale=1, elem_id="sokknapp")
                with gr.Row():
                    search_filters = _dropdowns(choices)
                search_status = gr.Markdown("", elem_id="sokstatus")
                results = gr.Dataframe(
                    headers=["Nr", "Dokument", "Period", "Sida", "Avsnitt", "Utdrag"],
                    datatype=["number", "str", "str", "str", "str", "html"],
                    interactive=False, wrap=True, elem_id="sokresultat",
                    column_widths=["5%", "22%", "8%", "6%", "17%", "42%"],
                )
                export = gr.DownloadButton("Exportera till CSV", interactive=False, elem_id="exportera")
                gr.Markdown("Klicka på en träff för att se sidan i rapporten.")
                hit_image = gr.Image(label="Sidan med träffen", type="pil", format="png", interactive=False,
                                     elem_id="traffsida", buttons=["download", "fullscreen"], height=900)
                hit_caption = gr.HTML("")

            # ---- Nyckeltal över tid ----
            with gr.Tab("Nyckeltal över tid", id="nyckeltal"):
                gr.Markdown(
                    "Nyckeltal som rapporternas indikatortabeller redovisar i flera rapporter. "
                    "Varje värde visas med rapport och sida; klicka på en rad för att se sidan."
                )
                indicator_points = gr.State([])
                indicator_pick = gr.Dropdown([], value=None, label="Nyckeltal", elem_id="nyckeltal-val")
                indicator_info = gr.Markdown("", elem_id="nyckeltal-info")
                indicator_image = gr.Image(label="Nyckeltalet över tid", type="pil", format="png", interactive=False,
                                           elem_id="nyckeltal-diagram", buttons=["download", "fullscreen"])
                indicator_table = gr.Dataframe(
                    headers=["Period", "Värde", "Tryckt", "Radrubrik", "Kolumn", "Dokument", "Sida", "Anmärkning"],
                    interactive=False, wrap=True, elem_id="nyckeltal-tabell",
                    column_widths=["8%", "10%", "10%", "18%", "12%", "26%", "5%", "11%"],
                )
                indicator_page = gr.Image(label="Sidan med värdet", type="pil", format="png", interactive=False,
                                          elem_id="nyckeltal-sida", buttons=["download", "fullscreen"], height=900)
                indicator_caption = gr.HTML("", elem_id="nyckeltal-sida-text")

            # ---- Arkiv ----
            with gr.Tab("Arkiv", id="arkiv"):
                archive_info = gr.Markdown("")
                docs_table = gr.Dataframe(
                    headers=["Dokument", "Organisation", "Rapporttyp", "Period", "Härledd ur (säkerhet)", "Sidor", "Textstycken", "Inläst"],
                    interactive=False, wrap=True, elem_id="dokument",
                    column_widths=["20%", "15%", "9%", "7%", "34%", "5%", "5%", "5%"],
                )
                access_note = gr.Markdown("", elem_id="behorighet")
                # Hidden until the page-load handler has seen the user's role (editors, or anyone without login).
                with gr.Row(visible=False) as editor_tools:
                    with gr.Column():
                        gr.Markdown(
                            f"### Läs in rapporter\nPDF, .txt eller .md, högst {MAX_UPLOAD_BYTES // (1024 * 1024)} MB per fil. "
                            "En fil med samma namn som ett befintligt dokument ersätter det."
                        )
                        upload_files = gr.File(label="Filer", file_count="multiple", file_types=list(UPLOAD_SUFFIXES),
                                               type="filepath", elem_id="ladda-upp")
                        upload_btn = gr.Button("Läs in", variant="primary", elem_id="las-in")
                        upload_status = gr.Markdown("", elem_id="inlasning")
                    with gr.Column():
                        gr.Markdown("### Ta bort ett dokument")
                        remove_pick = gr.Dropdown(choices["document"], value=None, label="Dokument", elem_id="ta-bort")
                        remove_btn = gr.Button("Ta bort ur arkivet", variant="stop", elem_id="ta-bort-knapp")
                        remove_status = gr.Markdown("", elem_id="borttagning")
                    with gr.Column():
                        gr.Markdown("### Rätta metadata\nTomt fält lämnas som det är. Rättelsen sparas i arkivet och gäller vid varje ny inläsning.")
                        correct_pick = gr.Dropdown(choices["document"], value=None, label="Dokument", elem_id="ratta-dokument")
                        correct_org = gr.Textbox(label="Organisation", placeholder="Ålunda kommun, Nämnden för Teknik", elem_id="ratta-organisation")
                        correct_type = gr.Textbox(label="Rapporttyp", placeholder="årsredovisning", elem_id="ratta-typ")
                        correct_period = gr.Textbox(label="Period", placeholder="2024, 2024-08 eller 2024-03..2024-08", elem_id="ratta-period")
                        correct_btn = gr.Button("Spara rättelse", elem_id="ratta-knapp")
                        correct_status = gr.Markdown("", elem_id="rattelse")
                with gr.Column(visible=False) as audit_box:
                    gr.Markdown(f"### Ändringslogg\nDe senaste {AUDIT_ROWS} ändringarna av arkivet, nyast först "
                                "(hela loggen: `granska docs log`).")
                    audit_table = gr.Dataframe(
                        headers=["Tid (UTC)", "Användare", "Händelse", "Dokument", "SHA-256", "Ändringar"],
                        interactive=False, wrap=True, elem_id="andringslogg",
                        column_widths=["13%", "10%", "8%", "25%", "12%", "32%"],
                    )

        archive_outputs = [archive_info, docs_table, remove_pick, correct_pick, *chat_filters, *search_filters]

        def archive_state() -> list[Any]:
            """Fresh archive listing and filter menus: on page load and after every upload or removal."""
            docs = service.documents()
            now = service.filter_choices()
            pages = sum(d["pages"] for d in docs)
            chunks = sum(d["chunks"] for d in docs)
            info = f"Arkivet har **{len(docs)} dokument** ({pages} sidor, {chunks} textstycken)."

            def menu(key: str) -> gr.Dropdown:
                return gr.Dropdown(choices=[_ALL, *now[key]])

            return [info, _document_rows(docs), gr.Dropdown(choices=now["document"], value=None),
                    gr.Dropdown(choices=now["document"], value=None), menu("organisation"), menu("report_type"), menu("year"),
                    menu("organisation"), menu("report_type"), menu("year")]

        def audit_rows(request: gr.Request) -> list[list[Any]]:
            """The newest audit entries first, for an editor (nobody else is shown the table)."""
            if not service.can_edit(request.username):
                return []
            return [[e.time.replace("T", " ").removesuffix("+00:00"), e.user, e.action, e.document, (e.sha256 or "")[:12],
                     e.changes_text()] for e in reversed(service.audit(request.username, AUDIT_ROWS))]

        def access_view(request: gr.Request) -> list[Any]:
            """The Arkiv tab as the user's role allows: editors get the write tools and the audit trail."""
            editor = service.can_edit(request.username)
            if not service.users:
                note = ""
            elif editor:
                note = f"Inloggad som **{escape(request.username)}** (editor)."
            else:
                note = (f"Inloggad som **{escape(request.username or '')}** (reader): du kan fråga, söka, visa och exportera. "
                        "Att läsa in, ta bort och rätta dokument kräver rollen editor.")
            return [note, gr.Row(visible=editor), gr.Column(visible=editor), audit_rows(request)]

        # -- chat events --
        def respond(message: str, history: list[dict], session_id: str | None, organisation: str, report_type: str,
                    year: str, request: gr.Request) -> Iterator[tuple]:
            """Answer in the chat, streaming the text; the session id (issued by the service to the
            logged-in user, see granska.app.sessions) lets the engine resolve follow-ups."""
            message = (message or "").strip()
            if not message:
                raise gr.Error("Skriv en fråga först.")
            session_id = service.sessions.claim(session_id, request.username)
            history = [*(history or []), {"role": "user", "content": message},
                       {"role": "assistant", "content": "Söker i arkivet …"}]
            yield history, "", session_id, gr.skip(), gr.skip(), gr.skip()
            try:
                answer = service.ask(message, _filters(organisation, report_type, year), session_id, request.username)
            except ValueError as exc:
                history[-1]["content"] = str(exc)
                yield history, "", session_id, [], citation_cards([]), gr.Radio(choices=[], value=None)
                return
            for partial in progressive(chat_text(answer)):
                history[-1]["content"] = partial
                yield history, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            picks = [(f"[{c['n']}] {c['document']}, s. {c['page_label']}", c["n"]) for c in answer["citations"]]
            yield (history, gr.skip(), session_id, answer["citations"], citation_cards(answer["citations"]),
                   gr.Radio(choices=picks, value=None))

        chat_inputs = [question, chatbot, session, *chat_filters]
        chat_outputs = [chatbot, question, session, citations, cards, source_pick]
        question.submit(respond, chat_inputs, chat_outputs, api_visibility="private")
        send.click(respond, chat_inputs, chat_outputs, api_visibility="private")

        def new_conversation() -> tuple:
            return [], None, [], citation_cards([]), gr.Radio(choices=[], value=None), None, ""

        clear.click(new_conversation, None, [chatbot, session, citations, cards, source_pick, source_image, source_caption],
                    api_visibility="private")

        def show_source(n: int | None, cited: list[dict]) -> tuple:
            chosen = next((c for c in cited if c["n"] == n), None)
            if chosen is None:
                return None, ""
            return page_view(service, chosen["document"], chosen["page"], chosen["text"])

        source_pick.change(show_source, [source_pick, citations], [source_image, source_caption], api_visibility="private")

        # -- search events --
        exports = tempfile.TemporaryDirectory(prefix="granska-csv-")

        def export_csv(hits: list[dict]) -> str:
            """The results as a CSV file named by its content, so repeated searches reuse one file
            and the folder (removed with the app) stays small."""
            text = hits_to_csv(hits)
            path = Path(exports.name) / f"granska-sok-{hashlib.sha1(text.encode()).hexdigest()[:12]}.csv"
            path.write_text(text, encoding="utf-8-sig")
            return str(path)

        def run_search(text: str, count: float, organisation: str, report_type: str, year: str) -> tuple:
            text = (text or "").strip()
            if not text:
                raise gr.Error("Skriv något att söka efter.")
            hits = service.search(text, int(count), _filters(organisation, report_type, year))
            rows = [[i, h["document"], h["period"], h["page_label"], h["section"],
                     snippet_html(h["text"], text, figures=h.get("matched"))]
                    for i, h in enumerate(hits, 1)]
            status = f"**{len(hits)} träffar** för *{escape(text)}*." if hits else f"Inga träffar för *{escape(text)}*."
            export_file = export_csv(hits) if hits else None
            return (status, rows, hits, gr.DownloadButton(value=export_file, interactive=bool(hits)), None, "")

        search_inputs = [query, k, *search_filters]
        search_outputs = [search_status, results, hits_state, export, hit_image, hit_caption]
        query.submit(run_search, search_inputs, search_outputs, api_visibility="private")
        search_btn.click(run_search, search_inputs, search_outputs, api_visibility="private")

        def show_hit(hits: list[dict], evt: gr.SelectData) -> tuple:
            row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
            if not isinstance(row, int) or not 0 <= row < len(hits):
                return None, ""
            hit = hits[row]
            return page_view(service, hit["document"], hit["page"], hit["text"], hit.get("matched"))

        results.select(show_hit, [hits_state], [hit_image, hit_caption], api_visibility="private")

        # -- indicator events --
        def indicator_menu() -> gr.Dropdown:
            """The indicators the archive holds now: on page load and after every upload or removal."""
            return gr.Dropdown(choices=[(s.title, s.name) for s in service.indicators()])

        def show_indicator(name: str | None) -> tuple:
            found = service.indicator_series(name) if name else None
            if found is None:
                return "", None, [], [], None, ""
            points = [p.to_dict() for p in found.points]
            return (indicator_summary(found), indicator_chart(found), indicator_rows(found), points, None, "")

        indicator_pick.change(show_indicator, [indicator_pick],
                              [indicator_info, indicator_image, indicator_table, indicator_points, indicator_page,
                               indicator_caption], api_visibility="private")

        def show_indicator_source(points: list[dict], evt: gr.SelectData) -> tuple:
            row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
            if not isinstance(row, int) or not 0 <= row < len(points):
                return None, ""
            point = points[row]
            return page_view(service, point["document"], point["page"], point["row"])

        indicator_table.select(show_indicator_source, [indicator_points], [indicator_page, indicator_caption],
                               api_visibility="private")

        # -- archive events --
        def upload(files: list[str] | None, request: gr.Request, progress: gr.Progress = gr.Progress()) -> list[Any]:
            """Ingest uploads with a progress bar; every failure is reported with the file's name."""
            if not service.can_edit(request.username):
                raise gr.Error(str(Forbidden(request.username)))
            if not files:
                raise gr.Error("Välj en eller flera filer att läsa in.")
            total = len(files)
            done: list[str] = []
            progress((0, total), desc="Läser in …", unit="filer")

            def on_file(name: str) -> None:
                done.append(name)
                progress((len(done), total), desc=f"Inläst: {name}", unit="filer")

            outcome = service.upload([(Path(f), Path(f).name) for f in files], on_file=on_file, user=request.username)
            lines = []
            for label, names in (("Tillagda", outcome.added), ("Uppdaterade", outcome.updated),
                                 ("Oförändrade", outcome.unchanged)):
                if names:
                    lines.append(f"**{label}:** " + ", ".join(names))
            lines.extend(f"**Misslyckades:** {name}: {reason}" for name, reason in outcome.failed)
            if outcome.summary:
                lines.append(outcome.summary)
            return ["\n\n".join(lines), None, *archive_state()]

        uploaded = upload_btn.click(upload, [upload_files], [upload_status, upload_files, *archive_outputs],
                                    api_visibility="private", concurrency_id="archive-write", concurrency_limit=1)
        uploaded.then(indicator_menu, None, [indicator_pick], api_visibility="private")
        uploaded.then(audit_rows, None, [audit_table], api_visibility="private")

        def remove(document: str | None, request: gr.Request) -> list[Any]:
            if not document:
                raise gr.Error("Välj ett dokument att ta bort.")
            try:
                removed = service.remove(document, user=request.username)
            except Forbidden as exc:
                raise gr.Error(str(exc)) from exc
            message = f"Borttaget: {document}" if removed else f"{document} finns inte längre i arkivet."
            return [message, *archive_state()]

        removed = remove_btn.click(remove, [remove_pick], [remove_status, *archive_outputs], api_visibility="private",
                                   concurrency_id="archive-write", concurrency_limit=1)
        removed.then(indicator_menu, None, [indicator_pick], api_visibility="private")
        removed.then(audit_rows, None, [audit_table], api_visibility="private")

        def correct(document: str | None, organisation: str, report_type: str, period: str, request: gr.Request) -> list[Any]:
            from granska.index.corrections import CorrectionError

            if not document:
                raise gr.Error("Välj ett dokument att rätta.")
            try:
                message = service.correct(document, user=request.username, organisation=organisation or None,
                                          report_type=report_type or None, period=period or None)
            except KeyError:
                message = f"{document} finns inte längre i arkivet."
            except (CorrectionError, Forbidden) as exc:
                raise gr.Error(str(exc)) from exc
            return [message, "", "", "", *archive_state()]

        corrected = correct_btn.click(correct, [correct_pick, correct_org, correct_type, correct_period],
                                      [correct_status, correct_org, correct_type, correct_period, *archive_outputs],
                                      api_visibility="private", concurrency_id="archive-write", concurrency_limit=1)
        corrected.then(audit_rows, None, [audit_table], api_visibility="private")

        demo.load(archive_state, None, archive_outputs, api_visibility="private")
        demo.load(indicator_menu, None, [indicator_pick], api_visibility="private")
        demo.load(access_view, None, [access_note, editor_tools, audit_box, audit_table], api_visibility="private")

        # -- the API for gradio_client --
        def chat(question: str, session: str = "", organisation: str = "", report_type: str = "", year: str = "",
                 request: gr.Request = None) -> dict:
            """Ställ en fråga; returnerar svarsobjektet (svar, numrerade källor, siffror) med `session`: skicka den med en följdfråga."""
            try:
                return service.ask(question, _filters(organisation, report_type, year), session or None,
                                   request.username if request else None)
            except ValueError as exc:
                raise gr.Error(str(exc)) from exc

        gr.api(chat, api_name="chat")

    demo.queue(default_concurrency_limit=8)
    return demo


# -- authentication -------------------------------------------------------------------------------
def _authorizer(users: dict[str, User], app: FastAPI) -> Callable[[Request], str | None]:
    """API access: open when no users are configured (returns None), else the user's name from
    HTTP Basic or the UI's login cookie, or 401.

    The cookie is accepted so that links from the logged-in UI (the cited PDF) work without a
    second login; it is looked up in the mounted Gradio app, the only holder of login tokens.
    """

    def authorize(request: Request) -> str | None:
        if not users:
            return None
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                name, _, password = base64.b64decode(header[6:], validate=True).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                name, password = "", ""
            if authenticate(users, name, password) is not None:
                return name
        gradio_app = getattr(app.state, "gradio_app", None)
        if gradio_app is not None:
            cookie_id = gradio_app.cookie_id
            token = request.cookies.get(f"access-token-{cookie_id}") or request.cookies.get(f"access-token-unsecure-{cookie_id}")
            name = gradio_app.tokens.get(token) if token else None
            if name in users:
                return name
        raise HTTPException(status_code=401, detail="Inloggning krävs (HTTP Basic med en användare ur GRANSKA_AUTH).",
                            headers={"WWW-Authenticate": 'Basic realm="granska"'})

    return authorize


def _login(users: dict[str, User]) -> Callable:
    """Gradio's login check. Async, with the scrypt hash in a worker thread, so the ~50 ms a check
    costs never blocks the event loop that serves everyone else."""

    async def check(name: str, password: str) -> bool:
        return await anyio.to_thread.run_sync(authenticate, users, name, password) is not None

    return check


# -- the server -----------------------------------------------------------------------------------
def build_app(engine, users: dict[str, User] | None = None) -> FastAPI:
    """The FastAPI app: `/api/...` routes, with the Gradio UI mounted at `/`.

    The Gradio Blocks are at `app.state.blocks` and the shared service at `app.state.service`.
    API routes are added before the mount so that `/api/...` is never swallowed by the UI.
    """
    service = ArchiveService(engine, users)
    app = FastAPI(title="granska", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    app.include_router(api_router(service, _authorizer(users or {}, app)))
    blocks = build_blocks(service)
    app = gr.mount_gradio_app(
        app,
        blocks,
        path="/",
        auth=_login(users) if users else None,
        auth_message="Logga in för att använda granska." if users else None,
        max_file_size=MAX_UPLOAD_BYTES,
        ssr_mode=False,
        footer_links=["api"],
        css=CSS,
    )
    app.state.blocks = blocks
    app.state.service = service
    app.state.gradio_app = next(r.app for r in app.routes if isinstance(r, Mount))
    return app


def serve(engine, host: str = "127.0.0.1", port: int = 7860, users: dict[str, User] | None = None) -> None:
    """Run the app with uvicorn (no share tunnel, no analytics); login when `users` is given
    (default: the users file GRANSKA_AUTH names).

    The offline switches are applied here too, for a program that serves the app itself: the ones
    read at launch and per request (NO_PROXY for Gradio's self-check) take effect; the ones
    libraries read at import need `granska.offline.apply()` before this module is imported, as
    the `granska chat` command does.
    """
    import uvicorn

    from granska import offline

    offline.apply()

    users = load_users(os.environ.get("GRANSKA_AUTH")) if users is None else users
    if host not in _LOOPBACK and not users:
        log.warning("granska lyssnar på %s utan inloggning; sätt GRANSKA_AUTH till en användarfil.", host)
    uvicorn.run(build_app(engine, users), host=host, port=port, log_level="info", access_log=False)
