"""The `granska` command line (typer). Heavy modules are imported inside the commands that need
them, so `granska --help` and a no-op re-ingest start fast."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer

from granska import offline

app = typer.Typer(
    help="granska: frågor och sökning i ett arkiv av svenska uppföljningsrapporter, med källhänvisningar.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
docs_app = typer.Typer(help="Lista, rätta eller ta bort dokument i arkivet.", no_args_is_help=False, invoke_without_command=True)
app.add_typer(docs_app, name="docs")
users_app = typer.Typer(help="Användare för inloggningen (GRANSKA_AUTH): roller och lösenord.", no_args_is_help=True)
app.add_typer(users_app, name="users")

StoreOpt = Annotated[
    Optional[Path],
    typer.Option("--store", help="Arkivets mapp (annars GRANSKA_STORE, annars en mapp per användare).", show_default=False),
]
ChromaOpt = Annotated[
    Optional[str],
    typer.Option("--chroma-url", help="Chroma-server, t.ex. http://127.0.0.1:8000 (annars GRANSKA_CHROMA_URL).", show_default=False),
]
FilterOpt = Annotated[
    Optional[list[str]],
    typer.Option("--filter", help="Filter NAMN=VÄRDE: organisation, report_type, year, document. Kan upprepas.", show_default=False),
]


def _settings(store: Path | None, chroma_url: str | None = None):
    from granska.settings import Settings

    return Settings.from_env(store=store, chroma_url=chroma_url)


def _parse_filters(values: list[str] | None) -> dict:
    filters: dict[str, object] = {}
    for item in values or []:
        if "=" not in item:
            raise typer.BadParameter(f"{item!r}: skriv filter som NAMN=VÄRDE, t.ex. year=2020")
        key, value = item.split("=", 1)
        key = key.strip()
        if key not in ("organisation", "report_type", "year", "document"):
            raise typer.BadParameter(f"okänt filter {key!r}: använd organisation, report_type, year eller document")
        filters[key] = int(value) if key == "year" and value.strip().isdigit() else value.strip()
    return filters


@contextmanager
def _reported(*codes: tuple[type[BaseException] | tuple[type[BaseException], ...], int]) -> Iterator[None]:
    """Errors a command reports by their message and an exit code (first match wins), not a traceback."""
    try:
        yield
    except Exception as exc:
        code = next((code for kinds, code in codes if isinstance(exc, kinds)), None)
        if code is None:
            raise
        typer.echo(str(exc), err=True)
        raise typer.Exit(code) from exc


def _engine(store: Path | None, chroma_url: str | None = None):
    from granska.app.engine import Engine

    from granska.index.store import StoreError

    settings = _settings(store, chroma_url)
    registry = settings.store / "registry.json"
    if not registry.exists():  # the registry lives in the store folder with a Chroma server too
        typer.echo(
            f"Arkivet i {settings.store} är tomt: kör först `granska ingest MAPP --store {settings.store}`.", err=True
        )
        raise typer.Exit(2)
    try:
        return Engine(settings)
    except StoreError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Visa loggmeddelanden.")] = False) -> None:
    """Runs before every command, so the offline switches are set before a command imports
    chromadb, gradio, huggingface_hub or llama-index (this module imports none of them)."""
    offline.apply()
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="PDF-, .txt- eller .md-filer eller mappar (rekursivt).")],
    store: StoreOpt = None,
    chroma_url: ChromaOpt = None,
    keep_missing: Annotated[bool, typer.Option("--keep-missing", help="Behåll dokument vars filer har försvunnit ur mapparna.")] = False,
    metadata: Annotated[Optional[Path], typer.Option("--metadata", help="CSV med rättelser, en rad per dokument: document;organisation;report_type;period (t.ex. 2024 eller 2024-08). Sparas i arkivet och gäller vid varje senare inläsning.", show_default=False)] = None,
) -> None:
    """Läs in rapporter i arkivet (inkrementellt: oförändrade filer hoppas över)."""
    from granska.index.builder import ArchiveWriter, StoreLocked
    from granska.index.corrections import CorrectionError
    from granska.index.store import StoreError

    writer = ArchiveWriter(_settings(store, chroma_url), progress=True)
    if metadata is not None:
        with _reported((StoreLocked, 3), ((OSError, CorrectionError, StoreError), 2)):
            names = writer.read_corrections(metadata)
        typer.echo(f"Metadata rättad för {len(names)} dokument ur {metadata}.")
    with _reported((StoreLocked, 3), ((FileNotFoundError, StoreError), 2)):
        report = writer.ingest(paths, remove_missing=not keep_missing)
    for path, reason in report.failed:
        typer.echo(f"MISSLYCKADES {path}: {reason}", err=True)
    typer.echo(report.summary())
    if report.failed:
        raise typer.Exit(1)


@app.command()
def ask(
    question: Annotated[Optional[str], typer.Argument(help="Frågan, på svenska.", show_default=False)] = None,
    file: Annotated[Optional[Path], typer.Option("--file", help="JSONL med {\"id\", \"question\"} per rad.", show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv svarsobjektet som JSON.")] = False,
    filters: FilterOpt = None,
    store: StoreOpt = None,
    chroma_url: ChromaOpt = None,
) -> None:
    """Ställ en fråga; svaret citerar rapport, sida och avsnitt."""
    if (question is None) == (file is None):
        raise typer.BadParameter("ange antingen en FRÅGA eller --file FIL")
    flt = _parse_filters(filters)
    engine = _engine(store, chroma_url)
    if file is not None:
        with file.open(encoding="utf-8") as fh:
            for line_no, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                    text = item["question"]
                except (json.JSONDecodeError, KeyError) as exc:
                    typer.echo(f"{file}:{line_no}: ogiltig rad ({exc}); väntade {{\"id\", \"question\"}}", err=True)
                    raise typer.Exit(2) from exc
                answer = engine.ask(text, filters=item.get("filters") or flt, id=item.get("id"))
                if as_json:
                    typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False))
                else:
                    typer.echo(_render_text(answer) + "\n")
        return
    answer = engine.ask(question, filters=flt)
    typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2) if as_json else _render_text(answer))


def _render_text(answer) -> str:
    lines = [answer.answer]
    if answer.citations:
        lines.append("")
        lines.append("Källor:")
        for c in answer.citations:
            lines.append(f"[{c.n}] {c.document}, s. {c.page_label or c.page}, {c.section}")
    for warning in answer.warnings:
        lines.append(f"Obs: {warning}")
    return "\n".join(lines)


@app.command()
def search(
    query: Annotated[Optional[str], typer.Argument(help="Sökord, en siffra (\"12,5 mnkr\") eller en fråga.", show_default=False)] = None,
    k: Annotated[int, typer.Option("-k", help="Antal träffar.")] = 10,
    value: Annotated[Optional[str], typer.Option(
        "--value", help="Lista alla textstycken som anger värdet, i vilken enhet, avrundning eller med vilket tecken "
        "det än står (\"12,5 mnkr\" hittar också 12 500 tkr och -12 500).", show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv träffarna som JSON.")] = False,
    filters: FilterOpt = None,
    store: StoreOpt = None,
    chroma_url: ChromaOpt = None,
) -> None:
    """Sök textstycken i arkivet (inget svar, bara träffar). En siffra i sökningen hittar samma
    värde i andra enheter och avrundningar; --value listar alla ställen där värdet står."""
    if (query is None) == (value is None):
        raise typer.BadParameter("Ange antingen en sökning eller --value, t.ex. granska search --value \"12,5 mnkr\".")
    engine = _engine(store, chroma_url)
    if value is not None:
        try:
            matches = engine.find_value(value, filters=_parse_filters(filters))
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        if as_json:
            typer.echo(json.dumps([value_match_to_dict(m) for m in matches], ensure_ascii=False))
            return
        typer.echo(f"{len(matches)} textstycken anger {value}:")
        for i, match in enumerate(matches, 1):
            c = match.chunk
            shown = ", ".join(f.text for f in match.figures)
            typer.echo(f"{i:>3}. {c.document} ({c.period}) s. {c.page_label or c.page} | {c.leaf_section} | {shown}"
                       + ("" if match.exact else " (avrundat)"))
        return
    hits = engine.search(query, k=k, filters=_parse_filters(filters))
    if as_json:
        typer.echo(json.dumps([hit_to_dict(h) for h in hits], ensure_ascii=False))
        return
    for i, hit in enumerate(hits, 1):
        c = hit.chunk
        shown = f" | {', '.join(f.text for f in hit.matched)}" if hit.matched else ""
        typer.echo(f"{i:>2}. {c.document} s. {c.page_label or c.page} | {c.section.split(' > ')[-1]} | {hit.score:.4f}{shown}")
        typer.echo("    " + " ".join(c.text.split())[:200])


def value_match_to_dict(match) -> dict:
    """A passage stating a value: the search hit's fields, the figures as printed, and whether
    they state it at the query's precision (`exact`) or only within their own rounding."""
    from granska.types import Hit

    data = hit_to_dict(Hit(chunk=match.chunk, score=0.0, matched=list(match.figures)))
    data.pop("score")
    data["exact"] = match.exact
    return data


