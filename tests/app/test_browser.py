"""The web UI in a real Chromium (Playwright), against a `granska chat` server subprocess.

Debian's /usr/bin/chromium is used (scripts/install-browser.sh); Playwright never downloads a
browser. Chromium's name lookups are mapped to nowhere except loopback (OFFLINE.md #14), so the
UI must work with nothing but the local server. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
OCT_2020 = "halland-regionkontoret-manadsrapport-2020-10.pdf"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _chat(sample_store, tmp_path_factory, name: str, users: Path | None = None) -> Iterator[str]:
    """`granska chat` on a copy of the sample store (writes here leave the shared store alone),
    with login when a users file is given; yields its URL."""
    store = tmp_path_factory.mktemp(name) / "store"
    shutil.copytree(sample_store.store, store, ignore=shutil.ignore_patterns("*.lock"))
    port = _free_port()
    log = (tmp_path_factory.getbasetemp() / f"granska-chat-{name}.log").open("w")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    env.pop("GRANSKA_AUTH", None)
    if users is not None:
        env["GRANSKA_AUTH"] = str(users)
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("granska")), "chat", "--store", str(store), "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        assert proc.poll() is None, f"granska chat exited early; see {log.name}"
        try:
            if httpx.get(url + "/api/documents", timeout=5).status_code in (200, 401):
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, f"granska chat did not start within 180 s; see {log.name}"
        time.sleep(0.5)
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def server(sample_store, tmp_path_factory):
    with _chat(sample_store, tmp_path_factory, "browser") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium saknas: kör scripts/install-browser.sh (Playwright laddar aldrig ner en webbläsare här)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def page(server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="sv-SE")
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.goto(server + "/", wait_until="load")
    tab.get_by_role("tab", name="Chatt").wait_for()
    yield tab
    context.close()


def test_chat_answer_shows_figure_and_citations(page):
    page.locator("#fraga textarea").fill("Vad prognostiserar Regionkontoret för 2020 i oktoberrapporten?")
    page.locator("#skicka").click()
    chat = page.locator("#chatbot")
    chat.get_by_text("82,7 mnkr").first.wait_for(timeout=120_000)
    chat.get_by_text("Källor:").first.wait_for()
    cards = page.locator("#kallor .cite-card")
    cards.first.wait_for()
    assert OCT_2020 in cards.first.inner_text()
    assert "[1]" in chat.inner_text()
    page.screenshot(path=str(ARTIFACTS / "chat-answer.png"), full_page=True)


def test_follow_up_in_the_chat(page):
    page.locator("#fraga textarea").fill("och i februari?")
    page.locator("#fraga textarea").press("Enter")
    page.locator("#chatbot").get_by_text("13,6 mnkr").first.wait_for(timeout=120_000)
    page.locator("#kallor").get_by_text("halland-regionkontoret-manadsrapport-2020-02.pdf").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "chat-follow-up.png"), full_page=True)


def test_another_browser_session_starts_empty(page, server):
    other = page.context.browser.new_context()
    try:
        tab = other.new_page()
        tab.goto(server + "/", wait_until="load")
        tab.locator("#fraga textarea").wait_for()
        assert "82,7" not in tab.locator("#chatbot").inner_text()
    finally:
        other.close()


def test_opening_a_citation_shows_the_page_image(page):
    page.locator("#visa-kalla label").first.click()
    image = page.locator("#kallsida img")
    image.wait_for(timeout=60_000)
    page.wait_for_function("() => { const i = document.querySelector('#kallsida img'); return i && i.naturalWidth > 300; }")
    assert "PDF-sida" in page.locator("#kallsida-text").inner_text()
    href = page.locator("#kallsida-text a").get_attribute("href")
    assert href.startswith("api/pdf/") and "#page=" in href
    page.locator("#kallsida").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "source-page.png"), full_page=True)


def test_search_for_a_figure(page):
    page.get_by_role("tab", name="Sök").click()
    page.locator("#sokruta textarea").fill("82,7")
    page.locator("#sokknapp").click()
    page.locator("#sokstatus").get_by_text("träffar").wait_for(timeout=60_000)
    table = page.locator("#sokresultat")
    marked = table.locator("mark:visible").first  # the table also keeps a hidden copy of each cell
    marked.wait_for()
    assert marked.inner_text() == "82,7"
    assert OCT_2020 in table.inner_text()
    page.screenshot(path=str(ARTIFACTS / "search-figure.png"), full_page=True)


def test_clicking_a_search_hit_shows_its_page(page):
    page.locator("#sokresultat").get_by_text(OCT_2020).first.click()
    page.wait_for_function("() => { const i = document.querySelector('#traffsida img'); return i && i.naturalWidth > 300; }")
    page.locator("#traffsida").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "search-hit-page.png"), full_page=True)


def test_indicator_over_time_chart_table_and_page(page):
    page.get_by_role("tab", name="Nyckeltal över tid").click()
    page.locator("#nyckeltal-val input").click()
    page.get_by_role("option", name="Sjukfrånvaro", exact=True).click()
    page.locator("#nyckeltal-info").get_by_text("Sjukfrånvaro").wait_for(timeout=60_000)
    page.wait_for_function("() => { const i = document.querySelector('#nyckeltal-diagram img'); return i && i.naturalWidth > 600; }")
    table = page.locator("#nyckeltal-tabell")
    for period in ("2018-09", "2019-08", "2020-02", "2020-10"):
        table.get_by_text(period).filter(visible=True).first.wait_for()  # the table also keeps hidden copies
    assert "2,78 %" in table.inner_text() and OCT_2020 in table.inner_text()
    table.get_by_text("2,78 %", exact=True).filter(visible=True).first.click()
    page.wait_for_function("() => { const i = document.querySelector('#nyckeltal-sida img'); return i && i.naturalWidth > 300; }")
    assert "PDF-sida 8" in page.locator("#nyckeltal-sida-text").inner_text()
    page.screenshot(path=str(ARTIFACTS / "indicator-sick-leave.png"), full_page=True)


def test_upload_a_pdf_and_see_it_in_the_archive(page, tmp_path):
    new_name = "halland-regionkontoret-manadsrapport-2020-10-kopia.pdf"
    copy = tmp_path / new_name
    shutil.copyfile(SAMPLE / OCT_2020, copy)
    page.get_by_role("tab", name="Arkiv").click()
    page.locator("#dokument").get_by_text(OCT_2020).first.wait_for()
    page.locator("#ladda-upp input[type=file]").set_input_files(str(copy))
    page.locator("#ladda-upp").get_by_text(new_name).first.wait_for()
    page.locator("#las-in").click()
    page.locator("#inlasning").get_by_text("Tillagda:", exact=True).wait_for(timeout=300_000)
    assert new_name in page.locator("#inlasning").inner_text()
    page.locator("#dokument").get_by_text(new_name).first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "archive-upload.png"), full_page=True)

    # Correct its metadata: the archive table shows the new value, marked as corrected.
    page.locator("#ratta-dokument input").click()
    page.get_by_role("option", name=new_name).click()
    page.locator("#ratta-organisation textarea, #ratta-organisation input").first.fill("Region Halland, Kopian")
    page.locator("#ratta-knapp").click()
    page.locator("#rattelse").get_by_text(f"Rättat {new_name}", exact=False).wait_for(timeout=300_000)
    table = page.locator("#dokument")
    table.get_by_text("Region Halland, Kopian").first.wait_for()
    assert "rättad" in table.inner_text()

    page.locator("#ta-bort input").click()
    page.get_by_role("option", name=new_name).click()
    page.locator("#ta-bort-knapp").click()
    page.locator("#borttagning").get_by_text(f"Borttaget: {new_name}").wait_for(timeout=120_000)
    assert new_name not in page.locator("#dokument").inner_text()


# -- with login: what each role sees --------------------------------------------------------------
READER, EDITOR = ("rita", "läs-bara-lösen"), ("erik", "skriv-också-lösen")


@pytest.fixture(scope="module")
def login_server(sample_store, tmp_path_factory, add_user):
    users = tmp_path_factory.mktemp("browser-users") / "users"
    for (name, password), role in ((READER, "reader"), (EDITOR, "editor")):
        assert add_user(users, name, role, password).returncode == 0
    with _chat(sample_store, tmp_path_factory, "browser-login", users) as url:
        yield url


def _logged_in(browser, url: str, user: tuple[str, str]):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="sv-SE")
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.goto(url + "/", wait_until="load")
    tab.locator("input[type=password]").wait_for()  # Gradio's login form
    tab.locator("input:not([type=password])").first.fill(user[0])
    tab.locator("input[type=password]").fill(user[1])
    tab.locator("input[type=password]").press("Enter")
    tab.get_by_role("tab", name="Arkiv").click()
    return context, tab


def test_a_reader_sees_no_write_tools_and_no_audit_trail(browser, login_server):
    context, tab = _logged_in(browser, login_server, READER)
    try:
        tab.locator("#behorighet").get_by_text("reader", exact=False).wait_for()
        tab.locator("#dokument").get_by_text(OCT_2020).first.wait_for()
        assert not tab.locator("#las-in").is_visible()
        assert not tab.locator("#ta-bort-knapp").is_visible()
        assert not tab.locator("#ratta-knapp").is_visible()
        assert not tab.locator("#andringslogg").is_visible()
        tab.screenshot(path=str(ARTIFACTS / "archive-reader.png"), full_page=True)
    finally:
        context.close()


def test_an_editor_sees_the_write_tools_and_the_audit_trail(browser, login_server):
    context, tab = _logged_in(browser, login_server, EDITOR)
    try:
        tab.locator("#behorighet").get_by_text("editor", exact=False).wait_for()
        tab.locator("#las-in").wait_for()
        tab.locator("#andringslogg").get_by_text(OCT_2020).first.wait_for()  # the sample store's first ingest
        assert tab.locator("#ta-bort-knapp").is_visible() and tab.locator("#ratta-knapp").is_visible()
        tab.screenshot(path=str(ARTIFACTS / "archive-editor.png"), full_page=True)
    finally:
        context.close()
