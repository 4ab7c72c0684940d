"""The scale benchmark's parts: the fixed questions, the archive it grows, one size's measurement."""

from __future__ import annotations

import json
import re
from pathlib import Path

from granska.eval.run import QUESTIONS_DIR, load_questions
from granska.eval.scale import build_archive, fixed_questions, measure_step
from granska.eval.synthetic import load_templates
from granska.ingest.pipeline import process_file
from tests.conftest import TXT

_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def test_the_fixed_questions_are_answerable_and_name_their_year() -> None:
    fixed = fixed_questions(load_questions(QUESTIONS_DIR / "dev.jsonl"))
    assert len(fixed) == 40 and len({item["id"] for item in fixed}) == 40
    assert all(_YEAR.search(item["question"]) for item in fixed)
    assert not {item["category"] for item in fixed} & {"unanswerable", "ambiguous_period"}
    assert len({item["category"] for item in fixed}) >= 4  # spread over the file, not one kind


def test_the_archive_keeps_the_originals_and_their_years_to_them(tmp_path: Path) -> None:
    originals = sorted(TXT.glob("*.txt"))
    templates = load_templates(originals)
    files = build_archive(originals, templates, tmp_path, 40, seed=5)
    assert files[: len(originals)] == originals and len(files) == 40
    years = {t.year for t in templates}
    reissues = files[len(originals):]
    for path in reissues[:8]:
        meta, chunks = process_file(path, "test")
        assert meta.year not in years, path.name
        assert len(chunks) > 10  # full length, not a stub
    places = {t.place for t in templates}
    assert any(not any(p.lower() in path.name for p in places) for path in reissues)  # other organisations
    assert build_archive(originals, templates, tmp_path / "again", 20, seed=5)[5:] == [
        tmp_path / "again" / p.name for p in reissues[:15]]  # a smaller archive is a prefix


def test_one_size_is_measured_by_one_app_instance(sample_store, tmp_path: Path) -> None:
    fixed = fixed_questions(load_questions(QUESTIONS_DIR / "dev.jsonl"), 3)
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in fixed), encoding="utf-8")
    result = measure_step(Path(sample_store.store), questions, 1)
    assert result["passages"] > 200
    assert 100 < result["rss_mb"] < 4000
    assert 0.0 <= result["accuracy"] <= 1.0 and len(result["passed"]) == round(3 * result["accuracy"])
    assert result["median"]["ask_p95_ms"] > 0 and result["median"]["search_p95_ms"] > 0
