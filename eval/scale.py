"""`granska bench scale`: granska on an archive the size a region or kommun keeps.

The archive at each size is the five sample reports (PDFs, as they are) plus full-length
synthetic re-issues of them (`eval/synthetic.py`): other periods, half of them by invented
organisations, every figure changed. No re-issue takes a year an original covers, so each
fixed question (one that names its year) has its answer once in the archive, and what the benchmark asks is
whether hundreds of near-identical reports from other periods and publishers crowd it out.

Embedding 100 000 passages takes hours on 2 cores, so the archive's passages are embedded by
`ReusedEmbedding` (eval/reused_embedding.py): each distinct passage *shape* (its text with digits, month names and the
invented place names masked) is embedded once, for real, and a re-issued copy reuses that
vector. The lexical index, the value index and every answer read the real, changed text; only
the dense vectors of re-issued passages are shared with their original. The output says how
many passages were embedded and how many reused; ingest throughput itself is `bench ingest`'s.

Each size is measured by a fresh app instance in a subprocess (`--step`), so its peak memory
(VmHWM) is one app instance's: engine start-up, a warm-up question, then `repeats`
passes of `ask` and `search` over the fixed questions, and their accuracy (`eval/score.py`).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from granska.settings import Settings

FIXED_QUESTIONS = 40
BASELINE_SIZE = 5  # the sample archive: what the larger archives' accuracy is compared with
OTHER_ORGANISATIONS = 0.5  # share of re-issues published by an invented organisation


def fixed_questions(items: list[dict], count: int = FIXED_QUESTIONS) -> list[dict]:
    """`count` answerable questions that name their year, spread evenly over the file.

    A question that names no period ("hur stor är sjukfrånvaron?") has an answer in every
    re-issue of its report, so only questions naming a year have one answer in the archive.
    """
    named = [item for item in items if item["category"] not in ("unanswerable", "ambiguous_period")
             and re.search(r"(?<!\d)(?:19|20)\d\d(?!\d)", item["question"])]
    if len(named) <= count:
        return named
    return [named[i * len(named) // count] for i in range(count)]


def build_archive(originals: list[Path], templates: list, folder: Path, size: int, seed: int) -> list[Path]:
    """The original reports and `size` minus that many re-issues of their templates, originals
    first; a prefix of a larger archive built with the same seed is this smaller one."""
    from granska.eval.synthetic import generate

    extra = max(0, size - len(originals))
    return originals[:size] + generate(folder, extra, templates, seed, other_organisations=OTHER_ORGANISATIONS,
                                       avoid_years=frozenset(t.year for t in templates))


def measure_step(store: Path, questions_file: Path, repeats: int) -> dict[str, Any]:
    """One app instance on `store`: start-up, latency passes and accuracy of the fixed questions."""
    from granska.app.engine import Engine
    from granska.eval.bench import peak_rss_mb, query_latency
    from granska.eval.run import _hit_passage, load_questions
    from granska.eval.score import score_question

    items = load_questions(questions_file)
    started = time.perf_counter()
    engine = Engine(Settings.from_env(store=store))
    engine.ask(items[0]["question"])  # warm-up: the first call pays for lazy loading
    start_s = time.perf_counter() - started
    latency = query_latency(engine, [item["question"] for item in items], repeats, progress=False)
    passed = []
    for item in items:
        answer = engine.ask(item["question"]).to_dict()
        passages = [_hit_passage(hit) for hit in engine.search(item["question"], k=10)]
        passed.append(bool(score_question(item, answer, passages)["passed"]))
    return {
        "engine_start_s": start_s,
        "passages": len(engine.state().lexical.chunks),
        "rss_mb": peak_rss_mb(),
        "accuracy": sum(passed) / len(passed),
        "passed": [item["id"] for item, ok in zip(items, passed) if ok],
        **latency,
    }


def bench_scale(sample: Path, workdir: Path, sizes: tuple[int, ...], questions: list[dict], repeats: int = 3,
                seed: int = 20240601, progress: bool = True,
                on_step: Callable[[dict], None] | None = None) -> dict[str, Any]:
    """Grow one store through the sample archive (the baseline) and then `sizes`; measure each.

    `on_step` gets the result so far after every size, so a long run leaves its finished sizes
    behind even if it is stopped before the largest.
    """
    from granska.eval.bench import disk_usage
    from granska.eval.reused_embedding import ReusedEmbedding
    from granska.eval.synthetic import PLACES, load_templates
    from granska.index.builder import ArchiveWriter
    from granska.index.embed import make_embedder
    from granska.ingest.pipeline import discover

    sizes = tuple(sorted({BASELINE_SIZE, *sizes}))
    originals = discover([sample])
    templates = load_templates(originals)
    files = build_archive(originals, templates, workdir / "reports", sizes[-1], seed)
    places = tuple(filter(None, (t.place for t in templates))) + PLACES
    fixed = workdir / "questions.jsonl"
    fixed.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in questions), encoding="utf-8")
    settings = Settings.from_env(store=workdir / "store")
    embedder = ReusedEmbedding(make_embedder(settings), places)
    writer = ArchiveWriter(settings, progress=progress, embedder=embedder)
    steps: list[dict] = []
    result = {"seed": seed, "sizes": list(sizes), "questions": [item["id"] for item in questions],
              "other_organisations": OTHER_ORGANISATIONS, "steps": steps}
    for size in sizes:
        started = time.perf_counter()
        report = writer.ingest(files[:size])
        ingest_s = time.perf_counter() - started
        if report.failed:
            raise RuntimeError(f"synthetic ingest failed: {report.failed[:3]}")
        command = [sys.executable, "-m", "granska.eval.scale", "--step", str(settings.store), str(fixed), str(repeats)]
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        step = json.loads(done.stdout.strip().splitlines()[-1])
        med = step["median"]
        steps.append({
            "reports": size,
            "passages": step["passages"],
            "store_mb": disk_usage(settings.store) / 2**20,
            "ingest_step_s": ingest_s,
            "embedded_so_far": embedder.embedded,
            "reused_so_far": embedder.reused,
            "rss_mb": step["rss_mb"],
            "engine_start_s": step["engine_start_s"],
            "ask_p50_ms": med["ask_median_ms"],
            "ask_p95_ms": med["ask_p95_ms"],
            "search_p50_ms": med["search_median_ms"],
            "search_p95_ms": med["search_p95_ms"],
            "accuracy": step["accuracy"],
            "passed": step["passed"],
            "refused": med["refused"],
        })
        if progress:
            print(f"scale {size}: {step['passages']} passages, ask p95 {med['ask_p95_ms']:.0f} ms, "
                  f"search p95 {med['search_p95_ms']:.0f} ms, {step['rss_mb']:.0f} MB, "
                  f"accuracy {step['accuracy']:.0%}", file=sys.stderr)
        if on_step is not None:
            on_step(result)
    return result


def to_markdown(result: dict[str, Any]) -> list[str]:
    """The scale table for bench.md and docs/benchmarks.md."""
    steps = result["steps"]
    lines = [
        f"### Scale: the sample archive plus full-length synthetic re-issues (seed {result['seed']}), one store grown "
        "through the sizes", "",
        f"Re-issues take other periods (never an original's) and, for {result['other_organisations']:.0%} of them, "
        f"invented organisations; figures changed. {len(result['questions'])} fixed questions whose answers exist "
        "once in the archive. Dense vectors of re-issued passages are reused from the first copy of the same "
        "passage shape (see `eval/scale.py`); text, lexical index and answers are each report's own.", "",
        "| reports | passages | store MiB | embedded / reused | ingest step s | app RSS MB | ask p50 ms | ask p95 ms "
        "| search p50 ms | search p95 ms | accuracy |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in steps:
        lines.append(
            f"| {s['reports']} | {s['passages']} | {s['store_mb']:.0f} | {s['embedded_so_far']} / {s['reused_so_far']} "
            f"| {s['ingest_step_s']:.0f} | {s['rss_mb']:.0f} | {s['ask_p50_ms']:.0f} | {s['ask_p95_ms']:.0f} "
            f"| {s['search_p50_ms']:.0f} | {s['search_p95_ms']:.0f} | {s['accuracy']:.0%} |")
    missing = [size for size in result["sizes"] if size not in {s["reports"] for s in steps}]
    if missing:
        lines += ["", f"Not measured (the run had not reached them when this was written): {', '.join(map(str, missing))} reports."]
    if len(steps) >= 2:
        first, last = steps[0], steps[-1]
        lines += ["", f"{last['reports']} against {first['reports']} reports: passages x{last['passages'] / first['passages']:.0f}, "
                  f"ask p95 x{last['ask_p95_ms'] / first['ask_p95_ms']:.1f}, search p95 x{last['search_p95_ms'] / first['search_p95_ms']:.1f}, "
                  f"RSS x{last['rss_mb'] / first['rss_mb']:.1f}, accuracy {100 * (last['accuracy'] - first['accuracy']):+.0f} points."]
    return lines


def main(argv: list[str] | None = None) -> None:
    """`--step STORE QUESTIONS REPEATS`: one size's measurement, printed as one JSON line."""
    from granska import offline

    args = list(sys.argv[1:] if argv is None else argv)
    offline.apply()
    if args[:1] != ["--step"] or len(args) != 4:
        raise SystemExit("usage: python -m granska.eval.scale --step STORE QUESTIONS REPEATS")
    result = measure_step(Path(args[1]), Path(args[2]), int(args[3]))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
