"""Fit the answer ranking's weights (app/ranking.py) on question files, choosing the regularisation
by cross-validation that holds out one publisher at a time, and write app/weights.json.

For every answerable question the engine's own candidates (`Engine.candidates`, the same path as
`ask`) are labelled: a candidate is right when it comes from a source document of the question and
states an expected figure (figure questions) or most of the expected keywords (why/list). The
model is pairwise logistic regression (each right candidate against each wrong one of the same
question, on feature differences), so its coefficients are directly the linear weights the engine
scores with; it fits corrections to the hand-set weights (their score is a column of its own,
the prior), so the regularisation chosen decides how far the data may move them. The measure is top-1: the share of questions whose best-scored candidate is right.
For each held-out publisher the weights are fitted on the others only; the hand-set weights are
measured on the same folds, and the regularisation with the best mean held-out top-1 is refitted
on all training questions. Question sets marked held out in eval/questions/sets.json are refused
here: what is fitted on them no longer measures a new report.

Usage: python -m granska.eval.fit --store DIR [--questions dev.jsonl --questions real.jsonl]
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from granska import offline
from granska.app.ranking import FEATURES, HAND_SET, WEIGHTS_FILE, score
from granska.eval.run import QUESTIONS_DIR, load_questions, question_sets
from granska.eval.score import expected_figures, figure_in_text, keyword_coverage
from granska.settings import Settings

log = logging.getLogger(__name__)

NAMES = list(FEATURES)
MAX_CANDIDATES = 80  # per question, best first: the ones that compete for the answer
MIN_GAIN = 0.03  # mean held-out top-1 the fitted weights must gain over the hand-set ones to be used
C_GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


@dataclass
class Group:
    """One question's candidates: feature rows and whether each is right."""

    question: str
    publisher: str
    x: np.ndarray  # (n, features)
    y: np.ndarray  # (n,) 1 = right


def label(item: dict, text: str, document: str) -> bool:
    if document not in item.get("source", []):
        return False
    if item["category"] in ("why", "list"):
        coverage = keyword_coverage(item.get("keywords") or [], text)
        return coverage is not None and coverage >= 0.5
    figures = expected_figures(item)
    return bool(figures) and any(figure_in_text(f, text, allow_direction_words=False) for f in figures)


def collect(engine, items: list[dict], publisher_of: dict[str, str]) -> list[Group]:
    groups = []
    for item in items:
        if item["category"] == "unanswerable":
            continue
        _, cands = engine.candidates(item["question"])
        cands = [c for c in cands if c.features][:MAX_CANDIDATES]
        y = np.array([label(item, c.text, c.chunk.document) for c in cands], dtype=int)
        if not len(y) or y.all() or not y.any():
            continue  # nothing to learn: no right candidate retrieved, or no wrong one
        x = np.array([[c.features[n] for n in NAMES] for c in cands], dtype=float)
        publisher = publisher_of.get(item["source"][0], item["source"][0])
        groups.append(Group(item["question"], publisher, x, y))
    return groups


def pairs(groups: list[Group]) -> tuple[np.ndarray, np.ndarray]:
    """Right-minus-wrong feature differences (label 1) and their negatives (label 0)."""
    diffs = []
    for g in groups:
        pos, neg = g.x[g.y == 1], g.x[g.y == 0]
        d = (pos[:, None, :] - neg[None, :, :]).reshape(-1, len(NAMES))
        # every question weighs the same, however many candidates it has
        keep = np.random.default_rng(0).permutation(len(d))[:200]
        diffs.append(d[keep])
    d = np.vstack(diffs)
    return np.vstack([d, -d]), np.concatenate([np.ones(len(d)), np.zeros(len(d))])


_PRIOR_SCALE = 10.0  # the prior's column is scaled up so that regularisation hardly shrinks it


def fit(groups: list[Group], c: float, free: list[str] | None = None) -> dict[str, float]:
    """Weights fitted as corrections to the hand-set ones: the hand-set score is one more column
    (the prior), the features the others, and regularisation pulls the corrections towards zero,
    so a small C keeps the hand-set ranking and a large one lets the data overrule it. Returns
    the combined linear weights (prior weight x hand-set + correction), one number per feature.

    With `free`, only those features get a correction: the others keep their hand-set ratio.
    That is how a new feature is tried: one or two weights fitted on 160 questions, not
    eighteen, so what the folds measure is the feature, not the freedom to overfit."""
    from sklearn.linear_model import LogisticRegression

    x, y = pairs(groups)
    prior = x @ np.array([HAND_SET[n] for n in NAMES]) * _PRIOR_SCALE
    columns = [NAMES.index(n) for n in free] if free else list(range(len(NAMES)))
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=5000)
    model.fit(np.column_stack([prior, x[:, columns]]), y)
    w_prior = model.coef_[0][0] * _PRIOR_SCALE
    corrections = dict.fromkeys(NAMES, 0.0)
    for col, w in zip(columns, model.coef_[0][1:], strict=True):
        corrections[NAMES[col]] = float(w)
    return {n: float(w_prior * HAND_SET[n] + corrections[n]) for n in NAMES}


