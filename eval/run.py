"""`granska eval`: run a question file through the app's public entry point, per configuration,
score every answer and write results.jsonl, summary.json, report.md and a chart.

Configurations: `hybrid` (the product), `dense` and `lexical` (one retriever each, same answerer),
and `baseline` (llama-index defaults, see baseline.py). All are scored by `eval/score.py` in the
same run, so their numbers compare.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from granska.eval.score import score_question, summarise
from granska.settings import Settings

log = logging.getLogger(__name__)

CONFIGS = ("hybrid", "dense", "lexical", "baseline")
QUESTIONS_DIR = Path(__file__).parent / "questions"


@dataclass
class EvalRun:
    out: Path
    summary: dict  # config -> summarise() output
    by_set: dict = field(default_factory=dict)  # config -> question set (file stem, "held-out") -> summarise()


def load_questions(path: Path) -> list[dict]:
    items = []
    with Path(path).open(encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{line_no}: not a JSON object ({exc})") from exc
    return items


def _hit_passage(hit) -> dict:
    return {"document": hit.chunk.document, "page": hit.chunk.page, "text": hit.chunk.text}


def run_config(name: str, items: list[dict], settings: Settings, progress: bool = True) -> list[dict]:
    """Answers and scores of one configuration; one row per question."""
    from tqdm import tqdm

    rows: list[dict] = []
    if name == "baseline":
        from granska.eval.baseline import NaiveBaseline
        from granska.index.registry import Registry

        registry = Registry(Path(settings.store) / "registry.json")
        files = [Path(r.path) for r in registry.documents.values() if Path(r.path).suffix.lower() == ".pdf"]
        system = NaiveBaseline(files)
        for item in tqdm(items, desc=name, disable=not progress):
            answer, passages = system.ask(item["question"], id=item.get("id"))
            rows.append(_row(name, item, answer, passages))
        return rows
    from granska.app.engine import Engine

    engine = Engine(settings, mode=name)  # type: ignore[arg-type]
    for item in tqdm(items, desc=name, disable=not progress):
        answer = engine.ask(item["question"], id=item.get("id")).to_dict()
        passages = [_hit_passage(h) for h in engine.search(item["question"], k=10)]
        rows.append(_row(name, item, answer, passages))
    return rows


def _row(config: str, item: dict, answer: dict, passages: list[dict]) -> dict:
    return {
        "config": config,
        "item": item,
        "answer": answer,
        "retrieved": [{"document": p["document"], "page": p["page"]} for p in passages],
        "scores": score_question(item, answer, passages),
    }


def question_sets() -> dict[str, dict]:
    """The manifest of question files (eval/questions/sets.json): publishers and whether held out."""
    raw = json.loads((QUESTIONS_DIR / "sets.json").read_text(encoding="utf-8"))
    return {name: value for name, value in raw.items() if not name.startswith("_")}


def run_eval(
    questions: Path | list[Path],
    out: Path,
    settings: Settings,
    configs: list[str] | None = None,
    progress: bool = True,
) -> EvalRun:
    """Every question file through every configuration; results per file ("set") and for the
    held-out sets together, beside the overall numbers, because the dev set measures what the
    rules were developed on and only the held-out sets measure what a new report will get."""
    configs = list(configs or CONFIGS)
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        raise ValueError(f"Okänd konfiguration {unknown}: välj bland {', '.join(CONFIGS)}")
    files = [Path(q) for q in questions] if isinstance(questions, list) else [Path(questions)]
    items = []
    for path in files:
        items += [{**item, "_set": path.stem} for item in load_questions(path)]
    _check_sources(items, settings)
    manifest = question_sets()
    held_out = sorted({i["_set"] for i in items if manifest.get(i["_set"], {}).get("held_out")})
    out.mkdir(parents=True, exist_ok=True)
    summary: dict[str, dict] = {}
    by_set: dict[str, dict[str, dict]] = {}
    with (out / "results.jsonl").open("w", encoding="utf-8") as fh:
        for config in configs:
            rows = run_config(config, items, settings, progress)
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            summary[config] = summarise([r["scores"] for r in rows])
            sets = {name: summarise([r["scores"] for r in rows if r["item"]["_set"] == name])
                    for name in dict.fromkeys(i["_set"] for i in items)}
            if held_out and len(sets) > 1:
                sets["held-out"] = summarise([r["scores"] for r in rows if r["item"]["_set"] in held_out])
            by_set[config] = sets
    meta = {"questions": ", ".join(str(f) for f in files), "n": len(items), "configs": configs,
            "machine": machine_description(), "held_out_sets": held_out,
            "sets": {name: manifest.get(name, {}) for name in dict.fromkeys(i["_set"] for i in items)}}
    (out / "summary.json").write_text(
        json.dumps({"meta": meta, "summary": summary, "by_set": by_set}, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    from granska.eval.report import write_chart, write_report

    write_chart(summary, out / "metrics.png")
    write_report(summary, meta, out / "report.md", chart="metrics.png", by_set=by_set)
    return EvalRun(out=out, summary=summary, by_set=by_set)


def _check_sources(items: list[dict], settings: Settings) -> None:
    """The archive must hold every source document the questions cite, else the run means nothing."""
    from granska.index.registry import Registry

    held = set(Registry(Path(settings.store) / "registry.json").documents)
    needed = {s for item in items for s in item.get("source", [])}
    missing = sorted(needed - held)
    if missing:
        raise ValueError(
            f"Arkivet i {settings.store} saknar {len(missing)} källdokument som frågorna gäller "
            f"({', '.join(missing[:3])}…): läs in dem först med `granska ingest`."
        )


def machine_description() -> str:
    import os
    import platform

    mem = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            kb = int(fh.readline().split()[1])
            mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    return f"{platform.machine()} {platform.processor() or ''} {os.cpu_count()} cores{mem}, Python {platform.python_version()}".replace("  ", " ")
