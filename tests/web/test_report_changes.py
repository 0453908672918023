"""Pages added to the home page and reports: messages to acknowledge, editing with the version
read, attaching a file, sanitizing into a tear line; each form refuses a forged request."""

from __future__ import annotations

import re
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from liaison.actions.reports import do_submit_report, do_update_report
from liaison.domain.channels import Precedence
from liaison.node import Node
from liaison.store.models import Attachment, Report
from tests.report_fixtures import (
    NATO_SECRET_REL_GBR,
    NATO_UNCLASSIFIED,
    act,
    build_world,
    draft,
    nation,
)
from tests.web.channel_fixtures import make_channel, post
from tests.web.conftest import web_sign_in

PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)


def test_home_lists_an_unacknowledged_flash_for_members_only(
    client: TestClient, node: Node
) -> None:
    world = build_world(node)
    channel = make_channel(node, world)
    post(
        node,
        world,
        channel,
        "Bridge blown at grid 123",
        precedence=Precedence.FLASH,
        ack_required=True,
    )
    web_sign_in(client, "fra.reader")
    home = client.get("/")
    assert "Bridge blown at grid 123" in home.text
    assert 'class="precedence-badge badge-flash"' in home.text
    client.cookies.clear()
    web_sign_in(client, "usa.reader")
    home = client.get("/")
    assert "Bridge blown" not in home.text
    assert "No message waits for your acknowledgement." in home.text


def _edit_form(report: uuid.UUID, token: str, version: str, title: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "version": version,
        "portion_count": "1",
        "title": title,
        "kind": "FREETEXT",
        "dtg": "241530ZNOV26",
        "portion-0-text": "Bridge intact.",
        "portion-0-classification": "UNCLASSIFIED",
        "action": "save",
    }


def test_a_stale_edit_is_refused_and_overwrites_nothing(client: TestClient, node: Node) -> None:
    world = build_world(node)
    report = draft(node, world, recipients=[nation("GBR")])
    token = web_sign_in(client, "gbr.author")
    page = client.get(f"/reports/{report}/edit")
    assert page.status_code == 200
    match = re.search(r'name="version" value="(\d+)"', page.text)
    assert match
    version = match.group(1)
    forged = client.post(f"/reports/{report}/edit", data=_edit_form(report, "x", version, "F"))
    assert forged.status_code == 403
    act(node, world, "gbr_author", do_update_report, report, title="Changed elsewhere")
    stale = client.post(f"/reports/{report}/edit", data=_edit_form(report, token, version, "Mine"))
    assert stale.status_code == 409
    assert "nothing was saved" in stale.text
    with node.db.reading() as session:
        stored = session.get(Report, report)
        assert stored is not None
        assert stored.title == "Changed elsewhere"
        current = str(stored.version)
    saved = client.post(f"/reports/{report}/edit", data=_edit_form(report, token, current, "Mine"))
    assert saved.status_code == 200
    assert "Mine" in saved.text
    assert "(NU)</span> Bridge intact." in saved.text


def _attachments(node: Node, report: uuid.UUID) -> int:
    with node.db.reading() as session:
        query = select(func.count()).select_from(Attachment).where(Attachment.report_id == report)
        return session.scalar(query) or 0


def _stored_files(node: Node) -> list[str]:
    root = node.settings.files_dir
    return [p.name for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_png_is_attached_and_an_oversized_file_is_refused(client: TestClient, node: Node) -> None:
    world = build_world(node)
    report = draft(node, world)
    token = web_sign_in(client, "gbr.author")
    fields = {"csrf_token": token, "attachment-classification": "UNCLASSIFIED"}
    url = f"/reports/{report}/attachments"
    forged = client.post(url, data=fields | {"csrf_token": "x"}, files={"file": ("a.png", PNG)})
    assert forged.status_code == 403
    assert _attachments(node, report) == 0
    page = client.post(url, data=fields, files={"file": ("map.png", PNG, "image/png")})
    assert page.status_code == 200
    assert "map.png" in page.text
    with node.db.reading() as session:
        attachment = session.scalars(select(Attachment)).one()
        assert attachment.content_type == "image/png"
    # Larger than the limit on other request bodies: attachments have their own.
    big = PNG + b"\0" * (node.settings.request_max_bytes + 1)
    assert client.post(url, data=fields, files={"file": ("big.png", big)}).status_code == 200
    assert _attachments(node, report) == 2
    stored = _stored_files(node)
    node.settings.attachment_max_bytes = 100
    too_large = client.post(url, data=fields, files={"file": ("big.png", PNG)})
    assert too_large.status_code == 413
    assert "100 bytes" in too_large.text
    assert _attachments(node, report) == 2
    assert _stored_files(node) == stored


def test_a_tear_line_is_released_without_a_trace_of_its_original(
    client: TestClient, node: Node
) -> None:
    world = build_world(node)
    original = draft(
        node,
        world,
        title="Armour movement",
        portions=[
            ("Enemy armour seen.", NATO_SECRET_REL_GBR),
            ("Weather fair.", NATO_UNCLASSIFIED),
        ],
        recipients=[nation("FRA")],
    )
    act(node, world, "gbr_author", do_submit_report, original)
    token = web_sign_in(client, "gbr.fdo")
    assert f'href="/reports/{original}/sanitize"' in client.get(f"/reports/{original}").text
    form = client.get(f"/reports/{original}/sanitize")
    assert form.status_code == 200
    assert 'for="portion-1-include"' in form.text
    fields = {
        "csrf_token": token,
        "title": "Armour movement (tear line)",
        "portion-1-text": "Armour reported in the sector.",
        "portion-1-classification": "SECRET",
        "portion-1-releasable": ["GBR", "FRA"],
        "portion-2-include": "1",
        "portion-2-classification": "UNCLASSIFIED",
        "recipient": ["nation:FRA"],
        "reason": "FRA needs the movement",
    }
    url = f"/reports/{original}/sanitize"
    assert client.post(url, data=fields | {"csrf_token": "forged"}).status_code == 403
    done = client.post(url, data=fields, follow_redirects=False)
    assert done.status_code == 303
    tear_line = done.headers["location"]
    shown = client.get(tear_line)
    assert "Armour reported in the sector." in shown.text
    assert f'href="/reports/{original}"' in shown.text  # its releasing officer sees the original
    client.cookies.clear()
    web_sign_in(client, "fra.reader")
    read = client.get(tear_line)
    assert read.status_code == 200
    assert "(NU)</span> Weather fair." in read.text
    assert str(original) not in read.text
    assert "Enemy armour" not in read.text
