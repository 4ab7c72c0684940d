"""Login, roles, the audit trail and follow-up sessions, through the real app.

`build_app` with a users file written by `granska users add` (one reader, one editor), served by
FastAPI's TestClient, on a throw-away copy of the sample store (the writes here must not reach the
session-wide store other tests read) with its own real Engine, Chroma and embeddings.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient


pytestmark = pytest.mark.slow

TXT = Path(__file__).resolve().parents[1] / "fixtures" / "sample-txt"

READER, EDITOR = ("rita", "läs-bara-lösen"), ("erik", "skriv-också-lösen")
FORECAST = "Vad prognostiserar Regionkontoret för 2020 i oktoberrapporten?"
FEB_FORECAST = "13,6 mnkr"  # the follow-up "och i februari?" answered in the forecast's context
UPLOAD_NAME = "kopia-regionkontoret-2020-02.txt"


@pytest.fixture(scope="module")
def store(sample_store, tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("auth") / "store"
    shutil.copytree(sample_store.store, copy, ignore=shutil.ignore_patterns("*.lock"))
    return copy


@pytest.fixture(scope="module")
def users_file(tmp_path_factory, add_user) -> Path:
    path = tmp_path_factory.mktemp("auth-users") / "users"
    for (name, password), role in ((READER, "reader"), (EDITOR, "editor")):
        done = add_user(path, name, role, password)
        assert done.returncode == 0, done.stderr
    return path


@pytest.fixture(scope="module")
def client(store, users_file):
    from granska.app.engine import Engine
    from granska.app.users import load_users
    from granska.app.web import build_app
    from granska.settings import Settings

    app = build_app(Engine(Settings.from_env(store=store)), load_users(users_file))
    with TestClient(app) as test_client:
        yield test_client


def test_without_credentials_the_api_asks_for_a_login(client) -> None:
    for method, path in (("GET", "/api/documents"), ("POST", "/api/documents"), ("DELETE", "/api/documents/x.pdf"),
                         ("POST", "/api/ask")):
        response = client.request(method, path)
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.headers["www-authenticate"].startswith("Basic")
    assert client.get("/api/documents", auth=(READER[0], "fel-lösenord")).status_code == 401
    assert client.get("/api/documents", auth=("okänd", READER[1])).status_code == 401


def test_a_reader_reads_but_may_not_write(client) -> None:
    docs = client.get("/api/documents", auth=READER)
    assert docs.status_code == 200
    first = docs.json()[0]["document"]
    assert client.get("/api/search", params={"q": "82,7"}, auth=READER).status_code == 200
    assert client.get("/api/search.csv", params={"q": "82,7"}, auth=READER).status_code == 200
    assert client.get(f"/api/pdf/{first}", auth=READER).status_code == 200

    removed = client.delete(f"/api/documents/{first}", auth=READER)
    assert removed.status_code == 403
    assert "editor" in removed.json()["detail"]
    upload = client.post("/api/documents", auth=READER,
                         files=[("files", (UPLOAD_NAME, (TXT / "halland-regionkontoret-manadsrapport-2020-02.txt").read_bytes(), "text/plain"))])
    assert upload.status_code == 403
    assert client.patch(f"/api/documents/{first}", json={"organisation": "X"}, auth=READER).status_code == 403
    assert client.get("/api/audit", auth=READER).status_code == 403
    after = [d["document"] for d in client.get("/api/documents", auth=READER).json()]
    assert first in after and UPLOAD_NAME not in after


def test_an_editor_uploads_corrects_and_removes_and_the_audit_trail_says_who(client, store, granska_cli) -> None:
    content = (TXT / "halland-regionkontoret-manadsrapport-2020-02.txt").read_bytes()
    digest = hashlib.sha256(content).hexdigest()

    upload = client.post("/api/documents", auth=EDITOR, files=[("files", (UPLOAD_NAME, content, "text/plain"))])
    assert upload.status_code == 200, upload.text
    assert upload.json()["added"] == [UPLOAD_NAME]
    assert UPLOAD_NAME in [d["document"] for d in client.get("/api/documents", auth=READER).json()]

    fixed = client.patch(f"/api/documents/{UPLOAD_NAME}", json={"organisation": "Region Halland, Kopian"}, auth=EDITOR)
    assert fixed.status_code == 200, fixed.text
    listed = {d["document"]: d for d in client.get("/api/documents", auth=EDITOR).json()}
    assert listed[UPLOAD_NAME]["organisation"] == "Region Halland, Kopian"
    assert client.patch(f"/api/documents/{UPLOAD_NAME}", json={"period": "augusti"}, auth=EDITOR).status_code == 400

    removed = client.delete(f"/api/documents/{UPLOAD_NAME}", auth=EDITOR)
    assert removed.status_code == 200 and removed.json() == {"removed": UPLOAD_NAME}
    assert UPLOAD_NAME not in [d["document"] for d in client.get("/api/documents", auth=EDITOR).json()]
    assert client.delete(f"/api/documents/{UPLOAD_NAME}", auth=EDITOR).status_code == 404

    # The log file, the CLI and the API all tell who did what, with the file's content hash.
    lines = [json.loads(line) for line in (store / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    mine = [e for e in lines if e["document"] == UPLOAD_NAME]
    assert [(e["user"], e["action"], e["sha256"]) for e in mine] == [
        ("erik", "upload", digest), ("erik", "correct", digest), ("erik", "remove", digest)]
    assert mine[0]["changes"]["sha256"] == [None, digest]
    assert mine[1]["changes"]["organisation"][1] == "Region Halland, Kopian"
    assert all(e["time"].endswith("+00:00") for e in mine)

    shown = granska_cli("docs", "log", "--store", str(store), "--json", "--limit", "3")
    assert shown.returncode == 0, shown.stderr
    assert [json.loads(line) for line in shown.stdout.splitlines()] == mine
    text = granska_cli("docs", "log", "--store", str(store)).stdout
    assert f"erik\tupload\t{UPLOAD_NAME}\t{digest[:16]}" in text

    api = client.get("/api/audit", params={"limit": 3}, auth=EDITOR)
    assert api.status_code == 200 and api.json() == mine


def test_upload_refusals_are_reported_by_name(client) -> None:
    bad = client.post("/api/documents", auth=EDITOR, files=[("files", ("rapport.docx", b"PK\x03\x04", "application/octet-stream"))])
    assert bad.status_code == 400
    assert bad.json()["detail"]["failed"] == [{"document": "rapport.docx", "reason": "bara PDF-, .txt- och .md-filer kan läsas in"}]


def test_the_login_cookie_carries_the_users_role(client) -> None:
    """The chat's login (Gradio's /login with our scrypt check) sets a cookie the API accepts, with that user's role."""
    assert client.post("/login", data={"username": READER[0], "password": "fel"}).status_code == 400
    with TestClient(client.app) as browser:
        assert browser.post("/login", data={"username": READER[0], "password": READER[1]}).json() == {"success": True}
        assert browser.get("/api/documents").status_code == 200
        assert browser.delete("/api/documents/x.pdf").status_code == 403
    with TestClient(client.app) as browser:
        assert browser.post("/login", data={"username": EDITOR[0], "password": EDITOR[1]}).status_code == 200
        assert browser.delete("/api/documents/x.pdf").status_code == 404  # allowed; the document does not exist