def top1(groups: list[Group], weights: dict[str, float]) -> float:
    hits = []
    for g in groups:
        scores = [score(dict(zip(NAMES, row, strict=True)), weights) for row in g.x]
        hits.append(int(g.y[int(np.argmax(scores))]))
    return float(np.mean(hits)) if hits else 0.0


def cross_validate(groups: list[Group], free: list[str] | None = None) -> dict:
    publishers = sorted({g.publisher for g in groups})
    folds: dict[str, dict] = {}
    for c in C_GRID:
        for held in publishers:
            train = [g for g in groups if g.publisher != held]
            test = [g for g in groups if g.publisher == held]
            folds.setdefault(held, {"questions": len(test), "hand_set": top1(test, HAND_SET)})
            folds[held][f"C={c}"] = top1(test, fit(train, c, free))
    mean = {c: statistics.mean(folds[p][f"C={c}"] for p in publishers) for c in C_GRID}
    best = max(C_GRID, key=lambda c: (mean[c], -c))
    return {
        "folds": folds,
        "mean_top1": {f"C={c}": round(v, 3) for c, v in mean.items()},
        "hand_set_mean_top1": round(statistics.mean(folds[p]["hand_set"] for p in publishers), 3),
        "chosen_C": best,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--questions", type=Path, action="append")
    parser.add_argument("--out", type=Path, default=WEIGHTS_FILE)
    parser.add_argument("--free", action="append", choices=NAMES,
                        help="fit corrections for these features only (repeatable); default: all")
    args = parser.parse_args(argv)
    offline.apply()  # this module imports no network library at import, so this comes first
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    files = args.questions or [QUESTIONS_DIR / "dev.jsonl", QUESTIONS_DIR / "real.jsonl"]
    manifest = question_sets()
    held = [f.stem for f in files if manifest.get(f.stem, {}).get("held_out")]
    if held:
        raise SystemExit(f"{', '.join(held)} är hållna utanför (eval/questions/sets.json): vikter får inte anpassas på dem.")

    from granska.app.engine import Engine
    from granska.index.registry import Registry

    settings = Settings.from_env(store=args.store)
    engine = Engine(settings)
    registry = Registry(args.store / "registry.json")
    # The publisher is the organisation's top level ("Region Halland" of "Region Halland, Regionkontoret").
    publisher_of = {name: rec.organisation.split(",")[0].strip() for name, rec in registry.documents.items()}
    items = [item for f in files for item in load_questions(f)]
    groups = collect(engine, items, publisher_of)
    log.info("%d questions with right and wrong candidates, publishers: %s", len(groups),
             {p: sum(g.publisher == p for g in groups) for p in sorted({g.publisher for g in groups})})
    cv = cross_validate(groups, args.free)
    weights = fit(groups, cv["chosen_C"], args.free)
    gain = cv["mean_top1"][f"C={cv['chosen_C']}"] - cv["hand_set_mean_top1"]
    result = {
        "_about": "Written by `python -m granska.eval.fit`; read by app/ranking.py. Do not edit by hand.",
        # The fitted weights replace the hand-set ones only when they win by a margin in the
        # held-out folds: the hand-set weights were chosen on these very questions, so a draw
        # or a small gain is no evidence that the fitted ones generalise better.
        "use": "fitted" if gain >= MIN_GAIN else "hand_set",
        "min_gain": MIN_GAIN,
        "weights": {k: round(v, 4) for k, v in weights.items()},
        "trained_on": [f.name for f in files],
        "free": args.free or "all",
        "questions": len(groups),
        "cross_validation": cv,
        "top1_all_training": {"fitted": round(top1(groups, weights), 3), "hand_set": round(top1(groups, HAND_SET), 3)},
    }
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    log.info("held-out top-1 by publisher: %s", json.dumps(cv["folds"], ensure_ascii=False))
    log.info("mean held-out top-1: fitted %s (chosen C=%s), hand-set %s",
             cv["mean_top1"][f"C={cv['chosen_C']}"], cv["chosen_C"], cv["hand_set_mean_top1"])
    log.info("using %s weights; wrote %s", result["use"], args.out)


if __name__ == "__main__":
    main()
