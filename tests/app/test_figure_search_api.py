"""Figure search over HTTP: `GET /api/search?value=` lists every passage stating a value, the
CSV export carries the figure as printed, and the page image marks it (a real uvicorn server)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.app.test_web_api import api, server  # noqa: F401  (the real server fixtures)

pytestmark = pytest.mark.slow

OCT_2020 = "halland-regionkontoret-manadsrapport-2020-10.pdf"


def test_value_lists_every_passage_with_the_figure_as_printed(api, engine):  # noqa: F811
    hits = api.get("/api/search", params={"value": "402,5 mnkr"}).json()
    assert hits and hits[0]["document"] == OCT_2020
    assert "-402 510 tkr" in hits[0]["matched"] and hits[0]["exact"] is True
    assert len(hits) == len(engine.find_value("402,5 mnkr"))
    assert all(h["matched"] for h in hits)
    assert {"document", "period", "page", "page_label", "section", "text"} <= set(hits[0])


def test_value_search_filters_and_errors(api):  # noqa: F811
    only = api.get("/api/search", params={"value": "13,6 mnkr", "year": "2020"}).json()
    assert only and all(h["period"].startswith("2020") for h in only)
    assert api.get("/api/search", params={"value": "inget tal"}).status_code == 400
    assert api.get("/api/search", params={"q": "prognos", "value": "82,7 mnkr"}).status_code == 422


def test_search_hits_carry_the_matched_figure(api):  # noqa: F811
    hits = api.get("/api/search", params={"q": "13 600 tkr", "k": 5}).json()
    assert hits[0]["matched"] and "13,6" in hits[0]["matched"][0]
    assert all("matched" in h for h in hits)  # the field is always there, empty when no value is quoted


def test_csv_export_carries_the_figure_as_printed(api):  # noqa: F811
    for params in ({"value": "402,5 mnkr"}, {"q": "402,5 mnkr", "k": 3}):
        lines = api.get("/api/search.csv", params=params).content.decode("utf-8-sig").splitlines()
        assert lines[0].split(";")[-1] == "siffra"
        assert lines[1].split(";")[-1] == "-402 510 tkr", lines[1]


def test_the_page_image_marks_the_figure(api):  # noqa: F811
    """The matched figure is drawn over in the figure colour: the image differs from the plain page
    exactly around the figure, and is the same image without `figure`."""
    hit = api.get("/api/search", params={"value": "402,5 mnkr"}).json()[0]
    url = f"/api/page/{hit['document']}/{hit['page']}.png"
    plain = Image.open(io.BytesIO(api.get(url).content)).convert("RGB")
    marked = Image.open(io.BytesIO(api.get(url, params={"figure": hit["matched"]}).content)).convert("RGB")
    assert plain.size == marked.size
    diff = [(x, y) for x in range(0, plain.width, 2) for y in range(0, plain.height, 2)
            if plain.getpixel((x, y)) != marked.getpixel((x, y))]
    assert diff, "no mark drawn"
    xs, ys = [x for x, _ in diff], [y for _, y in diff]
    assert max(xs) - min(xs) < plain.width / 4 and max(ys) - min(ys) < plain.height / 20  # one figure, not the page
