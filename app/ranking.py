"""The one scoring model: named features of a candidate statement, combined by fitted weights.

Which sentence or table row answers a question was decided by hand-set bonuses grown question by
question on the dev set. Here each of those signals is a named feature, and their weights are
fitted (eval/fit.py: pairwise logistic regression, regularisation chosen by cross-validation that
holds out a whole publisher at a time) and read from `weights.json` beside this module, together
with the cross-validated result that chose them. A new feature earns its place by that held-out
result, not by one question.

Coverage (the share of the question's idf-weighted words a statement says) stays the refusal
gate in `answer.compose`; the weights only order the candidates.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

WEIGHTS_FILE = Path(__file__).with_name("weights.json")

# name -> what it measures. Features are in [0, 1] or {0, 1}, so weights compare.
FEATURES: dict[str, str] = {
    "coverage": "share of the question's idf-weighted words the statement (or its headings) says",
    "from_report": "share of question words met only by the report's organisation name",
    "rank": "1 / (1 + rank of its passage in the fused retrieval)",
    "dense_rank": "1 / (1 + rank of its passage among the dense hits), 0 if not a dense hit",
    "lexical_rank": "1 / (1 + rank of its passage among the BM25 hits), 0 if not a BM25 hit",
    "figure_asked_has_figure": "a figure or comparison is asked for and the statement states one",
    "figure_asked_no_figure": "a figure is asked for and the statement states none",
    "why_causal": "a why-question, and the statement says a cause (beror på, på grund av, ...)",
    "why_cause_follows": "a why-question, and the next sentence gives the cause (Anledningen är ...)",
    "list_intro": "a list question, and the statement introduces a list (... följande:)",
    "counts": "'hur många X', and a number in the statement counts X",
    "table_asked_row": "the question points at a table, and this is a table row",
    "total_row": "a table row whose label is a total (Totalt, Summa)",
    "whole_year_column": "no period asked, and the row's first figure is a whole year's (Årsprognos, Budget)",
    "row": "a table row rather than a sentence",
    "unit_match": "the question's unit (procent, kronor, a count) is the unit of a figure the statement states",
}

# The hand-set values the engine used before weights were fitted: the comparison point the
# cross-validation reports against, and the fallback when weights.json is absent.
HAND_SET: dict[str, float] = {
    "coverage": 1.0, "from_report": 0.45, "rank": 0.02, "dense_rank": 0.0, "lexical_rank": 0.0,
    "figure_asked_has_figure": 0.1, "figure_asked_no_figure": -0.15, "why_causal": 0.25,
    "why_cause_follows": 0.25, "list_intro": 0.1, "counts": 0.1, "table_asked_row": 0.15,
    "total_row": 0.03, "whole_year_column": 0.03, "row": 0.0, "unit_match": 0.0,
}


@lru_cache(maxsize=1)
def fitted_weights() -> dict[str, float]:
    """The weights in use: weights.json's fitted ones when the fit chose them ("use": "fitted"),
    else the hand-set ones (also when the file is absent)."""
    if not WEIGHTS_FILE.exists():
        return dict(HAND_SET)
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    if data.get("use") != "fitted":
        return dict(HAND_SET)
    return {name: float(data["weights"].get(name, 0.0)) for name in FEATURES}


def score(features: dict[str, float], weights: dict[str, float] | None = None) -> float:
    w = weights if weights is not None else fitted_weights()
    return sum(w.get(name, 0.0) * value for name, value in features.items())
