"""Policies, labels and clearances over the API: pickers, rendering, validation, hostile XML."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from liaison.app import create_app
from liaison.domain import accounts as account_rules
from liaison.http import credentials
from liaison.http.deps import Caller
from liaison.node import Node
from liaison.security import Label, LabelCategory, TagKind, clearance_to_json, label_hash
from liaison.security.labels_xml import MAX_LABEL_BYTES
from liaison.store.models import User
from tests.conftest import UserFactory, auth, table_rows

API = "/api/v1"
RELEASABLE = "Releasable To"
SCD = "Special Category Designators"
NS = "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"

SECRET_GBR_FRA = {
    "policy": "NATO",
    "classification": "SECRET",
    "categories": [{"tag_set": RELEASABLE, "type": "PERMISSIVE", "values": ["GBR", "FRA"]}],
}

# A 4774 label under the node's NATO policy: named by OID, one value by name, one by lacv (FRA).
SECRET_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<originatorConfidentialityLabel xmlns="{NS}">
  <ConfidentialityInformation>
    <PolicyIdentifier URI="urn:oid:1.3.26.1.3.1">NATO</PolicyIdentifier>
    <Classification>SECRET</Classification>
    <Category TagName="Releasable To" Type="PERMISSIVE" URI="urn:oid:1.3.26.1.4.2">
      <GenericValue>GBR</GenericValue>
      <IntegerValue>250</IntegerValue>
    </Category>
  </ConfidentialityInformation>
  <OriginatorID IDType="rfc822Name">olivia@example.org</OriginatorID>
  <CreationDateTime>2026-11-24T15:30:00Z</CreationDateTime>
</originatorConfidentialityLabel>"""

# ADatP-4774 Table 17 label 17-1: its "Context" tag set belongs to the older NATO SPIF.
TABLE17_XML = f"""<originatorConfidentialityLabel xmlns="{NS}">
<ConfidentialityInformation>
<PolicyIdentifier URL="urn:oid:1.3.26.1.3.1">NATO</PolicyIdentifier>
<Classification>UNCLASSIFIED</Classification>
<Category TagName="Context" Type="PERMISSIVE"><GenericValue>NATO</GenericValue></Category>
</ConfidentialityInformation>
</originatorConfidentialityLabel>"""


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts here only carry tokens: hash their passwords cheaply (Argon2id all the same)."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(account_rules, "_hasher", cheap)


@pytest.fixture
def officer(make_user: UserFactory, token_for) -> dict[str, str]:
    make_user("olivia", "officer")
    return auth(token_for("olivia"))


# --- policies ------------------------------------------------------------------------------


def test_policies_are_listed(client: TestClient, officer: dict[str, str]) -> None:
    response = client.get(f"{API}/policies", headers=officer)
    assert response.status_code == 200
    listed = {p["name"]: p for p in response.json()}
    assert set(listed) == {"NATO", "DEMO-GBR"}
    assert listed["NATO"]["id"] == "1.3.26.1.3.1"
    assert listed["DEMO-GBR"]["id"] == "2.25.121033018949960220288789005061313071925.1"


@pytest.mark.parametrize("identifier", ["NATO", "1.3.26.1.3.1"])
def test_a_policy_gives_what_a_label_picker_needs(
    client: TestClient, officer: dict[str, str], identifier: str
) -> None:
    response = client.get(f"{API}/policies/{identifier}", headers=officer)
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["id"]) == ("NATO", "1.3.26.1.3.1")
    classes = {c["name"]: c for c in body["classifications"]}
    assert [c["name"] for c in body["classifications"]] == [
        "UNCLASSIFIED",
        "RESTRICTED",
        "CONFIDENTIAL",
        "SECRET",
        "TOP SECRET",
    ]
    assert classes["SECRET"]["marking"] == {"en": "NATO SECRET", "fr": "NATO SECRET"}
    assert classes["TOP SECRET"]["marking"] == {
        "en": "COSMIC TOP SECRET",
        "fr": "COSMIC TRÈS SECRET",
    }
    assert classes["UNCLASSIFIED"]["marking"]["fr"] == "NATO SANS CLASSIFICATION"
    assert (classes["RESTRICTED"]["lacv"], classes["RESTRICTED"]["hierarchy"]) == (2, 2)
    tag_sets = {t["name"]: t for t in body["tag_sets"]}
    assert set(tag_sets) == {SCD, RELEASABLE, "Administrative"}
    assert tag_sets[RELEASABLE]["id"] == "1.3.26.1.4.2"
    (releasable,) = tag_sets[RELEASABLE]["tags"]
    assert releasable["kind"] == "PERMISSIVE"
    assert {"GBR", "FRA", "NATO", "KFOR"} <= set(releasable["values"])
    (special,) = tag_sets[SCD]["tags"]
    assert (special["kind"], special["values"]) == (
        "RESTRICTIVE",
        ["ATOMAL", "CRYPTO", "SIOP", "BOHEMIA"],
    )


