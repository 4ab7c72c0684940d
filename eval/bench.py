"""`granska bench`: ingest throughput, query latency, and how both grow with the archive.

Three measurements, each repeated and reported as the median of the repeats, because the
machines granska runs on are often shared and one run says little:

- `ingest`: the sample archive into a fresh store (wall and CPU time, pages/s, chunks/s), and a
  no-op re-ingest as a user runs it: `granska ingest` in a subprocess, start-up included.
- `query`: one Engine, many questions (the dev set), `ask` and `search` timed per call.
- `scale`: a synthetic archive (`eval/synthetic.py`) ingested incrementally into one store,
  5 -> 50 -> 500 reports; ingest time, store size on disk and query latency at each size.

CPU time is recorded beside wall time: on a loaded machine wall time measures the neighbours as
much as granska, while process CPU time (all threads) stays close to the work done.
Results are JSON (one file per part) and a markdown section rendered from whatever parts exist.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from granska.eval.score import _percentile
from granska.settings import Settings

PARTS = ("ingest", "query", "scale")
MARK_START = "<!-- bench:start -->"
MARK_END = "<!-- bench:end -->"
MAX_CHARS_LADDER: tuple[int | None, ...] = (None, 6000, 4000, 3000, 2000, 1500, 1000, 700)
"""Per-report text caps the scale run tries, longest first, until its estimate fits the budget."""
INGEST_SHARE = 0.7
"""Share of the scale budget given to ingest; the rest is query timing at each size."""


@dataclass
class Clock:
    """Wall and process CPU seconds of one timed block (CPU covers all threads of the process)."""

    wall: float = 0.0
    cpu: float = 0.0


@contextmanager
def timed() -> Iterator[Clock]:
    clock = Clock()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield clock
    finally:
        clock.wall = time.perf_counter() - wall
        clock.cpu = time.process_time() - cpu


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def latency_summary(ms: list[float]) -> dict[str, float | None]:
    """Median and p95 (nearest rank, as in the accuracy report) of one pass's latencies."""
    return {"median_ms": _median(ms), "p95_ms": _percentile(ms, 95) if ms else None, "n": len(ms)}