def hit_to_dict(hit) -> dict:
    c = hit.chunk
    return {
        "id": c.id,
        "document": c.document,
        "organisation": c.organisation,
        "report_type": c.report_type,
        "period": c.period,
        "page": c.page,
        "page_label": c.page_label or str(c.page),
        "section": c.leaf_section,
        "section_path": c.section,
        "kind": c.kind,
        "text": c.text,
        "score": round(hit.score, 6),
        "matched": [f.text for f in hit.matched],  # the figures stating a value the query quotes, as printed
        "generation": hit.generation,
    }


@app.command()
def chat(
    host: Annotated[str, typer.Option(help="Adress att lyssna på.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 7860,
    store: StoreOpt = None,
    chroma_url: ChromaOpt = None,
) -> None:
    """Starta chatten (Gradio) och HTTP-API:t på http://HOST:PORT; med inloggning när GRANSKA_AUTH anger en användarfil."""
    import os

    from granska.app.users import UsersFileError, load_users
    from granska.app.web import serve

    with _reported(((UsersFileError, FileNotFoundError), 2)):  # before the engine loads: fail fast
        users = load_users(os.environ.get("GRANSKA_AUTH"))
    serve(_engine(store, chroma_url), host=host, port=port, users=users)


@app.command("eval")
def eval_cmd(
    questions: Annotated[Optional[list[Path]], typer.Option("--questions", help="Frågefil (JSONL), kan upprepas; resultaten redovisas per fil och för de hållna utanför (eval/questions/sets.json). Standard: utvecklingsfrågorna.", show_default=False)] = None,
    out: Annotated[Path, typer.Option("--out", help="Mapp för results.jsonl, summary.json, report.md och diagram.")] = Path("out/eval"),
    config: Annotated[Optional[list[str]], typer.Option("--config", help="hybrid, dense, lexical, baseline (kan upprepas; standard: alla).", show_default=False)] = None,
    store: StoreOpt = None,
    chroma_url: ChromaOpt = None,
) -> None:
    """Kör träffsäkerhetssviten och skriv en rapport."""
    from granska.eval.report import summary_table
    from granska.eval.run import QUESTIONS_DIR, run_eval

    from granska.index.store import StoreError

    settings = _settings(store, chroma_url)
    try:
        result = run_eval(list(questions) if questions else QUESTIONS_DIR / "dev.jsonl", out, settings, config)
    except (ValueError, StoreError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(summary_table(result.summary))
    for name, sets in result.by_set.items():
        if len(sets) > 1:
            rates = ", ".join(f"{s}: {v['overall']['pass_rate']:.0%}" for s, v in sets.items() if v["overall"].get("pass_rate") is not None)
            typer.echo(f"{name} per frågeuppsättning: {rates}")
    typer.echo(f"\nRapport: {out / 'report.md'}")


@app.command("bench")
def bench_cmd(
    parts: Annotated[Optional[list[str]], typer.Argument(help="ingest, query, scale (standard: alla tre).", show_default=False)] = None,
    out: Annotated[Path, typer.Option("--out", help="Mapp för ingest.json, query.json, scale.json och bench.md.")] = Path("out/bench"),
    sample: Annotated[Path, typer.Option("--sample", help="Provarkivet som mäts och som det syntetiska arkivet byggs av.")] = Path("data/sample"),
    store: Annotated[Optional[Path], typer.Option("--store", help="Arkiv med provarkivet inläst, för query (annars läses provarkivet in för mätningen).", show_default=False)] = None,
    repeats: Annotated[int, typer.Option("--repeats", min=1, help="Upprepningar per mätning; medianen redovisas.")] = 3,
    questions: Annotated[Optional[Path], typer.Option("--questions", help="Frågefil (JSONL); standard: utvecklingsfrågorna.", show_default=False)] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Högst så många frågor i query, jämnt spridda över frågefilen (standard: alla).", show_default=False)] = None,
    sizes: Annotated[str, typer.Option("--sizes", help="Arkivstorlekar för scale (antal rapporter), kommaseparerade; provarkivets 5 mäts alltid först som jämförelse. 200 tar ~10 min, 2000 ~1 h på 2 kärnor.")] = "50,500,2000",
    scale_questions: Annotated[int, typer.Option("--scale-questions", min=1, help="Fasta frågor i scale: besvarbara frågor som nämner sitt år, jämnt spridda över frågefilen.")] = 40,
    seed: Annotated[int, typer.Option("--seed", help="Slumpfrö för det syntetiska arkivet.")] = 20240601,
    doc: Annotated[Optional[Path], typer.Option("--doc", help="Skriv tabellerna mellan bench-markeringarna i denna fil, t.ex. docs/benchmarks.md.", show_default=False)] = None,
    work: Annotated[Optional[Path], typer.Option("--work", help="Behåll det syntetiska arkivet och dess lager i denna mapp (standard: en tillfällig mapp som tas bort).", show_default=False)] = None,
) -> None:
    """Mät inläsning, svarstid och hur de växer med arkivet; skriv JSON och en markdowntabell."""
    import tempfile

    from granska.eval import bench
    from granska.eval.run import QUESTIONS_DIR, load_questions

    chosen = parts or list(bench.PARTS)
    unknown = [p for p in chosen if p not in bench.PARTS]
    if unknown:
        raise typer.BadParameter(f"okänd del {unknown}: välj bland {', '.join(bench.PARTS)}")
    try:
        size_list = tuple(int(s) for s in sizes.split(",") if s.strip())
    except ValueError as exc:
        raise typer.BadParameter(f"--sizes {sizes!r}: skriv heltal med komma emellan, t.ex. 5,50,500") from exc
    items = [item["question"] for item in load_questions(questions or QUESTIONS_DIR / "dev.jsonl")]

    def spread(n: int) -> list[str]:
        """`n` questions evenly spread over the file, so every category is represented."""
        return items[:: max(1, len(items) // n)][:n]
    with tempfile.TemporaryDirectory(prefix="granska-bench-") as tmp:
        work = work or Path(tmp)
        if "ingest" in chosen:
            machine = bench.machine()  # before the run: the load it started under
            result = bench.bench_ingest(sample, repeats)
            typer.echo(f"ingest: {bench.save(out, 'ingest', result | {'machine': machine})}")
            typer.echo(f"ingest: granska {result['granska_wall']:.1f} s, sekventiell referens "
                       f"{result['reference_wall']:.1f} s, kvot {result['ratio']:.2f}x")
        if "query" in chosen:
            settings = _settings(store) if store is not None else bench.ingest_store(sample, work / "query-store")
            machine = bench.machine()
            result = bench.bench_query(settings, spread(limit) if limit else items, repeats)
            typer.echo(f"query: {bench.save(out, 'query', result | {'machine': machine})}")
        if "scale" in chosen:
            machine = bench.machine()

            def save_step(partial: dict) -> None:
                bench.save(out, "scale", partial | {"machine": machine})
                _write_bench_report(out, doc)

            from granska.eval.scale import bench_scale, fixed_questions

            fixed = fixed_questions(load_questions(questions or QUESTIONS_DIR / "dev.jsonl"), scale_questions)
            result = bench_scale(sample, work / "scale", size_list, fixed, repeats, seed, on_step=save_step)
            typer.echo(f"scale: {bench.save(out, 'scale', result | {'machine': machine})}")
    typer.echo(_write_bench_report(out, doc))


def _write_bench_report(out: Path, doc: Path | None) -> str:
    """bench.md from every part's JSON in `out`, copied between the markers of `doc` if given."""
    from granska.eval import bench

    markdown = bench.to_markdown(bench.load_results(out))
    (out / "bench.md").write_text(markdown, encoding="utf-8")
    if doc is not None:
        bench.update_doc(doc, markdown)
    return markdown


@docs_app.callback(invoke_without_command=True)
def docs_list(ctx: typer.Context, store: StoreOpt = None, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Lista dokumenten i arkivet (standard)."""
    if ctx.invoked_subcommand is None:
        _list_docs(store, as_json)


@docs_app.command("list")
def docs_list_cmd(store: StoreOpt = None, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Lista dokumenten i arkivet."""
    _list_docs(store, as_json)


def _list_docs(store: Path | None, as_json: bool) -> None:
    from dataclasses import asdict

    from granska.index.registry import Registry

    settings = _settings(store)
    records = sorted(Registry(settings.store / "registry.json").documents.values(), key=lambda r: (r.organisation, r.period_end))
    if as_json:
        typer.echo(json.dumps([asdict(r) | {"period": r.period} for r in records], ensure_ascii=False))
        return
    if not records:
        typer.echo(f"Arkivet i {settings.store} är tomt.")
    for r in records:
        typer.echo(f"{r.document}\t{r.organisation}\t{r.report_type}\t{r.period_start}-{r.period_end}\t{r.chunks} textstycken")
        for name, label in (("organisation", "organisation"), ("report_type", "rapporttyp"), ("period", "period")):
            how = r.provenance.get(name)
            if how:
                typer.echo(f"\t{label}: {how['source']} (säkerhet: {how['confidence']})")


@docs_app.command("set")
def docs_set(
    name: Annotated[str, typer.Argument(help="Dokumentets filnamn (se `granska docs list`).")],
    organisation: Annotated[Optional[str], typer.Option("--organisation", help="Utgivaren, och nämnden/förvaltningen när rapporten är en dels: \"Ålunda kommun, Nämnden för Teknik\".", show_default=False)] = None,
    report_type: Annotated[Optional[str], typer.Option("--report-type", help="T.ex. årsredovisning, delårsrapport, månadsrapport, granskningsrapport.", show_default=False)] = None,
    period: Annotated[Optional[str], typer.Option("--period", help="2024 (helår), 2024-08 (jan-aug) eller 2024-03..2024-08.", show_default=False)] = None,
    store: StoreOpt = None,
    chroma_url: ChromaOpt = None,
) -> None:
    """Rätta ett dokuments organisation, rapporttyp eller period; rättelsen gäller även vid senare inläsningar."""
    from granska.index.builder import ArchiveWriter, StoreLocked
    from granska.index.corrections import CorrectionError
    from granska.index.store import StoreError

    try:
        with _reported((StoreLocked, 3), ((CorrectionError, StoreError), 2)):
            correction, report = ArchiveWriter(_settings(store, chroma_url), progress=False).correct(
                name, organisation=organisation, report_type=report_type, period=period)
    except KeyError as exc:
        typer.echo(f"{name} finns inte i arkivet (se `granska docs list`).", err=True)
        raise typer.Exit(1) from exc
    fields = ", ".join(f"{k}={v}" for k, v in correction.items())
    if report is None:
        typer.echo(f"Rättat {name}: {fields}. Filen finns inte längre där den lästes in; rättelsen gäller nästa gång den läses in.")
    else:
        typer.echo(f"Rättat {name}: {fields}. {report.summary()}")


@docs_app.command("remove")
def docs_remove(name: Annotated[str, typer.Argument(help="Dokumentets filnamn.")], store: StoreOpt = None, chroma_url: ChromaOpt = None) -> None:
    """Ta bort ett dokument ur arkivet (vektorlager, sökindex och register)."""
    from granska.index.builder import ArchiveWriter, StoreLocked
    from granska.index.store import StoreError

    with _reported((StoreLocked, 3), (StoreError, 2)):
        removed = ArchiveWriter(_settings(store, chroma_url), progress=False).remove(name)
    if not removed:
        typer.echo(f"{name} finns inte i arkivet (se `granska docs list`).", err=True)
        raise typer.Exit(1)
    typer.echo(f"Borttaget: {name}")


@docs_app.command("log")
def docs_log(
    store: StoreOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="En JSON-rad per händelse.")] = False,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Bara de senaste N händelserna.", show_default=False)] = None,
) -> None:
    """Visa arkivets ändringslogg (inläsning, uppladdning, borttagning, rättelse): vem, när, vad; äldst först."""
    from granska.index.audit import AuditLog

    settings = _settings(store)
    entries = AuditLog(settings.store).read(limit)
    if as_json:
        for entry in entries:
            typer.echo(json.dumps(entry.to_dict(), ensure_ascii=False))
        return
    if not entries:
        typer.echo(f"Ändringsloggen i {settings.store} är tom.")
    for e in entries:
        typer.echo("\t".join([e.time, e.user, e.action, e.document, (e.sha256 or "-")[:16], e.changes_text()]))


UsersFileOpt = Annotated[
    Optional[Path],
    typer.Option("--users-file", help="Användarfilen (annars GRANSKA_AUTH).", show_default=False),
]


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Användarnamnet (ett ord, utan kolon).")],
    role: Annotated[str, typer.Option("--role", help="reader: fråga, söka, visa, exportera; editor: även läsa in, ta bort och rätta dokument.")],
    users_file: UsersFileOpt = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Läs lösenordet från standard in (första raden) i stället för att fråga.")] = False,
) -> None:
    """Lägg till en användare, eller byt roll och lösenord för en befintlig; lösenordet sparas som scrypt-hash."""
    import os
    import sys

    from granska.app.users import UsersFileError, add_user, check_name, check_role, invalid_lines

    path = users_file or (Path(os.environ["GRANSKA_AUTH"]) if os.environ.get("GRANSKA_AUTH") else None)
    if path is None:
        raise typer.BadParameter("ange --users-file FIL eller sätt GRANSKA_AUTH", param_hint="--users-file")
    with _reported((UsersFileError, 2)):
        check_name(name)
        check_role(role)
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = typer.prompt("Lösenord", hide_input=True, confirmation_prompt="Upprepa lösenordet")
        replaced = add_user(path, name, role, password)
    typer.echo(f"{'Ersatte' if replaced else 'Lade till'} {name} ({role}) i {path}.")
    left = invalid_lines(path)
    if left:
        typer.echo(f"Obs: rad {', '.join(map(str, left))} i {path} har fortfarande lösenord i klartext eller är ogiltiga; "
                   "granska vägrar läsa filen tills de är omgjorda med `granska users add`.", err=True)


def main() -> None:
    app()