def test_the_demo_national_policy_is_described_too(
    client: TestClient, officer: dict[str, str]
) -> None:
    body = client.get(f"{API}/policies/DEMO-GBR", headers=officer).json()
    assert [c["name"] for c in body["classifications"]] == ["OFFICIAL", "SECRET", "TOP SECRET"]


def test_an_unknown_policy_is_404(client: TestClient, officer: dict[str, str]) -> None:
    body = assert_problem(client.get(f"{API}/policies/ELSEWHERE", headers=officer), 404)
    assert "ELSEWHERE" in body["detail"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/policies"),
        ("GET", "/policies/NATO"),
        ("POST", "/labels/render"),
        ("POST", "/labels/validate"),
    ],
)
def test_anonymous_callers_are_refused(client: TestClient, method: str, path: str) -> None:
    body = {"label": SECRET_GBR_FRA} if method == "POST" else None
    response = client.request(method, f"{API}{path}", json=body)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert "NATO SECRET" not in response.text


# --- rendering -----------------------------------------------------------------------------


def render(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post(f"{API}/labels/render", headers=headers, json=body)


@pytest.mark.parametrize(
    ("lang", "location", "marking"),
    [
        ("en", "page", "NATO SECRET Releasable to France, United Kingdom"),
        ("fr", "page", "NATO SECRET Communicable à France, Royaume-Uni"),
        ("en", "portion", "NS"),
        ("fr", "portion", "NS"),
    ],
)
@pytest.mark.parametrize("form", ["json", "xml"])
def test_a_label_is_rendered(
    client: TestClient,
    officer: dict[str, str],
    form: str,
    lang: str,
    location: str,
    marking: str,
) -> None:
    given = {"label": SECRET_GBR_FRA} if form == "json" else {"xml": SECRET_XML}
    response = render(client, officer, lang=lang, location=location, **given)
    assert response.status_code == 200, response.text
    assert response.json() == {"marking": marking, "lang": lang, "location": location}


def test_the_default_is_the_english_page_marking(
    client: TestClient, officer: dict[str, str]
) -> None:
    top = {"policy": "1.3.26.1.3.1", "classification": "TOP SECRET"}
    assert render(client, officer, label=top).json()["marking"] == "COSMIC TOP SECRET"


@pytest.mark.parametrize(
    ("label", "fault"),
    [
        ({"policy": "ELSEWHERE", "classification": "SECRET"}, "unknown policy 'ELSEWHERE'"),
        ({"policy": "NATO", "classification": "ULTRA"}, "unknown classification 'ULTRA'"),
        (
            {
                "policy": "NATO",
                "classification": "SECRET",
                "categories": [{"tag_set": RELEASABLE, "type": "PERMISSIVE", "values": ["XYZ"]}],
            },
            "unknown value 'XYZ' in tag set 'Releasable To'",
        ),
        (
            {
                "policy": "NATO",
                "classification": "SECRET",
                "categories": [{"tag_set": "Eyes Only", "type": "PERMISSIVE", "values": ["GBR"]}],
            },
            "unknown tag set 'Eyes Only'",
        ),
        (
            {
                "policy": "NATO",
                "classification": "SECRET",
                "categories": [{"tag_set": SCD, "type": "SECRETIVE", "values": ["ATOMAL"]}],
            },
            "type 'SECRETIVE'",
        ),
        ({"classification": "SECRET"}, "policy"),
    ],
    ids=["policy", "classification", "value", "tag-set", "type", "no-policy"],
)
def test_an_invalid_label_is_422_naming_what_was_not_found(
    client: TestClient, officer: dict[str, str], label: dict[str, Any], fault: str
) -> None:
    body = assert_problem(render(client, officer, label=label), 422)
    assert fault in body["detail"]
    assert body["errors"] == [{"field": "label", "message": body["detail"]}]


def test_an_xml_label_is_read_under_the_nodes_policies(
    client: TestClient, officer: dict[str, str]
) -> None:
    body = assert_problem(render(client, officer, xml=TABLE17_XML), 422)
    assert "unknown tag set 'Context'" in body["detail"]
    unknown = SECRET_XML.replace(
        "<IntegerValue>250</IntegerValue>", "<IntegerValue>999</IntegerValue>"
    )
    body = assert_problem(render(client, officer, xml=unknown), 422)
    assert "lacv 999" in body["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"label": SECRET_GBR_FRA, "xml": SECRET_XML},
        {},
        {"label": SECRET_GBR_FRA, "lang": "de"},
        {"label": SECRET_GBR_FRA, "location": "footer"},
    ],
    ids=["both", "neither", "language", "location"],
)
def test_a_request_of_the_wrong_shape_is_422(
    client: TestClient, officer: dict[str, str], body: dict[str, Any]
) -> None:
    assert_problem(client.post(f"{API}/labels/render", headers=officer, json=body), 422)
    assert_problem(client.post(f"{API}/labels/validate", headers=officer, json=body), 422)


