"""Pages without a browser: banners, CSRF, escaping, French, TOTP, and no trace of hidden
reports."""

from __future__ import annotations

import re
import time

import pyotp
from fastapi.testclient import TestClient

from liaison.actions.accounts import do_begin_totp, do_confirm_totp
from liaison.actions.release import do_release
from liaison.actions.reports import do_submit_report
from liaison.node import Node
from liaison.web.i18n import choose_language
from tests.conftest import PASSWORD, UserFactory
from tests.report_fixtures import (
    NATO_SECRET_REL_GBR_FRA,
    NATO_UNCLASSIFIED,
    act,
    build_world,
    draft,
    nation,
)
from tests.web.conftest import form_token, web_sign_in


def banners(html: str) -> list[str]:
    return re.findall(r'data-banner="(?:top|bottom)">([^<]*)<', html)


def released_to_fra(node: Node, title: str = "Armour movement near the river crossing") -> str:
    world = build_world(node)
    report = draft(
        node,
        world,
        title=title,
        portions=[
            ("Enemy armour seen.", NATO_SECRET_REL_GBR_FRA),
            ("Weather fair.", NATO_UNCLASSIFIED),
        ],
        recipients=[nation("FRA")],
    )
    act(node, world, "gbr_author", do_submit_report, report)
    act(node, world, "gbr_fdo", do_release, report)
    return str(report)


def test_every_page_is_bannered_top_and_bottom_with_its_highest_marking(
    client: TestClient, node: Node
) -> None:
    report = released_to_fra(node)
    web_sign_in(client, "fra.reader")
    home = client.get("/")
    assert banners(home.text) == ["NATO SECRET Releasable to France, United Kingdom"] * 2
    assert 'class="banner banner-top secret"' in home.text
    read = client.get(f"/reports/{report}")
    assert read.status_code == 200
    assert banners(read.text) == ["NATO SECRET Releasable to France, United Kingdom"] * 2
    assert "(NS)</span> Enemy armour seen." in read.text  # the portion mark comes first


def test_a_page_showing_nothing_labelled_carries_the_lowest_marking(
    client: TestClient, make_user: UserFactory
) -> None:
    make_user("alice")
    assert banners(client.get("/login").text) == ["NATO UNCLASSIFIED"] * 2
    web_sign_in(client, "alice")
    page = client.get("/reports")
    assert banners(page.text) == ["NATO UNCLASSIFIED"] * 2
    assert "unclassified" in page.text


def test_a_hidden_report_leaves_no_trace(client: TestClient, node: Node) -> None:
    report = released_to_fra(node, title="Bridge demolition planned")
    web_sign_in(client, "usa.reader")
    assert "Bridge demolition" not in client.get("/reports").text
    assert "Bridge demolition" not in client.get("/reports", params={"q": "armour"}).text
    assert "Bridge demolition" not in client.get("/").text
    direct = client.get(f"/reports/{report}")
    assert direct.status_code == 404
    assert "Bridge demolition" not in direct.text
    assert banners(direct.text) == ["NATO UNCLASSIFIED"] * 2
    assert client.get("/reports/not-a-uuid").status_code == 404


def test_search_marks_hits_and_escapes_the_rest(client: TestClient, node: Node) -> None:
    released_to_fra(node)
    web_sign_in(client, "fra.reader")
    page = client.get("/reports", params={"q": "armour"})
    assert "<mark>armour</mark>" in page.text.lower()
    assert "1 matching report" in page.text