def machine() -> dict:
    """What the numbers were measured on, including how busy the machine was."""
    model = ""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
        model = found.group(1).strip() if found else ""
    except OSError:
        pass
    ram = None
    try:
        first = Path("/proc/meminfo").read_text(encoding="ascii").splitlines()[0]
        ram = round(int(first.split()[1]) / 1024 / 1024, 1)
    except (OSError, IndexError, ValueError):
        pass
    import torch

    return {
        "cpu_model": model or platform.processor(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "ram_gib": ram,
        "python": platform.python_version(),
        "torch_threads": torch.get_num_threads(),
        "platform": platform.platform(),
        "loadavg": list(os.getloadavg()),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def disk_usage(path: Path) -> int:
    """Bytes allocated on disk under `path`, as `du` counts them (blocks, not file lengths)."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                continue
    return total


def granska_command() -> list[str]:
    """The installed `granska` script next to this interpreter, else the CLI module through it."""
    script = Path(sys.executable).with_name("granska")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from granska.cli import main; main()"]


# --- ingest --------------------------------------------------------------------------------


def bench_ingest(sample: Path, workdir: Path, repeats: int = 3, progress: bool = True) -> dict:
    """Ingest `sample` into `repeats` fresh stores, then time no-op re-ingests of the first one.

    The stores stay in `workdir` (the caller removes it), so a query benchmark can reuse one.
    """
    from tqdm import tqdm

    from granska.index.builder import ArchiveWriter

    runs = []
    for i in tqdm(range(repeats), desc="ingest", disable=not progress):
        settings = Settings.from_env(store=workdir / f"ingest-{i}")
        with timed() as clock:
            report = ArchiveWriter(settings, progress=False).ingest([sample])
        if report.failed:
            raise RuntimeError(f"ingest failed: {report.failed}")
        runs.append({
            "wall_s": clock.wall, "cpu_s": clock.cpu, "report_s": report.seconds,
            "documents": len(report.added), "pages": report.pages, "chunks": report.chunks_added,
            "pages_per_s": report.pages / clock.wall, "chunks_per_s": report.chunks_added / clock.wall,
            "store_bytes": disk_usage(settings.store),
        })
    noop = []
    command = granska_command() + ["ingest", str(sample), "--store", str(workdir / "ingest-0")]
    for _ in tqdm(range(repeats), desc="no-op re-ingest", disable=not progress):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
        if done.returncode != 0 or " 0 tillagda" not in " " + done.stdout:
            raise RuntimeError(f"no-op re-ingest did not run clean: {done.returncode} {done.stdout} {done.stderr}")
        noop.append(elapsed)
    keys = ("wall_s", "cpu_s", "pages_per_s", "chunks_per_s", "store_bytes")
    return {
        "sample": str(sample),
        "repeats": repeats,
        "runs": runs,
        "noop_reingest_s": noop,
        "median": {k: _median([r[k] for r in runs]) for k in keys} | {
            "pages": runs[0]["pages"], "chunks": runs[0]["chunks"], "documents": runs[0]["documents"],
            "noop_reingest_s": _median(noop),
        },
    }


# --- query ---------------------------------------------------------------------------------


def _timed_calls(call: Callable[[str], object], questions: list[str]) -> tuple[list[float], list[float], list]:
    wall, cpu, results = [], [], []
    for question in questions:
        with timed() as clock:
            results.append(call(question))
        wall.append(clock.wall * 1000)
        cpu.append(clock.cpu * 1000)
    return wall, cpu, results


def printed_values(chunks, count: int = 100) -> list[str]:
    """Figures as the archive prints them with a unit ("82,7 mnkr", "402 510 tkr"), spread evenly
    over its distinct printings: what an auditor checking figures would look up."""
    distinct = sorted({f.text for c in chunks for f in c.figures if f.unit and f.value and any(ch.isalpha() or ch == "%" for ch in f.text)})
    step = max(1, len(distinct) // count)
    return distinct[::step][:count]


def query_latency(engine, questions: list[str], repeats: int, desc: str = "query",
                  progress: bool = True, values: list[str] | None = None) -> dict:
    """`repeats` passes of `ask` then `search` over the questions (and `find_value`, every passage
    stating a value, over `values`); each pass summarised, and the median of the passes' medians
    and p95s reported (one slow pass does not decide the result)."""
    from tqdm import tqdm

    passes = []
    for _ in tqdm(range(repeats), desc=desc, disable=not progress):
        ask_wall, ask_cpu, answers = _timed_calls(engine.ask, questions)
        search_wall, search_cpu, _ = _timed_calls(lambda q: engine.search(q, k=10), questions)
        value_wall, value_cpu, _ = _timed_calls(engine.find_value, values or [])
        passes.append({
            "ask": latency_summary(ask_wall) | {"cpu_median_ms": _median(ask_cpu)},
            "search": latency_summary(search_wall) | {"cpu_median_ms": _median(search_cpu)},
            "value": latency_summary(value_wall) | {"cpu_median_ms": _median(value_cpu)},
            "refused": sum(bool(a.refused) for a in answers),
        })

    def across(kind: str, key: str) -> float | None:
        return _median([p[kind][key] for p in passes if p[kind][key] is not None])

    return {
        "questions": len(questions),
        "values": len(values or []),
        "repeats": repeats,
        "passes": passes,
        "median": {
            f"{kind}_{key}": across(kind, key)
            for kind in ("ask", "search", "value") for key in ("median_ms", "p95_ms", "cpu_median_ms")
        } | {"refused": passes[0]["refused"] if passes else None},
    }


def bench_query(settings: Settings, questions: list[str], repeats: int = 3, progress: bool = True) -> dict:
    """Batch-mode latency on a store: engine start-up, the first ask, then timed passes."""
    from granska.app.engine import Engine

    with timed() as start:
        engine = Engine(settings)
    with timed() as first:
        engine.ask(questions[0])
    values = printed_values(engine.state().lexical.chunks)
    with timed() as first_value:
        if values:
            engine.find_value(values[0])  # builds the value index
    return {
        "store": str(settings.store),
        "engine_start_s": start.wall,
        "first_ask_ms": first.wall * 1000,
        "first_value_ms": first_value.wall * 1000,
        **query_latency(engine, questions, repeats, progress=progress, values=values),
    }


# --- scale ---------------------------------------------------------------------------------


def embedding_rate(texts: list[str]) -> float:
    """Chunks per wall second the embedder manages right now (model load not counted)."""
    from granska.index.embed import make_embedder

    embedder = make_embedder(Settings.from_env())
    embedder.get_text_embedding_batch(texts[:2])
    with timed() as clock:
        embedder.get_text_embedding_batch(texts)
    return len(texts) / clock.wall


def plan_scale(templates: list, count: int, budget_s: float, seed: int, scratch: Path) -> dict:
    """Pick the longest per-report text cap whose estimated ingest time fits the budget.

    Chunks per report are counted by parsing and chunking (no embedding) a prefix of the
    archive that cycles through every template; the embedding rate is measured on those chunks.
    Embedding dominates ingest, so estimated seconds = chunks / rate.
    """
    from granska.eval.synthetic import generate
    from granska.ingest.pipeline import process_file

    probe = min(count, 10 * len(templates))
    estimates = []
    texts: list[str] = []
    rate = None
    for cap in MAX_CHARS_LADDER:
        folder = scratch / f"cap-{cap}"
        chunks = [process_file(f, "probe")[1] for f in generate(folder, probe, templates, seed, cap)]
        shutil.rmtree(folder)
        if rate is None:
            texts = [c.embed_text() for doc in chunks for c in doc][:32]
            rate = embedding_rate(texts)
        total = sum(len(c) for c in chunks) / probe * count
        estimates.append({"max_chars": cap, "chunks_per_report": total / count,
                          "chunks": round(total), "estimated_s": total / rate})
        if total / rate <= budget_s * INGEST_SHARE:
            break
    return {"embed_chunks_per_s": rate, "budget_s": budget_s, "estimates": estimates,
            "max_chars": estimates[-1]["max_chars"]}


def bench_scale(sample: Path, workdir: Path, sizes: tuple[int, ...] = (5, 50, 500), questions: tuple[str, ...] = (),
                repeats: int = 3, budget_minutes: float = 25.0, seed: int = 20240601,
                max_chars: int | None = None, progress: bool = True,
                on_step: Callable[[dict], None] | None = None) -> dict:
    """Grow one store through `sizes` synthetic reports; measure each step.

    `max_chars` None means: choose it from the budget (see `plan_scale`). `on_step` gets the
    result so far after every size, so a long run on a busy machine leaves its finished steps
    behind even if it is stopped before the largest size.
    """
    from granska.app.engine import Engine
    from granska.eval.synthetic import generate, load_templates
    from granska.index.builder import ArchiveWriter
    from granska.ingest.pipeline import discover

    sizes = tuple(sorted(sizes))
    templates = load_templates(discover([sample]))
    plan = (plan_scale(templates, sizes[-1], budget_minutes * 60, seed, workdir / "plan")
            if max_chars is None else {"max_chars": max_chars})
    files = generate(workdir / "reports", sizes[-1], templates, seed, plan["max_chars"])
    settings = Settings.from_env(store=workdir / "store")
    steps: list[dict] = []
    result = {"seed": seed, "templates": [t.stem for t in templates], "plan": plan, "sizes": list(sizes),
              "steps": steps}
    for size in sizes:
        with timed() as clock:
            report = ArchiveWriter(settings, progress=progress).ingest(files[:size])
        if report.failed:
            raise RuntimeError(f"synthetic ingest failed: {report.failed[:3]}")
        engine = Engine(settings)
        engine.ask(questions[0])  # warm-up: the first call pays for lazy loading
        latency = query_latency(engine, list(questions), repeats, desc=f"query @ {size}", progress=progress)
        steps.append({
            "reports": size,
            "added": len(report.added),
            "chunks_added": report.chunks_added,
            "chunks_total": sum(r.chunks for r in engine.state().documents.values()),
            "ingest_wall_s": clock.wall,
            "ingest_cpu_s": clock.cpu,
            "store_bytes": disk_usage(settings.store),
            "loadavg": list(os.getloadavg()),
            **latency,
        })
        del engine
        if on_step is not None:
            on_step(result)
    return result


# --- output --------------------------------------------------------------------------------


def save(out: Path, part: str, result: dict) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{part}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def load_results(out: Path) -> dict[str, dict]:
    return {part: json.loads((out / f"{part}.json").read_text(encoding="utf-8"))
            for part in PARTS if (out / f"{part}.json").exists()}


def _f(value: float | None, fmt: str = "{:.0f}") -> str:
    return "–" if value is None else fmt.format(value)


def _ratio(a: float | None, b: float | None) -> str:
    return "–" if not a or not b else f"{a / b:.1f}×"


def to_markdown(results: dict[str, dict]) -> str:
    """The measured tables (whatever parts `results` holds), with the machine each ran on."""
    lines: list[str] = []
    for part, result in results.items():
        m = result["machine"]
        lines.append(
            f"- `{part}`: {m['date']}, {m['cpu_model']}, {m['usable_cores']} cores, {m['ram_gib']} GiB RAM, "
            f"Python {m['python']}, torch threads {m['torch_threads']}, load average at start "
            f"{' / '.join(f'{x:.1f}' for x in m['loadavg'])} (1/5/15 min)"
        )
    if "ingest" in results:
        r = results["ingest"]
        med = r["median"]
        lines += [
            "", f"### Ingest: sample archive ({med['documents']} PDFs, {med['pages']} pages, {med['chunks']} chunks), "
            f"median of {r['repeats']}", "",
            "| measure | median | runs |", "|---|---|---|",
            f"| wall time, fresh store | {_f(med['wall_s'], '{:.1f}')} s | {', '.join(_f(x['wall_s'], '{:.1f}') for x in r['runs'])} |",
            f"| CPU time (all threads) | {_f(med['cpu_s'], '{:.1f}')} s | {', '.join(_f(x['cpu_s'], '{:.1f}') for x in r['runs'])} |",
            f"| pages/s (wall) | {_f(med['pages_per_s'], '{:.2f}')} | {', '.join(_f(x['pages_per_s'], '{:.2f}') for x in r['runs'])} |",
            f"| chunks/s (wall) | {_f(med['chunks_per_s'], '{:.2f}')} | {', '.join(_f(x['chunks_per_s'], '{:.2f}') for x in r['runs'])} |",
            f"| store on disk | {_f(med['store_bytes'] / 2**20, '{:.1f}')} MiB | |",
            f"| no-op re-ingest, `granska ingest` subprocess (start-up included) | {_f(med['noop_reingest_s'], '{:.2f}')} s | "
            f"{', '.join(f'{x:.2f}' for x in r['noop_reingest_s'])} |",
        ]
    if "query" in results:
        r = results["query"]
        med = r["median"]
        lines += [
            "", f"### Query latency: {r['questions']} dev questions, one Engine, {r['repeats']} passes "
            "(median of the passes' medians and p95s)", "",
            f"Engine start-up {r['engine_start_s']:.1f} s; first `ask` (lazy loading) {r['first_ask_ms']:.0f} ms; "
            f"{med['refused']} of {r['questions']} questions refused.", "",
            "| call | median ms | p95 ms | CPU median ms |", "|---|---|---|---|",
            f"| `engine.ask` | {_f(med['ask_median_ms'])} | {_f(med['ask_p95_ms'])} | {_f(med['ask_cpu_median_ms'])} |",
            f"| `engine.search` (k=10) | {_f(med['search_median_ms'])} | {_f(med['search_p95_ms'])} | {_f(med['search_cpu_median_ms'])} |",
        ]
        if med.get("value_median_ms") is not None:
            lines.append(
                f"| `engine.find_value` (every passage stating one of {r['values']} printed values; "
                f"index built on first use in {r['first_value_ms']:.0f} ms) | {_f(med['value_median_ms'], '{:.1f}')} | "
                f"{_f(med['value_p95_ms'], '{:.1f}')} | {_f(med['value_cpu_median_ms'], '{:.1f}')} |")
    if "scale" in results:
        r = results["scale"]
        steps = r["steps"]
        plan = r["plan"]
        cap = plan["max_chars"]
        lines += [
            "", f"### Scale: synthetic archive (seed {r['seed']}), ingested incrementally into one store", "",
            "Each report is one sample report re-issued for another period with its figures scaled "
            f"(`eval/synthetic.py`), text capped at {cap if cap else 'no limit of'} characters per report.",
        ]
        if "estimates" in plan:
            est = "; ".join(
                f"{e['max_chars'] or 'full'} chars: {e['chunks_per_report']:.1f} chunks/report, ~{e['estimated_s'] / 60:.0f} min"
                for e in plan["estimates"])
            lines.append(
                f"The cap was chosen before the run: embedding measured at {plan['embed_chunks_per_s']:.2f} chunks/s, "
                f"budget {plan['budget_s'] / 60:.0f} min ({INGEST_SHARE:.0%} for ingest); estimates: {est}.")
        lines += [
            "", "| reports | chunks | ingest step wall s | ingest step CPU s | store MiB | ask median ms | ask p95 ms "
            "| search median ms | search p95 ms | refused | load (1 min) |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for s in steps:
            med = s["median"]
            lines.append(
                f"| {s['reports']} | {s['chunks_total']} "
                f"(+{s['chunks_added']}) | {s['ingest_wall_s']:.1f} | {s['ingest_cpu_s']:.1f} "
                f"| {s['store_bytes'] / 2**20:.1f} | {_f(med['ask_median_ms'])} | {_f(med['ask_p95_ms'])} "
                f"| {_f(med['search_median_ms'])} | {_f(med['search_p95_ms'])} | {med['refused']}/{s['questions']} "
                f"| {s['loadavg'][0]:.1f} |"
            )
        missing = [size for size in r.get("sizes", []) if size not in {s["reports"] for s in steps}]
        if missing:
            lines += ["", f"Not measured (the run had not reached them when this was written): {', '.join(map(str, missing))} reports."]
        if len(steps) >= 2:
            first, last = steps[0], steps[-1]
            lines += ["", f"Ratios {last['reports']} vs {first['reports']} reports: "
                      f"store size {_ratio(last['store_bytes'], first['store_bytes'])}, "
                      f"ask median {_ratio(last['median']['ask_median_ms'], first['median']['ask_median_ms'])}, "
                      f"ask p95 {_ratio(last['median']['ask_p95_ms'], first['median']['ask_p95_ms'])}, "
                      f"search median {_ratio(last['median']['search_median_ms'], first['median']['search_median_ms'])}, "
                      f"search p95 {_ratio(last['median']['search_p95_ms'], first['median']['search_p95_ms'])}; "
                      f"ingest CPU per chunk {_ratio(last['ingest_cpu_s'] / max(last['chunks_added'], 1), first['ingest_cpu_s'] / max(first['chunks_added'], 1))}."]
    return "\n".join(lines).strip() + "\n"


def update_doc(doc: Path, section: str) -> None:
    """Replace the text between the bench markers in `doc` (append the markers if absent), so a
    regeneration keeps every section others wrote."""
    block = f"{MARK_START}\n{section.rstrip()}\n{MARK_END}"
    text = doc.read_text(encoding="utf-8") if doc.exists() else ""
    if MARK_START in text and MARK_END in text:
        head, rest = text.split(MARK_START, 1)
        text = head + block + rest.split(MARK_END, 1)[1]
    else:
        text = (text.rstrip() + "\n\n" if text.strip() else "") + block + "\n"
    doc.write_text(text, encoding="utf-8")
