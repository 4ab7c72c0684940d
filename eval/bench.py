"""`granska bench`: ingest throughput, query latency, and how both grow with the archive.

Three measurements, each repeated and reported as the median of the repeats, because the
machines granska runs on are often shared and one run says little:

- `ingest`: the sample archive into a fresh store against the sequential reference (bare
  pdfplumber text, then embedding), alternating, with peak memory and a no-op re-ingest
  (granska.eval.ingest_bench).
- `query`: one Engine, many questions (the dev set), `ask` and `search` timed per call.
- `scale`: the sample archive grown with full-length synthetic re-issues to the sizes asked
  for, one store; passages, store size, one app instance's memory, latency and the accuracy of
  fixed questions at each size (granska.eval.scale).

CPU time is recorded beside wall time: on a loaded machine wall time measures the neighbours as
much as granska, while process CPU time (all threads) stays close to the work done.
Results are JSON (one file per part) and a markdown section rendered from whatever parts exist.
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
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


def peak_rss_mb() -> float:
    """This process's peak resident memory in MiB (VmHWM).

    Not `getrusage(RUSAGE_SELF).ru_maxrss`: Linux carries that high-water mark across `exec`,
    so a subprocess started by a large benchmark process reports the parent's peak as its own.
    """
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: the best there is


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


# --- ingest --------------------------------------------------------------------------------


def bench_ingest(sample: Path, repeats: int = 3, progress: bool = True) -> dict:
    """granska's ingest against the sequential reference, in one run (granska.eval.ingest_bench)."""
    from granska.eval import ingest_bench

    return ingest_bench.run(sample, repeats, progress)


def ingest_store(sample: Path, store: Path) -> Settings:
    """`sample` ingested into `store` (for a query benchmark that was given no store)."""
    from granska.index.builder import ArchiveWriter

    settings = Settings.from_env(store=store)
    report = ArchiveWriter(settings, progress=False).ingest([sample])
    if report.failed:
        raise RuntimeError(f"ingest failed: {report.failed}")
    return settings


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
        from granska.eval.ingest_bench import render

        r = results["ingest"]
        lines += ["", f"### Ingest: {r['folder']}, granska against the sequential reference, median of {r['repeats']}",
                  "", render(r)]
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
        from granska.eval.scale import to_markdown as scale_markdown

        lines += ["", *scale_markdown(results["scale"])]
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
