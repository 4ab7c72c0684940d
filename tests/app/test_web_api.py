"""The HTTP API and the gradio_client endpoint of the web app, against a real server.

The app runs under uvicorn in a thread of the test process, on the session's sample archive, so
the network guard in conftest also covers the server: any hidden download by Gradio, FastAPI or
gradio_client fails these tests.
"""

from __future__ import annotations

import http.client
import socket
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

pytestmark = pytest.mark.slow

OCT_2020 = "halland-regionkontoret-manadsrapport-2020-10.pdf"
FORECAST = "Vad prognostiserar Regionkontoret för 2020 i oktoberrapporten?"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(engine):
    """The full app (API + Gradio) on a free loopback port, once for the module."""
    import uvicorn

    from granska.app.web import build_app

    port = _free_port()
    config = uvicorn.Config(build_app(engine), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started:
        assert time.monotonic() < deadline, "the web app did not start within 60 s"
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def api(server):
    with httpx.Client(base_url=server, timeout=120) as client:
        yield client


def _raw_get(base: str, path: str) -> tuple[int, bytes]:
    """GET a path byte for byte: httpx would normalise '..' segments away before sending."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_ask_returns_the_answer_object(api):
    response = api.post("/api/ask", json={"question": FORECAST})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) >= {"question", "answer", "refused", "citations", "figures", "timings_ms"}
    assert body["question"] == FORECAST
    assert not body["refused"]
    assert "82,7 mnkr" in body["answer"]
    assert "[1]" in body["answer"]
    first = body["citations"][0]
    assert first["document"] == OCT_2020
    assert set(first) == {"n", "document", "organisation", "report_type", "period", "page", "page_label", "section", "kind", "text"}
    assert first["n"] == 1 and first["period"] == "2020-10"
    assert any(f["text"].endswith("82,7 mnkr") and f["verified"] for f in body["figures"])


def test_ask_with_filters_and_id(api):
    response = api.post(
        "/api/ask",
        json={"question": "Hur hög var sjukfrånvaron?", "filters": {"organisation": "regionkontoret", "year": 2020}, "id": "q7"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == "q7"
    assert all("2020" in c["period"] for c in body["citations"])


def test_follow_up_uses_its_own_session_only(api):
    first = api.post("/api/ask", json={"question": FORECAST}).json()
    session = first["session"]  # issued by the server
    follow = api.post("/api/ask", json={"question": "och i februari?", "session": session}).json()
    stranger = api.post("/api/ask", json={"question": "och i februari?", "session": "api-b"}).json()
    assert "82,7 mnkr" in first["answer"]
    assert follow["session"] == session
    assert stranger["session"] not in ("api-b", session), "an id the server never issued starts a new session"
    assert not follow["refused"], follow["answer"]
    assert "13,6 mnkr" in follow["answer"]
    assert follow["citations"][0]["document"] == "halland-regionkontoret-manadsrapport-2020-02.pdf"
    assert "13,6" not in stranger["answer"], "another session must not inherit api-a's topic"


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({}, 422),
        ({"question": ""}, 422),
        ({"question": "x" * 5000}, 422),
        ({"question": "Hur hög var sjukfrånvaron?", "filters": {"kommun": "Halmstad"}}, 400),
        ({"question": "   "}, 400),
    ],
)
def test_bad_ask_requests_get_4xx_with_a_message(api, payload, status):
    response = api.post("/api/ask", json=payload)
    assert response.status_code == status, response.text
    assert response.json()["detail"]


def test_search_finds_an_exact_figure(api):
    response = api.get("/api/search", params={"q": "82,7", "k": 5})
    assert response.status_code == 200, response.text
    hits = response.json()
    assert 0 < len(hits) <= 5
    assert hits[0]["document"] == OCT_2020
    assert any("82,7" in h["text"] for h in hits)
    assert set(hits[0]) >= {"document", "period", "page", "page_label", "section", "text", "score"}


def test_search_finds_a_figure_with_a_thousands_space(api):
    hits = api.get("/api/search", params={"q": "119 695"}).json()
    assert any("119 695" in " ".join(h["text"].split()) for h in hits)


def test_search_csv_export(api):
    response = api.get("/api/search.csv", params={"q": "82,7", "k": 3})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("dokument;organisation;")
    assert OCT_2020 in lines[1]


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "x", "k": 0}, {"q": "x", "k": 1000}, {"q": "x", "kommun": "y", "year": "abc"}])
def test_bad_search_requests_get_4xx(api, params):
    response = api.get("/api/search", params=params)
    if params.get("kommun"):  # unknown query params are ignored; a year that matches nothing gives no hits
        assert response.status_code == 200 and response.json() == []
    else:
        assert response.status_code == 422, response.text


def test_documents_lists_the_archive_without_server_paths(api):
    docs = api.get("/api/documents").json()
    assert len(docs) == 5
    oct_2020 = next(d for d in docs if d["document"] == OCT_2020)
    assert oct_2020["organisation"] == "Region Halland, Regionkontoret"
    assert oct_2020["period"] == "2020-10" and oct_2020["chunks"] > 0 and oct_2020["pages"] == 13
    assert all("path" not in d for d in docs)


def test_page_image_with_highlight(api):
    response = api.get(f"/api/page/{OCT_2020}/9.png", params={"highlight": "prognostiserar +33,2 mnkr varav"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")


def test_pdf_download_of_an_archive_document(api):
    response = api.get(f"/api/pdf/{OCT_2020}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


@pytest.mark.parametrize(
    "path",
    [
        "/api/pdf/../../etc/passwd",
        "/api/pdf/..%2F..%2Fetc%2Fpasswd",
        "/api/pdf/%2Fetc%2Fpasswd",
        "/api/pdf/okand-rapport.pdf",
        "/api/page/..%2F..%2Fetc%2Fpasswd/1.png",
        "/api/page/../../etc/passwd/1.png",
        "/api/page/okand-rapport.pdf/1.png",
        f"/api/page/{OCT_2020}/0.png",
        f"/api/page/{OCT_2020}/999.png",
        f"/api/page/{OCT_2020}/-1.png",
        f"/api/page/{OCT_2020}/..%2F..%2Fetc%2Fpasswd.png",
        f"/api/page/{OCT_2020}/1.png?resolution=5000",
    ],
)
def test_files_outside_the_archive_are_refused(server, path):
    status, body = _raw_get(server, path)
    assert 400 <= status < 500, (status, body[:200])
    assert b"root:" not in body and not body.startswith(b"%PDF")


def test_gradio_client_chat_endpoint(server):
    from gradio_client import Client

    client = Client(server + "/", verbose=False)
    try:
        result = client.predict(question=FORECAST, session="client-1", api_name="/chat")
    finally:
        client.close()
    assert "82,7 mnkr" in result["answer"]
    assert result["citations"][0]["document"] == OCT_2020


def test_twenty_concurrent_clients_are_all_answered(server):
    questions = [
        FORECAST,
        "Hur hög var sjukfrånvaron i februari 2020?",
        "Varför är prognosen förbättrad sedan augusti?",
        "Vad är budgetavvikelsen för Regionstyrelsen 2021?",
    ]

    def one(i: int) -> tuple[int, float, dict]:
        start = time.perf_counter()
        with httpx.Client(base_url=server, timeout=300) as client:
            response = client.post("/api/ask", json={"question": questions[i % len(questions)], "session": f"load-{i}"})
        return response.status_code, time.perf_counter() - start, response.json()

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(one, range(20)))
    assert all(status == 200 for status, _, _ in results), [r[0] for r in results]
    assert all(body["answer"] for _, _, body in results)
    latencies = sorted(seconds for _, seconds, _ in results)
    p95 = latencies[int(0.95 * (len(latencies) - 1) + 0.5)]
    print(f"\n/api/ask, 20 concurrent clients: median {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, max {latencies[-1]:.2f} s")


def test_twenty_concurrent_sessions_keep_their_own_follow_up_state(server):
    """Twenty users at once, two topics interleaved: each "och i februari?" follows its own session."""
    topics = [
        (FORECAST, "13,6 mnkr"),  # February's forecast
        ("Hur hög var sjukfrånvaron i oktober 2020?", "2,2%"),  # February's sick leave
    ]

    def ask(client: httpx.Client, question: str, session: str | None) -> dict:
        response = client.post("/api/ask", json={"question": question, "session": session})
        assert response.status_code == 200, response.text
        return response.json()

    def user(i: int) -> tuple[int, dict]:
        question, _ = topics[i % 2]
        with httpx.Client(base_url=server, timeout=300) as client:
            session = ask(client, question, None)["session"]  # the server issues the id
            follow = ask(client, "och i februari?", session)
            assert follow["session"] == session
            return i, follow

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(user, range(20)))
    assert len({follow["session"] for _, follow in results}) == 20
    for i, follow in results:
        expected = topics[i % 2][1]
        other = topics[(i + 1) % 2][1]
        assert expected in follow["answer"], (i, follow["answer"])
        assert other not in follow["answer"], (i, follow["answer"])
        assert follow["citations"][0]["document"] == "halland-regionkontoret-manadsrapport-2020-02.pdf"