def _ask(client, user, question: str, session: str | None = None) -> dict:
    response = client.post("/api/ask", json={"question": question, "session": session}, auth=user)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_session_id_is_issued_and_bound_to_its_user(client) -> None:
    first = _ask(client, READER, FORECAST)
    session = first["session"]
    assert len(session) >= 32 and session.replace("-", "").replace("_", "").isalnum()  # 192 random bits, URL-safe

    # Another user presenting that id gets a session of their own, without the first user's context.
    stolen = _ask(client, EDITOR, "och i februari?", session)
    assert stolen["session"] != session
    assert FEB_FORECAST not in stolen["answer"]

    # The owner continues the conversation under the same id.
    follow = _ask(client, READER, "och i februari?", session)
    assert follow["session"] == session
    assert FEB_FORECAST in follow["answer"], follow["answer"]

    # An id the server never issued starts a new session too; every new id is different.
    made_up = _ask(client, READER, FORECAST, "min-egen-session")
    assert made_up["session"] not in ("min-egen-session", session, stolen["session"])


def test_without_login_anyone_may_write_as_in_local_use(client) -> None:
    """No users file: the local single-user app, where the API writes like the Arkiv tab (audited as web:anonym)."""
    from granska.app.web import build_app

    name = "lokal-kopia.txt"
    content = (TXT / "halland-regionkontoret-manadsrapport-2020-02.txt").read_bytes()
    with TestClient(build_app(client.app.state.service.engine)) as local:
        upload = local.post("/api/documents", files=[("files", (name, content, "text/plain"))])
        assert upload.status_code == 200 and upload.json()["added"] == [name]
        assert local.delete(f"/api/documents/{name}").status_code == 200
        entries = local.get("/api/audit").json()
    assert [(e["user"], e["action"]) for e in entries if e["document"] == name] == [
        ("web:anonym", "upload"), ("web:anonym", "remove")]