def test_a_hostile_title_is_shown_as_text(client: TestClient, node: Node) -> None:
    world = build_world(node)
    draft(node, world, title="<script>alert(1)</script>", portions=[("x", NATO_UNCLASSIFIED)])
    web_sign_in(client, "gbr.author")
    page = client.get("/reports")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_forms_without_the_csrf_token_are_refused(client: TestClient, node: Node) -> None:
    world = build_world(node)
    report = draft(node, world, recipients=[nation("GBR")])
    token = web_sign_in(client, "gbr.author")
    forged = client.post(f"/reports/{report}/submit", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    assert "text/html" in forged.headers["content-type"]
    assert client.post("/web/language", data={"language": "fr", "csrf_token": ""}).status_code
    assert "Marquage" not in client.get("/reports").text
    marking = client.post("/web/marking", json={"portions": [{"classification": "SECRET"}]})
    assert marking.status_code == 403
    done = client.post(f"/reports/{report}/submit", data={"csrf_token": token})
    assert done.status_code == 200
    assert "released" in done.text


def test_composing_saves_a_draft_with_a_label_per_portion(client: TestClient, node: Node) -> None:
    world = build_world(node)
    token = web_sign_in(client, "gbr.author")
    form = client.get("/reports/new")
    assert form.text.count("data-label-picker") >= 2
    response = client.post(
        "/reports/new",
        data={
            "csrf_token": token,
            "portion_count": "2",
            "title": "Bridge status",
            "kind": "FREETEXT",
            "dtg": "241530ZNOV26",
            "office": str(world.corps.uk_office),
            "portion-0-text": "Bridge intact.",
            "portion-0-classification": "UNCLASSIFIED",
            "portion-1-text": "Charges found.",
            "portion-1-classification": "SECRET",
            "portion-1-releasable": ["GBR", "FRA"],
            "recipient": ["nation:FRA"],
            "action": "save",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200, response.text
    assert banners(response.text) == ["NATO SECRET Releasable to France, United Kingdom"] * 2
    assert "(NU)</span> Bridge intact." in response.text


def test_the_marking_endpoint_rolls_labels_up(client: TestClient, node: Node) -> None:
    build_world(node)
    token = web_sign_in(client, "gbr.author")
    answer = client.post(
        "/web/marking",
        headers={"X-CSRF-Token": token},
        json={
            "portions": [
                {"classification": "RESTRICTED", "releasable": ["GBR", "FRA", "USA"]},
                {"classification": "SECRET", "releasable": ["GBR", "FRA"]},
            ]
        },
    )
    assert answer.status_code == 200
    assert answer.json() == {
        "marking": "NATO SECRET Releasable to France, United Kingdom",
        "css": "secret",
        "portions": ["NR", "NS"],
    }


def test_pages_speak_french_when_the_user_chooses_it(client: TestClient, node: Node) -> None:
    report = released_to_fra(node)
    token = web_sign_in(client, "fra.reader")
    switched = client.post(
        "/web/language", data={"language": "fr", "csrf_token": token, "next": "/reports"}
    )
    assert switched.status_code == 200
    assert '<html lang="fr">' in switched.text
    assert "Comptes rendus" in switched.text
    read = client.get(f"/reports/{report}")
    assert banners(read.text) == ["NATO SECRET Communicable à France, Royaume-Uni"] * 2


def test_the_browser_language_applies_until_the_user_chooses() -> None:
    assert choose_language(None, "fr-FR,fr;q=0.9,en;q=0.8") == "fr"
    assert choose_language(None, "de-DE, en;q=0.5") == "en"
    assert choose_language(None, "") == "en"
    assert choose_language("en", "fr") == "en"


def test_a_missing_authenticator_code_is_refused_like_a_wrong_password(
    client: TestClient, node: Node, make_user: UserFactory
) -> None:
    user = make_user("alice")
    with node.db.writing() as session:
        uri = do_begin_totp(session, user.principal(), node.sealer, issuer="test")
    totp = pyotp.parse_uri(uri)
    with node.db.writing() as session:
        do_confirm_totp(session, user.principal(), node.sealer, totp.now())
    page = client.get("/login")
    fields = {"username": "alice", "password": PASSWORD, "csrf_token": form_token(page.text)}
    asked = client.post("/login", data=fields)
    wrong = client.post(
        "/login",
        data=fields
        | {"password": "wrong-horse-battery-staple-9", "csrf_token": form_token(asked.text)},
    )
    assert asked.status_code == wrong.status_code == 401
    assert 'name="otp"' in asked.text
    assert "Sign-in refused" in asked.text
    assert asked.text.replace(form_token(asked.text), "") == wrong.text.replace(
        form_token(wrong.text), ""
    )
    fields["csrf_token"] = form_token(wrong.text)
    fields["otp"] = totp.at(time.time() + 30)  # the next step: the confirmation used this one
    signed_in = client.post("/login", data=fields, follow_redirects=False)
    assert signed_in.status_code == 303
