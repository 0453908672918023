"""Channels in Debian's Chromium: a British and a French officer in the same channel; the
French officer's page shows the message released to France (live when the stream delivers
it, else after a reload) and never the British-only one. Screenshots of the channel page, the
org chart, the people directory and the audit viewer go to tests/web/artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from liaison.node import Node
from tests.report_fixtures import World
from tests.web.channel_fixtures import make_channel
from tests.web.test_browser import CHROMIUM, banner, browser, served, shot, sign_in

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed")
sync_api = pytest.importorskip("playwright.sync_api")

SHARED = "Bridge at Alpha open to wheeled traffic from 1600."
UK_ONLY = "UK eyes only: demolition party remains on site."
__all__ = ["browser", "served"]  # fixtures used here


def post(page: Any, body: str, releasable: tuple[str, ...], precedence: str) -> None:
    """Post through the form: NATO SECRET releasable to `releasable` only."""
    page.locator("#body").fill(body)
    page.locator("#message-classification").select_option("SECRET")
    for box in page.locator("[data-releasable]:checked").all():
        box.uncheck()
    for code in releasable:
        page.locator(f"#message-rel-{code}").check()
    page.get_by_label("Precedence").select_option(precedence)
    page.get_by_role("button", name="Post", exact=True).click()


def test_two_officers_share_a_channel_and_only_what_each_may_see(
    served: tuple[str, World], browser: object, node: Node
) -> None:
    base, world = served
    expect = sync_api.expect
    channel = make_channel(node, world)

    author: Any = sign_in(browser, base, "gbr.author")
    reader: Any = sign_in(browser, base, "fra.reader")
    reader.get_by_role("link", name="Channels").click()
    reader.get_by_role("link", name="Bridging operations").click()
    expect(reader.locator("h1")).to_contain_text("Bridging operations")
    author.goto(f"/channels/{channel}")

    post(author, SHARED, ("GBR", "FRA"), "FLASH")
    expect(author.locator("[data-message]", has_text=SHARED)).to_contain_text(
        "NATO SECRET Releasable to France, United Kingdom"
    )
    expect(author.locator(".badge-flash")).to_have_text("FLASH")
    post(author, UK_ONLY, ("GBR",), "ROUTINE")
    expect(author.get_by_text(UK_ONLY)).to_be_visible()
    shot(author, "channel-author")

    # Live when the stream delivers message events; else the page is as good after a reload.
    shared = reader.locator("[data-message]", has_text=SHARED)
    try:
        expect(shared).to_be_visible(timeout=5000)
    except AssertionError:
        reader.reload()
        expect(shared).to_be_visible(timeout=5000)
    expect(shared).to_contain_text("NATO SECRET Releasable to France, United Kingdom")
    expect(shared.locator(".precedence-badge")).to_have_text("FLASH")
    expect(reader.get_by_text(UK_ONLY)).to_have_count(0)
    top, bottom = banner(reader)
    assert top == bottom
    assert top.startswith("NATO SECRET")
    shot(reader, "channel")
    reader.reload()
    expect(reader.get_by_text(SHARED)).to_be_visible()
    expect(reader.get_by_text(UK_ONLY)).to_have_count(0)

    # The other main pages, for the artifacts.
    reader.get_by_role("link", name="Organization").click()
    expect(reader.locator("h1")).to_have_text("Organization")
    reader.goto(f"/organization/{world.corps.exercise}")
    expect(reader.locator(".org-chart")).to_contain_text("UK Liaison")
    shot(reader, "org-chart")
    reader.get_by_role("link", name="People").click()
    expect(reader.locator("h1")).to_have_text("People")
    shot(reader, "people")
    security: Any = sign_in(browser, base, "gbr.security")
    security.get_by_role("link", name="Audit").click()
    expect(security.locator("table.audit")).to_contain_text("message.post")
    shot(security, "audit")