def test_giving_both_forms_says_so(client: TestClient, officer: dict[str, str]) -> None:
    body = assert_problem(render(client, officer, label=SECRET_GBR_FRA, xml=SECRET_XML), 422)
    assert "not both" in json.dumps(body["errors"])


# --- validating ----------------------------------------------------------------------------


def validate(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post(f"{API}/labels/validate", headers=headers, json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


@pytest.mark.parametrize("form", ["json", "xml"])
def test_a_valid_label_gives_its_hash_canonical_form_and_marking(
    client: TestClient, officer: dict[str, str], form: str
) -> None:
    given = {"label": SECRET_GBR_FRA} if form == "json" else {"xml": SECRET_XML}
    result = validate(client, officer, **given)
    meant = Label(
        "NATO",
        "SECRET",
        (LabelCategory(RELEASABLE, TagKind.PERMISSIVE, frozenset({"GBR", "FRA"})),),
    )
    assert result["valid"] is True
    assert result["problems"] == []
    assert result["hash"] == label_hash(meant)
    assert result["marking"] == "NATO SECRET Releasable to France, United Kingdom"
    canonical = result["label"]
    assert (canonical["policy"], canonical["classification"]) == ("NATO", "SECRET")
    assert canonical["categories"] == [
        {"tag_set": RELEASABLE, "type": "PERMISSIVE", "values": ["FRA", "GBR"]}
    ]


def test_both_forms_of_a_label_hash_alike_and_history_does_not_count(
    client: TestClient, officer: dict[str, str]
) -> None:
    from_xml = validate(client, officer, xml=SECRET_XML)
    from_json = validate(client, officer, label={**SECRET_GBR_FRA, "policy": "1.3.26.1.3.1"})
    assert from_xml["hash"] == from_json["hash"]
    assert from_xml["label"]["originator"] == {
        "id_type": "rfc822Name",
        "value": "olivia@example.org",
    }
    assert "originator" not in from_json["label"]


def test_validation_in_french_renders_the_french_marking(
    client: TestClient, officer: dict[str, str]
) -> None:
    result = validate(client, officer, label=SECRET_GBR_FRA, lang="fr")
    assert result["marking"] == "NATO SECRET Communicable à France, Royaume-Uni"


def test_an_invalid_label_is_reported_with_every_problem(
    client: TestClient, officer: dict[str, str]
) -> None:
    label = {
        "policy": "NATO",
        "classification": "UNCLASSIFIED",
        "categories": [
            {"tag_set": RELEASABLE, "type": "PERMISSIVE", "values": ["ATLANTIS", "GBR"]},
            {"tag_set": SCD, "type": "RESTRICTIVE", "values": ["ATOMAL"]},
        ],
    }
    result = validate(client, officer, label=label)
    assert result == {
        "valid": False,
        "problems": [
            "unknown value 'ATLANTIS' in tag set 'Releasable To'",
            "'ATOMAL' in 'Special Category Designators' is excluded at classification "
            "'UNCLASSIFIED'",
        ],
        "label": None,
        "hash": None,
        "marking": None,
    }


@pytest.mark.parametrize(
    ("given", "fault"),
    [
        ({"label": {"policy": "ELSEWHERE", "classification": "SECRET"}}, "unknown policy"),
        ({"xml": "<not-a-label/>"}, "not a STANAG 4774 confidentiality label"),
        ({"xml": "<<<"}, "label"),
    ],
    ids=["policy", "root", "garbage"],
)
def test_an_unreadable_label_is_reported_not_raised(
    client: TestClient, officer: dict[str, str], given: dict[str, Any], fault: str
) -> None:
    result = validate(client, officer, **given)
    assert (result["valid"], result["hash"], result["label"]) == (False, None, None)
    assert len(result["problems"]) == 1
    assert fault in result["problems"][0]


# --- hostile XML ---------------------------------------------------------------------------

BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<originatorConfidentialityLabel xmlns="{NS}">
<ConfidentialityInformation><PolicyIdentifier>NATO</PolicyIdentifier>
<Classification>&lol9;</Classification></ConfidentialityInformation>
</originatorConfidentialityLabel>"""

EXTERNAL_ENTITY = f"""<?xml version="1.0"?>
<!DOCTYPE label [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<originatorConfidentialityLabel xmlns="{NS}">
<ConfidentialityInformation><PolicyIdentifier>NATO</PolicyIdentifier>
<Classification>&secret;</Classification></ConfidentialityInformation>
</originatorConfidentialityLabel>"""

EXTERNAL_DTD = f"""<?xml version="1.0"?>
<!DOCTYPE label SYSTEM "http://example.invalid/label.dtd">
<originatorConfidentialityLabel xmlns="{NS}"/>"""

INTERNAL_DTD = f"""<?xml version="1.0"?>
<!DOCTYPE originatorConfidentialityLabel [<!ELEMENT originatorConfidentialityLabel ANY>]>
<originatorConfidentialityLabel xmlns="{NS}"/>"""


def nested(depth: int) -> str:
    return "<a>" * depth + "</a>" * depth


def padded(size: int) -> str:
    return SECRET_XML.replace("<ConfidentialityInformation>", f"<!-- {'x' * size} --><Con", 1)


HOSTILE = {
    "billion-laughs": (BILLION_LAUGHS, "forbidden XML feature"),
    "external-entity": (EXTERNAL_ENTITY, "forbidden XML feature"),
    "external-dtd": (EXTERNAL_DTD, "forbidden XML feature"),
    "internal-dtd": (INTERNAL_DTD, "forbidden XML feature"),
    "deep-under-the-size-limit": (nested(5_000), "deeper than"),
    "100k-deep": (nested(100_000), None),
    "over-64-KiB": (padded(MAX_LABEL_BYTES), None),
    "over-64-KiB-in-bytes-not-characters": (
        SECRET_XML.replace("olivia@example.org", "é" * (MAX_LABEL_BYTES // 2 + 10)),
        f"over the limit of {MAX_LABEL_BYTES} bytes",
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE))
@pytest.mark.parametrize("endpoint", ["render", "validate"])
def test_hostile_xml_is_refused_quickly_and_the_server_keeps_answering(
    client: TestClient, officer: dict[str, str], name: str, endpoint: str
) -> None:
    xml, fault = HOSTILE[name]
    started = time.perf_counter()
    response = client.post(f"{API}/labels/{endpoint}", headers=officer, json={"xml": xml})
    assert time.perf_counter() - started < 2
    assert "root:" not in response.text  # nothing of /etc/passwd
    if endpoint == "validate" and fault is not None:
        result = response.json()
        assert response.status_code == 200
        assert result["valid"] is False
        assert fault in result["problems"][0]
    else:
        body = assert_problem(response, 422)
        if fault is not None:
            assert fault in body["detail"]
    assert client.get("/healthz").status_code == 200
    good = render(client, officer, xml=SECRET_XML)
    assert good.json()["marking"] == "NATO SECRET Releasable to France, United Kingdom"


# --- clearances ----------------------------------------------------------------------------

NATO_SECRET = {
    "policy": "NATO",
    "classifications": ["NATO UNCLASSIFIED", "NATO RESTRICTED", "NATO SECRET"],
    "categories": {RELEASABLE: ["GBR", "NATO"]},
}


@pytest.fixture
def security_officer(make_user: UserFactory, token_for) -> dict[str, str]:
    make_user("sofia", "security_officer")
    return auth(token_for("sofia"))


def clearance_of(node: Node, user: User) -> Any:
    (row,) = table_rows(node, User, User.id == user.id)
    return row["clearance"]


def test_a_security_officer_sets_and_withdraws_a_clearance(
    client: TestClient, node: Node, make_user: UserFactory, security_officer: dict[str, str]
) -> None:
    user = make_user("olivia")
    response = client.put(
        f"{API}/users/{user.id}/clearance", headers=security_officer, json=NATO_SECRET
    )
    assert response.status_code == 200, response.text
    expected = {
        "policy": "NATO",
        "classifications": ["RESTRICTED", "SECRET", "UNCLASSIFIED"],
        "categories": {RELEASABLE: ["GBR", "NATO"]},
    }
    assert response.json()["clearance"] == expected
    assert clearance_of(node, user) == expected
    response = client.delete(f"{API}/users/{user.id}/clearance", headers=security_officer)
    assert response.status_code == 200
    assert response.json()["clearance"] is None
    assert clearance_of(node, user) is None


@pytest.mark.parametrize("roles", [("admin",), ("officer",), ("admin", "releasing_officer")])
def test_only_security_officers_set_clearances(
    client: TestClient, node: Node, make_user: UserFactory, token_for, roles: tuple[str, ...]
) -> None:
    user = make_user("olivia")
    make_user("root", *roles)
    headers = auth(token_for("root"))
    url = f"{API}/users/{user.id}/clearance"
    body = assert_problem(client.put(url, headers=headers, json=NATO_SECRET), 403)
    assert "security_officer" in body["detail"]
    assert_problem(client.delete(url, headers=headers), 403)
    assert clearance_of(node, user) is None


@pytest.mark.parametrize(
    ("clearance", "fault"),
    [
        ({**NATO_SECRET, "policy": "ELSEWHERE"}, "unknown policy 'ELSEWHERE'"),
        ({**NATO_SECRET, "classifications": ["NATO SECRET", "ULTRA"]}, "'ULTRA'"),
        ({**NATO_SECRET, "categories": {"Eyes Only": ["GBR"]}}, "unknown tag set 'Eyes Only'"),
        ({**NATO_SECRET, "categories": {RELEASABLE: ["GBR", "XYZ"]}}, "unknown value 'XYZ'"),
    ],
    ids=["policy", "classification", "tag-set", "value"],
)
def test_a_bad_clearance_is_422_naming_the_fault(
    client: TestClient,
    node: Node,
    make_user: UserFactory,
    security_officer: dict[str, str],
    clearance: dict[str, Any],
    fault: str,
) -> None:
    user = make_user("olivia")
    response = client.put(
        f"{API}/users/{user.id}/clearance", headers=security_officer, json=clearance
    )
    body = assert_problem(response, 422)
    assert fault in body["detail"]
    assert body["errors"] == [{"field": "clearance", "message": body["detail"]}]
    assert clearance_of(node, user) is None


@pytest.mark.parametrize(
    "clearance",
    [
        {"policy": "NATO", "classifications": "SECRET"},
        {"classifications": ["SECRET"]},
        {"policy": "NATO", "classifications": ["SECRET"], "categories": {RELEASABLE: "GBR"}},
    ],
)
def test_a_clearance_of_the_wrong_shape_is_422(
    client: TestClient,
    make_user: UserFactory,
    security_officer: dict[str, str],
    clearance: dict[str, Any],
) -> None:
    user = make_user("olivia")
    response = client.put(
        f"{API}/users/{user.id}/clearance", headers=security_officer, json=clearance
    )
    assert_problem(response, 422)


def test_a_clearance_for_an_unknown_user_is_404(
    client: TestClient, security_officer: dict[str, str]
) -> None:
    url = f"{API}/users/00000000-0000-7000-8000-000000000000/clearance"
    assert_problem(client.put(url, headers=security_officer, json=NATO_SECRET), 404)


@pytest.fixture
def probed(node: Node, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app plus one route that shows the principal the API resolved for the caller.

    The credential cache's time limit is lifted, so only invalidation can refresh a principal.
    """
    monkeypatch.setattr(credentials, "TTL_SECONDS", 3600.0)
    app = create_app(node)

    @app.get("/test-probe/caller")
    async def caller(principal: Caller) -> dict[str, Any]:
        clearance = principal.clearance
        return {"clearance": None if clearance is None else clearance_to_json(clearance)}

    with TestClient(app) as test_client:
        yield test_client


def test_a_clearance_change_takes_effect_on_the_users_next_request(
    probed: TestClient, make_user: UserFactory, token_for, security_officer: dict[str, str]
) -> None:
    user = make_user("olivia")
    olivia = auth(token_for("olivia"))
    url = f"{API}/users/{user.id}/clearance"

    def seen() -> Any:
        response = probed.get("/test-probe/caller", headers=olivia)
        assert response.status_code == 200
        return response.json()["clearance"]

    assert seen() is None  # the principal is now cached
    assert probed.put(url, headers=security_officer, json=NATO_SECRET).status_code == 200
    assert seen()["classifications"] == ["RESTRICTED", "SECRET", "UNCLASSIFIED"]
    lowered = {**NATO_SECRET, "classifications": ["NATO UNCLASSIFIED"]}
    assert probed.put(url, headers=security_officer, json=lowered).status_code == 200
    assert seen() == {
        "policy": "NATO",
        "classifications": ["UNCLASSIFIED"],
        "categories": {RELEASABLE: ["GBR", "NATO"]},
    }
    assert probed.delete(url, headers=security_officer).status_code == 200
    assert seen() is None
