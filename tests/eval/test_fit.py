"""The ranking fit: pairwise logistic regression over named features, with the hand-set weights as
a prior, and cross-validation that holds out one publisher at a time."""

from __future__ import annotations

import json

import numpy as np

from granska.app import ranking
from granska.eval.fit import NAMES, Group, cross_validate, fit, top1


def _groups(signal: str, publishers: tuple[str, ...] = ("A", "B", "C"), per: int = 12) -> list[Group]:
    """Questions whose right candidate is the one with the `signal` feature set; noise elsewhere."""
    rng = np.random.default_rng(1)
    out = []
    for p in publishers:
        for q in range(per):
            x = rng.uniform(0, 0.5, size=(6, len(NAMES)))
            y = np.zeros(6, dtype=int)
            right = q % 6
            x[right, NAMES.index(signal)] = 1.0
            y[right] = 1
            out.append(Group(f"{p}{q}", p, x, y))
    return out


def test_the_fit_learns_a_signal_the_hand_set_weights_ignore() -> None:
    groups = _groups("unit_match")  # hand-set weight 0.0
    weights = fit(groups, c=10.0)
    assert weights["unit_match"] > 0
    assert top1(groups, weights) > top1(groups, ranking.HAND_SET)


def test_cross_validation_reports_every_held_out_publisher_and_the_hand_set_baseline() -> None:
    cv = cross_validate(_groups("unit_match"))
    assert set(cv["folds"]) == {"A", "B", "C"}
    assert all("hand_set" in fold and fold["questions"] == 12 for fold in cv["folds"].values())
    assert cv["mean_top1"][f"C={cv['chosen_C']}"] >= cv["hand_set_mean_top1"]


def test_weights_file_decides_which_weights_are_used(tmp_path, monkeypatch) -> None:
    path = tmp_path / "weights.json"
    monkeypatch.setattr(ranking, "WEIGHTS_FILE", path)
    fitted = {name: 0.5 for name in ranking.FEATURES}
    for use, expected in (("hand_set", ranking.HAND_SET), ("fitted", fitted)):
        path.write_text(json.dumps({"use": use, "weights": fitted}), encoding="utf-8")
        ranking.fitted_weights.cache_clear()
        assert ranking.fitted_weights() == expected
    ranking.fitted_weights.cache_clear()


def test_a_free_feature_is_fitted_alone_and_the_others_keep_their_hand_set_ratio() -> None:
    groups = _groups("unit_match")
    weights = fit(groups, c=10.0, free=["unit_match"])
    assert weights["unit_match"] > 0
    scale = weights["coverage"] / ranking.HAND_SET["coverage"]
    for name in NAMES:
        if name != "unit_match":
            assert abs(weights[name] - scale * ranking.HAND_SET[name]) < 1e-9, name
    assert top1(groups, weights) > top1(groups, ranking.HAND_SET)
