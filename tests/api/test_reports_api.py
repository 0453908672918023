"""Reports over HTTP: the release workflow, bad input, every read path closed to readers who
may not see a report, attachments, exports and spillage.

A report the caller may not see must look exactly like one that does not exist, on every
route: same status, same body.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from liaison.audit.checkpoint import key_id
from liaison.exports.package import verify_package
from liaison.node import Node
from tests.conftest import auth
from tests.report_fixtures import World, build_world

RELEASABLE = "Releasable To"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
WORD = "Quillfeather"  # only ever written in the SECRET portion


def nato(classification: str, *releasable: str) -> dict[str, Any]:
    categories = (
        [{"tag_set": RELEASABLE, "type": "PERMISSIVE", "values": sorted(releasable)}]
        if releasable
        else []
    )
    return {"policy": "NATO", "classification": classification, "categories": categories}


SECRET_GBR_FRA = nato("SECRET", "GBR", "FRA")
RESTRICTED_GBR_FRA = nato("RESTRICTED", "GBR", "FRA")

SALUTE = {
    "size": "Two companies",
    "activity": "Crossing the river eastwards",
    "location": "Zarva bridge, grid 34U CA 12345 67890",
    "unit": "3rd Motor Rifle Battalion",
    "time": "241430ZNOV26",
    "equipment": "T-72 tanks, BMP-2",
}


def audience(kind: str, value: str) -> dict[str, str]:
    return {"kind": kind, "value": value}


GBR_AND_FRA = [audience("nation", "GBR"), audience("nation", "FRA")]


class Api:
    """The test client, signed in as whoever is named (tokens issued once per user)."""

    def __init__(self, client: TestClient, token_for: Callable[[str], str]) -> None:
        self.client = client
        self._token_for = token_for
        self._tokens: dict[str, str] = {}

    def headers(self, who: str, **extra: str) -> dict[str, str]:
        if who not in self._tokens:
            self._tokens[who] = self._token_for(who)
        return auth(self._tokens[who]) | extra

    def get(self, who: str, path: str, **kw: Any) -> httpx.Response:
        return self.client.get(f"/api/v1{path}", headers=self.headers(who), **kw)

    def post(
        self, who: str, path: str, *, headers: dict[str, str] | None = None, **kw: Any
    ) -> httpx.Response:
        return self.client.post(
            f"/api/v1{path}", headers=self.headers(who, **(headers or {})), **kw
        )

    def patch(
        self, who: str, path: str, *, headers: dict[str, str] | None = None, **kw: Any
    ) -> httpx.Response:
        return self.client.patch(
            f"/api/v1{path}", headers=self.headers(who, **(headers or {})), **kw
        )


@pytest.fixture
def world(node: Node) -> World:
    return build_world(node)


@pytest.fixture
def api(client: TestClient, token_for: Callable[[str], str], world: World) -> Api:
    return Api(client, token_for)


def report_body(world: World, **given: Any) -> dict[str, Any]:
    return {
        "kind": "SALUTE",
        "title": "Armour crossing the Zarva bridge",
        "office_id": str(world.corps.uk_office),
        "dtg": "241530ZNOV26",
        "fields": dict(SALUTE),
        "portions": [
            {
                "text": "Two companies of armour crossing the Zarva bridge.",
                "label": RESTRICTED_GBR_FRA,
            },
            {"text": f"Source {WORD} counted the vehicles.", "label": SECRET_GBR_FRA},
        ],
        "recipients": GBR_AND_FRA,
    } | given


def create(api: Api, world: World, who: str = "gbr.author", **given: Any) -> dict[str, Any]:
    response = api.post(who, "/reports", json=report_body(world, **given))
    assert response.status_code == 201, response.text
    return response.json()


def submit(api: Api, report_id: str) -> dict[str, Any]:
    response = api.post("gbr.author", f"/reports/{report_id}/submit")
    assert response.status_code == 200, response.text
    return response.json()


def release(api: Api, report_id: str, *nations: str) -> dict[str, Any]:
    targets = [audience("nation", n) for n in nations]
    response = api.post("gbr.fdo", f"/reports/{report_id}/release", json={"targets": targets})
    assert response.status_code == 200, response.text
    return response.json()


def attach(api: Api, report_id: str, data: bytes = PNG, **params: str) -> httpx.Response:
    return api.post(
        "gbr.author",
        f"/reports/{report_id}/attachments",
        params={"filename": "photo.png", "label": json.dumps(SECRET_GBR_FRA)} | params,
        content=data,
        headers={"content-type": "text/html"},
    )


def listed(api: Api, who: str, **params: Any) -> set[str]:
    response = api.get(who, "/reports", params=params)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def problem(response: httpx.Response) -> str:
    """The problem detail and every field message, as one text to search."""
    body = response.json()
    return " ".join([body.get("detail", "")] + [e["message"] for e in body.get("errors", [])])


# --- 1. the workflow over HTTP ----------------------------------------------------------------


def test_the_release_workflow_over_http(api: Api, world: World) -> None:
    created = create(api, world)
    report_id = created["id"]
    assert created["state"] == "draft"
    assert created["fields"] == SALUTE
    assert created["label"]["classification"] == "SECRET"
    assert "SECRET" in created["marking"]
    restricted, secret = created["portions"]
    assert restricted["label"]["classification"] == "RESTRICTED"
    assert secret["label"]["classification"] == "SECRET"
    assert created["marking"] == "NATO SECRET Releasable to France, United Kingdom"
    assert restricted["portion_mark"].startswith("NR")
    assert secret["portion_mark"].startswith("NS")

    got = api.get("gbr.author", f"/reports/{report_id}")
    assert got.status_code == 200
    assert got.headers["ETag"] == f'"{created["version"]}"'
    stale_etag = got.headers["ETag"]

    renamed = api.patch(
        "gbr.author",
        f"/reports/{report_id}",
        json={"title": "Armour across the Zarva bridge"},
        headers={"If-Match": stale_etag},
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.headers["ETag"] != stale_etag

    stale = api.patch(
        "gbr.author",
        f"/reports/{report_id}",
        json={"title": "A stale edit"},
        headers={"If-Match": stale_etag},
    )
    assert stale.status_code == 412
    assert "reload" in stale.json()["detail"]
    after = api.get("gbr.author", f"/reports/{report_id}").json()
    assert after["title"] == "Armour across the Zarva bridge"
    assert after["version"] == renamed.json()["version"]

    submitted = submit(api, report_id)
    assert submitted["state"] != "draft"
    assert report_id in listed(api, "gbr.fdo", queue=True)
    assert api.get("fra.reader", f"/reports/{report_id}").status_code == 404

    released = release(api, report_id, "FRA")
    assert released["state"] == "released"
    seen = api.get("fra.reader", f"/reports/{report_id}")
    assert seen.status_code == 200, seen.text
    assert [p["text"] for p in seen.json()["portions"]] == [p["text"] for p in created["portions"]]
    assert report_id in listed(api, "fra.reader")
    assert report_id not in listed(api, "gbr.fdo", queue=True)


# --- 2. bad input -----------------------------------------------------------------------------


def test_a_label_above_the_authors_clearance_is_refused(api: Api, world: World) -> None:
    response = api.post("gbr.low", "/reports", json=report_body(world))
    assert response.status_code == 422
    assert "above your own clearance" in problem(response)
    assert listed(api, "gbr.low") == set()


def test_a_salute_without_one_of_its_fields_is_refused(api: Api, world: World) -> None:
    fields = {k: v for k, v in SALUTE.items() if k != "equipment"}
    response = api.post("gbr.author", "/reports", json=report_body(world, fields=fields))
    assert response.status_code == 422
    assert "equipment" in problem(response)


def test_an_unknown_distribution_kind_is_refused(api: Api, world: World) -> None:
    recipients = [audience("planet", "Mars")]
    response = api.post("gbr.author", "/reports", json=report_body(world, recipients=recipients))
    assert response.status_code == 422
    assert any("recipients" in e["field"] for e in response.json()["errors"])


def test_a_dtg_is_accepted_and_a_bad_day_is_refused(api: Api, world: World) -> None:
    good = create(api, world, dtg="241530ZNOV26")
    assert good["dtg_text"] == "241530ZNOV26"
    assert good["dtg"].startswith("2026-11-24T15:30")

    bad = api.post("gbr.author", "/reports", json=report_body(world, dtg="991530ZNOV26"))
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["dtg"]


def test_a_released_report_cannot_be_edited(api: Api, world: World) -> None:
    # to the author's own nation only: released on submit
    created = create(api, world, recipients=[audience("nation", "GBR")])
    released = submit(api, created["id"])
    assert released["state"] == "released"
    response = api.patch("gbr.author", f"/reports/{created['id']}", json={"title": "Changed"})
    assert response.status_code == 409
    assert api.get("gbr.author", f"/reports/{created['id']}").json()["title"] == created["title"]


# --- 3. every read path, for readers who must not see ----------------------------------------


@pytest.fixture
def secret_report(api: Api, world: World) -> dict[str, Any]:
    """A SECRET report for GBR and FRA, with an attachment, submitted (released to GBR, FRA
    waiting for the releasing officer)."""
    created = create(api, world, ack_by="251200ZNOV26")
    uploaded = attach(api, created["id"])
    assert uploaded.status_code == 201, uploaded.text
    submit(api, created["id"])
    return created | {"attachment_id": uploaded.json()["id"]}


NOT_TO_SEE = ["usa.reader", "gbr.low", "gbr.uncleared", "fra.reader"]


@pytest.fixture(params=NOT_TO_SEE)
def outsider(request: pytest.FixtureRequest, api: Api, secret_report: dict[str, Any]) -> str:
    """A reader who may not see `secret_report`; FRA's release is done except for fra.reader,
    who is asked before it."""
    who: str = request.param
    if who != "fra.reader":
        release(api, secret_report["id"], "FRA")
    return who


def same_as_missing(
    api: Api, who: str, method: str, path: str, report_id: str, **kw: Any
) -> httpx.Response:
    """Ask `path` (with {id}) for the report and for a random id: both must be 404, alike."""
    call = getattr(api, method)
    response = call(who, path.format(id=report_id), **kw)
    missing = call(who, path.format(id=uuid.uuid4()), **kw)
    assert response.status_code == 404, (path, response.status_code, response.text)
    assert response.json() == missing.json(), path
    assert response.headers["content-type"] == missing.headers["content-type"]
    return response


def test_no_read_path_shows_the_report(
    api: Api, secret_report: dict[str, Any], outsider: str
) -> None:
    report_id = secret_report["id"]
    attachment = secret_report["attachment_id"]
    # a reader on the distribution does see it, so every refusal below is the reader's own
    assert api.get("gbr.fdo", f"/reports/{report_id}").status_code == 200

    same_as_missing(api, outsider, "get", "/reports/{id}", report_id)
    same_as_missing(api, outsider, "get", f"/reports/{{id}}/attachments/{attachment}", report_id)
    same_as_missing(
        api, outsider, "get", "/reports/{id}/export", report_id, params={"format": "pdf"}
    )
    same_as_missing(
        api, outsider, "get", "/reports/{id}/export", report_id, params={"format": "package"}
    )
    same_as_missing(api, outsider, "get", "/reports/{id}/acknowledgements", report_id)
    same_as_missing(api, outsider, "post", "/reports/{id}/acknowledge", report_id)

    assert report_id not in listed(api, outsider)
    assert report_id not in listed(api, outsider, state="released")

    # nor does any write route tell the report from a missing one
    for method, path, body in [
        ("patch", "/reports/{id}", {"title": "Mine now"}),
        ("post", "/reports/{id}/submit", None),
        ("post", "/reports/{id}/versions", None),
        ("post", "/reports/{id}/release", {"targets": [audience("nation", "USA")]}),
        ("post", "/reports/{id}/spill", {"reason": "curious"}),
    ]:
        real = getattr(api, method)(outsider, path.format(id=report_id), json=body)
        fake = getattr(api, method)(outsider, path.format(id=uuid.uuid4()), json=body)
        assert (real.status_code, real.json()) == (fake.status_code, fake.json()), path
        assert real.status_code in (403, 404), path

    found = api.get(outsider, "/search", params={"q": WORD})
    assert found.status_code == 200
    body = found.json()
    assert body["items"] == []
    assert body["total"] == 0
    assert all(sum(counts.values()) == 0 for counts in body["facets"].values()), body["facets"]

    notes = api.get(outsider, "/notifications")
    assert notes.status_code == 200
    assert report_id not in {n["report"]["id"] for n in notes.json()["items"]}


def test_a_reader_on_the_distribution_finds_it_with_a_highlight(
    api: Api, secret_report: dict[str, Any]
) -> None:
    release(api, secret_report["id"], "FRA")
    body = api.get("fra.reader", "/search", params={"q": WORD.lower()}).json()
    assert body["total"] == 1
    assert sum(body["facets"]["classification"].values()) == 1
    (hit,) = body["items"]
    assert hit["report"]["id"] == secret_report["id"]
    matched = [s["text"] for s in hit["snippet"] if s["match"]]
    assert matched
    assert all(text.lower() == WORD.lower() for text in matched)

    notes = api.get("fra.reader", "/notifications").json()["items"]
    assert secret_report["id"] in {n["report"]["id"] for n in notes}


def test_a_portion_above_the_readers_clearance_is_never_in_a_snippet(
    api: Api, world: World
) -> None:
    low = create(
        api,
        world,
        portions=[{"text": "Zarva convoy seen at dawn.", "label": nato("RESTRICTED", "GBR")}],
        recipients=[audience("nation", "GBR")],
    )
    high = create(
        api,
        world,
        portions=[
            {"text": "Zarva convoy routine.", "label": nato("RESTRICTED", "GBR")},
            {"text": f"Zarva convoy escorted by {WORD}.", "label": nato("SECRET", "GBR")},
        ],
        recipients=[audience("nation", "GBR")],
    )
    for report in (low, high):
        assert submit(api, report["id"])["state"] == "released"

    seen_by_fdo = api.get("gbr.fdo", "/search", params={"q": "zarva convoy"}).json()
    assert seen_by_fdo["total"] == 2

    body = api.get("gbr.low", "/search", params={"q": "zarva convoy"}).json()
    assert [hit["report"]["id"] for hit in body["items"]] == [low["id"]]
    assert body["total"] == 1
    snippet_text = " ".join(s["text"] for hit in body["items"] for s in hit["snippet"])
    assert WORD.lower() not in snippet_text.lower()
    assert "escorted" not in snippet_text
    assert api.get("gbr.low", "/search", params={"q": "escorted"}).json()["total"] == 0


# --- 4. attachments ---------------------------------------------------------------------------


def blobs(node: Node) -> set[str]:
    root = node.settings.files_dir
    return (
        {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
        if root.exists()
        else set()
    )


def test_an_upload_is_renamed_sniffed_and_served_back_as_a_download(api: Api, world: World) -> None:
    report_id = create(api, world)["id"]
    response = attach(api, report_id, filename="../../etc/passwd")
    assert response.status_code == 201, response.text
    stored = response.json()
    assert stored["filename"] == "passwd"
    assert stored["content_type"] == "image/png"
    assert stored["size"] == len(PNG)

    listed_on_report = api.get("gbr.author", f"/reports/{report_id}").json()["attachments"]
    assert [a["id"] for a in listed_on_report] == [stored["id"]]

    download = api.get("gbr.author", f"/reports/{report_id}/attachments/{stored['id']}")
    assert download.status_code == 200
    assert download.content == PNG
    assert download.headers["content-type"].startswith("image/png")
    assert download.headers["content-disposition"].startswith("attachment;")
    assert 'filename="passwd"' in download.headers["content-disposition"]


def test_an_attachment_is_not_reached_through_another_report(api: Api, world: World) -> None:
    hidden = create(api, world, recipients=[audience("nation", "GBR")])
    secret_file = attach(api, hidden["id"]).json()["id"]
    shared = create(api, world)
    submit(api, hidden["id"])
    submit(api, shared["id"])
    release(api, shared["id"], "FRA")
    assert (
        api.get("gbr.fdo", f"/reports/{hidden['id']}/attachments/{secret_file}").status_code == 200
    )

    through_shared = api.get("fra.reader", f"/reports/{shared['id']}/attachments/{secret_file}")
    missing = api.get("fra.reader", f"/reports/{shared['id']}/attachments/{uuid.uuid4()}")
    assert through_shared.status_code == 404
    assert through_shared.json() == missing.json()


def test_an_upload_over_the_limit_is_refused_and_leaves_nothing(
    api: Api, world: World, node: Node
) -> None:
    report_id = create(api, world)["id"]
    assert attach(api, report_id, data=PNG[:16]).status_code == 201
    before = blobs(node)
    node.settings.attachment_max_bytes = 64

    declared = attach(api, report_id, data=PNG)  # Content-Length over the limit
    assert declared.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: cut off while streaming
        for start in range(0, len(PNG), 32):
            yield PNG[start : start + 32]

    streamed = attach(api, report_id, data=chunks())  # type: ignore[arg-type]
    assert streamed.status_code == 413

    assert blobs(node) == before
    assert len(api.get("gbr.author", f"/reports/{report_id}").json()["attachments"]) == 1


# --- 5. exports -------------------------------------------------------------------------------


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_the_pdf_carries_the_marking_on_every_page(api: Api, world: World) -> None:
    long = [
        {"text": f"Paragraph {n}: " + "vehicles moving east in column. " * 30, "label": label}
        for n, label in enumerate([RESTRICTED_GBR_FRA, SECRET_GBR_FRA] * 10)
    ]
    report = create(api, world, portions=long)
    response = api.get("gbr.author", f"/reports/{report['id']}/export", params={"format": "pdf"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) >= 3
    for number, page in enumerate(pages, 1):
        assert squash(report["marking"]) in squash(page.extract_text()), number


def test_the_package_verifies_and_one_changed_byte_breaks_it(
    api: Api, world: World, node: Node
) -> None:
    report = create(api, world)
    response = api.get(
        "gbr.author", f"/reports/{report['id']}/export", params={"format": "package"}
    )
    assert response.status_code == 200
    public = node.signer.key.public_key()
    trusted = {key_id(public): public}

    verdict = verify_package(response.content, trusted)
    assert verdict.valid, verdict.problems
    assert verdict.report_id == report["id"]

    tampered = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(response.content)) as original,
        zipfile.ZipFile(tampered, "w") as copy,
    ):
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "content.json":
                at = data.index(b"Zarva")
                data = data[:at] + b"X" + data[at + 1 :]
            copy.writestr(info, data)
    broken = verify_package(tampered.getvalue(), trusted)
    assert not broken.valid
    assert broken.problems


# --- 6. spillage ------------------------------------------------------------------------------


def test_a_spill_hides_the_report_and_traces_its_readers(api: Api, world: World) -> None:
    report_id = create(api, world)["id"]
    submit(api, report_id)
    release(api, report_id, "FRA")
    assert api.get("gbr.author", f"/reports/{report_id}").status_code == 200
    assert api.get("fra.reader", f"/reports/{report_id}").status_code == 200
    assert api.get("usa.reader", f"/reports/{report_id}").status_code == 404

    not_a_security_officer = api.post(
        "gbr.fdo", f"/reports/{report_id}/spill", json={"reason": "labelled too low"}
    )
    assert not_a_security_officer.status_code in (403, 404)
    assert api.get("fra.reader", f"/reports/{report_id}").status_code == 200

    spilled = api.post(
        "gbr.security", f"/reports/{report_id}/spill", json={"reason": "labelled too low"}
    )
    assert spilled.status_code == 200, spilled.text
    assert spilled.json()["quarantined"] is True

    for who in ("gbr.author", "fra.reader"):
        hidden = api.get(who, f"/reports/{report_id}")
        assert hidden.status_code == 404, who
        assert hidden.json() == api.get(who, f"/reports/{uuid.uuid4()}").json()
        assert report_id not in listed(api, who)

    reads = api.get("gbr.security", f"/reports/{report_id}/reads")
    assert reads.status_code == 200, reads.text
    entries = reads.json()
    granted = {e["actor_id"] for e in entries if e["decision"] != "denied"}
    denied = {e["actor_id"] for e in entries if e["decision"] == "denied"}
    users = {name: str(uid) for name, uid in world.users.items()}
    assert {users["gbr_author"], users["fra_reader"]} <= granted
    assert users["usa_reader"] in denied
    assert users["usa_reader"] not in granted
    assert all(e["action"].startswith("report.") for e in entries)

    assert api.get("gbr.author", f"/reports/{report_id}/reads").status_code in (403, 404)
