"""Organization, people and audit pages without a browser: banners, what a reader may not see
(absent from charts and lists, 404 at its address), expiry highlights, candidates, paging,
the audit viewer for security officers only, French."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from liaison.actions.people import do_add_qualification
from liaison.node import Node
from liaison.store.types import utcnow
from liaison.web import people
from tests.report_fixtures import World, act, build_world
from tests.web.conftest import web_sign_in


def banners(html: str) -> list[str]:
    return re.findall(r'data-banner="(?:top|bottom)">([^<]*)<', html)


@pytest.fixture
def world(node: Node) -> World:
    return build_world(node)


# --- organization -----------------------------------------------------------------------------


def test_the_org_chart_holds_nothing_under_a_hidden_record(
    client: TestClient, world: World
) -> None:
    corps = world.corps
    web_sign_in(client, "fra.reader")
    index = client.get("/organization")
    assert index.status_code == 200
    assert f'href="/organization/{corps.exercise}"' in index.text
    chart = client.get(f"/organization/{corps.exercise}")
    assert chart.status_code == 200
    assert f'href="/offices/{corps.uk_office}"' in chart.text
    assert f'href="/posts/{corps.snlo}"' in chart.text
    assert f'href="/people/{corps.snlo_person}"' in chart.text  # the SNLO's holder
    for hidden in (corps.hidden_cell, corps.cell_detachment, corps.uk_intel):
        assert str(hidden) not in chart.text
    assert banners(chart.text) == ["NATO RESTRICTED Releasable to NATO"] * 2
    assert "<ul>" in chart.text
    assert "(NR)" in chart.text


def test_office_and_post_pages_show_what_the_reader_may_see(
    client: TestClient, world: World
) -> None:
    corps = world.corps
    web_sign_in(client, "gbr.author")
    office = client.get(f"/offices/{corps.uk_office}")
    assert office.status_code == 200
    assert f'href="/people/{corps.snlo_person}"' in office.text
    post = client.get(f"/posts/{corps.uk_analyst}")
    assert post.status_code == 200
    assert "Chain of command" in post.text
    assert f'href="/posts/{corps.uk_intel}"' in post.text  # the national superior
    assert banners(post.text)[0] == banners(post.text)[1]
    assert "SECRET" in banners(post.text)[0]  # the GBR SECRET superior is shown

    web_sign_in(client, "fra.reader")
    post = client.get(f"/posts/{corps.uk_analyst}")
    assert post.status_code == 200
    assert str(corps.uk_intel) not in post.text
    assert "No superior that you may see." in post.text


def test_a_hidden_post_or_organization_is_not_found(client: TestClient, world: World) -> None:
    corps = world.corps
    web_sign_in(client, "fra.reader")
    for url in (
        f"/posts/{corps.uk_intel}",
        f"/posts/{corps.uk_intel}/candidates",
        f"/organization/{corps.hidden_cell}",
        "/offices/not-an-id",
    ):
        page = client.get(url)
        assert page.status_code == 404, url
        assert "<h1>Not found</h1>" in page.text
        assert banners(page.text) == ["NATO UNCLASSIFIED"] * 2


def test_the_org_chart_in_french(client: TestClient, world: World) -> None:
    web_sign_in(client, "fra.reader")
    chart = client.get(f"/organization/{world.corps.exercise}", headers={"Accept-Language": "fr"})
    assert '<html lang="fr">' in chart.text
    assert "Organigramme" in chart.text
    assert "bureau de liaison" in chart.text
    assert banners(chart.text) == ["NATO DIFFUSION RESTREINTE Communicable à OTAN"] * 2


# --- people -----------------------------------------------------------------------------------


def test_the_directory_pages_through_the_people_the_reader_sees(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    corps = world.corps
    web_sign_in(client, "fra.reader")
    monkeypatch.setattr(people, "PAGE_SIZE", 2)
    seen: list[str] = []
    url: str | None = "/people"
    while url:
        page = client.get(url)
        assert page.status_code == 200
        seen += re.findall(r'href="/people/([0-9a-f-]{36})"', page.text)
        found = re.search(r'href="(/people\?cursor=[^"]+)"', page.text)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert str(corps.snlo_person) in seen
    assert str(corps.fr_person) in seen
    assert str(corps.intel_person) not in seen
    assert str(corps.analyst_person) not in seen
    assert len(seen) == len(set(seen))
    refused = client.get("/people", params={"nation": "ZZZ"})
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text


def test_a_person_page_highlights_qualifications_expiring_or_expired(
    client: TestClient, node: Node, world: World
) -> None:
    corps = world.corps
    today = utcnow().date()
    for course, expires in (
        ("Liaison officer course", today + timedelta(days=30)),
        ("First aid", today - timedelta(days=1)),
        ("Staff college", None),
    ):
        act(
            node,
            world,
            "gbr_author",
            do_add_qualification,
            corps.snlo_person,
            course=course,
            issuer="UK Defence Academy",
            completed_on=today - timedelta(days=400),
            expires_on=expires,
            origin="test.liaison",
        )
    web_sign_in(client, "fra.reader")
    page = client.get(f"/people/{corps.snlo_person}")
    assert page.status_code == 200
    assert re.search(r'class="expiry soon">[^<]*expires soon', page.text)
    assert re.search(r'class="expiry expired">[^<]*expired', page.text)
    assert "does not expire" in page.text
    assert f'href="/posts/{corps.snlo}"' in page.text  # the assignment
    assert banners(page.text) == ["NATO RESTRICTED Releasable to NATO"] * 2


def test_a_hidden_person_is_not_found_and_never_a_candidate(
    client: TestClient, world: World
) -> None:
    corps = world.corps
    web_sign_in(client, "fra.reader")
    for hidden in (corps.intel_person, corps.analyst_person):
        page = client.get(f"/people/{hidden}")
        assert page.status_code == 404
        assert "Blake" not in page.text
        assert "Carver" not in page.text
    ranked = client.get(f"/posts/{corps.fr_chief}/candidates")
    assert ranked.status_code == 200
    assert "/100" in ranked.text
    assert str(corps.fr_person) in ranked.text
    assert str(corps.intel_person) not in ranked.text
    assert "BLAKE" not in ranked.text
    assert "CARVER" not in ranked.text


# --- audit ------------------------------------------------------------------------------------


def test_the_audit_viewer_is_for_security_officers(client: TestClient, world: World) -> None:
    web_sign_in(client, "fra.reader")
    home = client.get("/")
    assert 'href="/audit"' not in home.text
    refused = client.get("/audit")
    assert refused.status_code == 403
    assert "<h1>Not allowed</h1>" in refused.text
    assert "audit." not in refused.text

    web_sign_in(client, "gbr.security")
    assert 'href="/audit"' in client.get("/").text
    viewer = client.get("/audit")
    assert viewer.status_code == 200
    assert "user.create" in viewer.text
    assert banners(viewer.text)[0] == banners(viewer.text)[1]
    indexes = [
        int(i) for i in re.findall(r"<tr class=\"decision-\w+\">\s*<td>(\d+)</td>", viewer.text)
    ]
    assert indexes == sorted(indexes, reverse=True)
    assert indexes
    filtered = client.get("/audit", params={"action": "user.create"})
    actions = set(re.findall(r'href="/audit\?action=([^"]+)"', filtered.text))
    assert actions == {"user.create"}


def test_the_audit_viewer_pages_and_filters_by_object(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from liaison.web import audit

    web_sign_in(client, "gbr.security")
    monkeypatch.setattr(audit, "PAGE_SIZE", 3)
    first = client.get("/audit")
    older = re.search(r'href="(/audit\?cursor=[^"]+)">Older entries', first.text)
    assert older
    second = client.get(older.group(1).replace("&amp;", "&"))
    firsts = re.findall(r"<tr class=\"decision-\w+\">\s*<td>(\d+)</td>", first.text)
    seconds = re.findall(r"<tr class=\"decision-\w+\">\s*<td>(\d+)</td>", second.text)
    assert len(firsts) == 3
    assert seconds
    assert int(seconds[0]) < int(firsts[-1])
    person = str(world.corps.snlo_person)
    about = client.get("/audit", params={"object_id": person})
    assert about.status_code == 200
    objects = set(re.findall(r'href="/audit\?object_id=([^"]+)"', about.text))
    assert objects <= {person}
