"""The pages in Debian's Chromium against a real server: compose with a live marking, release
to France, read as French, find no trace as American, switch to French; sanitize into a tear
line. Screenshots of the main pages go to tests/web/artifacts/."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from liaison.actions.reports import do_submit_report
from liaison.app import create_app
from liaison.node import Node
from tests.conftest import PASSWORD
from tests.report_fixtures import (
    NATO_SECRET_REL_GBR,
    NATO_UNCLASSIFIED,
    World,
    act,
    build_world,
    draft,
    nation,
)

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed")
sync_api = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def served(node: Node) -> Iterator[tuple[str, World]]:
    world = build_world(node)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(node), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", world
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


def sign_in(browser: object, base: str, username: str) -> object:
    """A new browser context (its own cookies) signed in as `username`."""
    page = browser.new_context(base_url=base, locale="en-GB").new_page()  # type: ignore[attr-defined]
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    return page


def shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def banner(page: object) -> tuple[str, str]:
    top = page.locator("[data-banner=top]").inner_text()  # type: ignore[attr-defined]
    bottom = page.locator("[data-banner=bottom]").inner_text()  # type: ignore[attr-defined]
    return top, bottom


def test_a_report_travels_from_author_to_france_and_nowhere_else(
    served: tuple[str, World], browser: object
) -> None:
    base, _world = served
    expect = sync_api.expect

    # The author composes two portions at different labels and watches the marking.
    author = sign_in(browser, base, "gbr.author")
    shot(author, "home")
    author.goto("/reports/new")
    author.get_by_label("Title").fill("Bridge at GRID 31U DQ 48251 11932")
    author.locator("#portion-0-text").fill("The bridge is intact and passable.")
    author.locator("#portion-0-classification").select_option("UNCLASSIFIED")
    overall = author.locator("[data-overall-marking]")
    expect(overall).to_have_text("NATO UNCLASSIFIED")
    author.locator("#portion-1-text").fill("Demolition charges found on the eastern pier.")
    author.locator("#portion-1-classification").select_option("SECRET")
    author.locator("#portion-1-classification").locator("xpath=..").locator("summary").click()
    author.locator("#portion-1-rel-GBR").check()
    author.locator("#portion-1-rel-FRA").check()
    expect(overall).to_have_text("NATO SECRET Releasable to France, United Kingdom")
    expect(overall).to_have_class("mark secret")
    author.locator("#to-nation-FRA").check()
    shot(author, "compose")
    author.get_by_role("button", name="Submit", exact=True).click()
    expect(author.locator("h1")).to_have_text("Bridge at GRID 31U DQ 48251 11932")
    assert banner(author) == ("NATO SECRET RELEASABLE TO FRANCE, UNITED KINGDOM",) * 2
    shot(author, "report-submitted")

    # The releasing officer releases it to France.
    officer = sign_in(browser, base, "gbr.fdo")
    officer.get_by_role("link", name="Release queue").click()
    expect(officer.locator("h2 a")).to_have_text("Bridge at GRID 31U DQ 48251 11932")
    shot(officer, "release-queue")
    officer.get_by_role("button", name="Release", exact=True).click()
    expect(officer.get_by_text("No report waits for release.")).to_be_visible()

    # A French officer reads it, with portion marks.
    french = sign_in(browser, base, "fra.reader")
    expect(
        french.get_by_role("link", name="Bridge at GRID 31U DQ 48251 11932").first
    ).to_be_visible()
    french.get_by_role("link", name="Bridge at GRID 31U DQ 48251 11932").first.click()
    expect(french.locator(".portion").first).to_have_text("(NU) The bridge is intact and passable.")
    expect(french.locator(".portion").nth(1)).to_contain_text("(NS) Demolition charges")
    report_url = french.url
    shot(french, "report-read")
    french.goto("/reports?q=demolition")
    expect(french.locator("mark").first).to_have_text("Demolition")
    shot(french, "search")

    # ... and switches to French.
    french.goto(report_url)
    french.get_by_label("Language").select_option("fr")
    french.get_by_role("button", name="Change").click()
    expect(french.locator("html")).to_have_attribute("lang", "fr")
    expect(french.locator("[data-banner=top]")).to_have_text(
        "NATO SECRET Communicable à France, Royaume-Uni", ignore_case=True
    )
    expect(french.get_by_role("link", name="Comptes rendus")).to_be_visible()
    shot(french, "report-read-fr")

    # An American officer finds no trace of it: not listed, not found, not at its address.
    american = sign_in(browser, base, "usa.reader")
    american.goto("/reports")
    expect(american.get_by_text("Bridge at GRID")).to_have_count(0)
    american.goto("/reports?q=demolition")
    expect(american.get_by_text("Bridge at GRID")).to_have_count(0)
    response = american.goto(report_url)
    assert response is not None
    assert response.status == 404
    expect(american.locator("h1")).to_have_text("Not found")
    assert banner(american) == ("NATO UNCLASSIFIED",) * 2
    shot(american, "not-found")


def test_a_releasing_officer_sanitizes_a_report_into_a_tear_line(
    served: tuple[str, World], browser: object, node: Node
) -> None:
    base, world = served
    expect = sync_api.expect
    portions = [("Enemy armour seen.", NATO_SECRET_REL_GBR), ("Weather fair.", NATO_UNCLASSIFIED)]
    original = draft(node, world, portions=portions, recipients=[nation("FRA")])
    act(node, world, "gbr_author", do_submit_report, original)

    officer = sign_in(browser, base, "gbr.fdo")
    officer.goto(f"/reports/{original}")
    officer.get_by_role("link", name="Sanitize into a tear line").click()
    officer.get_by_label("Title").fill("Armour movement (tear line)")
    officer.locator("#portion-1-text").fill("Armour reported in the sector.")
    officer.locator("#portion-1-classification").select_option("RESTRICTED")
    officer.locator("#portion-1-rel-GBR").uncheck()  # the picker starts from the original's label
    officer.locator("#portion-2-classification").select_option("UNCLASSIFIED")
    officer.locator("#to-nation-FRA").check()
    expect(officer.locator("[data-overall-marking]")).to_have_text("NATO RESTRICTED")
    officer.get_by_role("button", name="Release the tear line").click()
    expect(officer.locator("h1")).to_have_text("Armour movement (tear line)")
    expect(officer.locator(".portion").first).to_have_text("(NR) Armour reported in the sector.")
    shot(officer, "tear-line")
