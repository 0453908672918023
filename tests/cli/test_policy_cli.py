"""`liaison policy` and `liaison labels`: an operator's view of policies, markings, decisions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import defusedxml.ElementTree as SafeElementTree
import pytest
from click.testing import Result
from typer.testing import CliRunner

from liaison.cli.main import app
from liaison.node import Node
from liaison.store.models import AuditEntry, InstalledPolicy
from tests.conftest import table_rows

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "security-policy"
TABLE17 = REFERENCE / "nato-4774-table17"
TABLE17_SPIF = TABLE17 / "nato-4774-policy.xml"
PUBLIC_SPIF = REFERENCE / "public-policy-v1.spif.xml"
BROKEN = Path(__file__).resolve().parents[1] / "security" / "data"
NS = "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

Run = Callable[..., Result]


@pytest.fixture
def liaison(node: Node, database_url: str, tmp_path: Path) -> Run:
    """Run `liaison ...` against the test database (emptied by `node`), as an operator would."""
    runner = CliRunner()
    env = {"LIAISON_DATA_DIR": str(tmp_path / "cli-data"), "LIAISON_DATABASE_URL": database_url}

    def run(*args: object) -> Result:
        return runner.invoke(app, [str(arg) for arg in args], env=env)

    return run


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- liaison policy show / load ------------------------------------------------------------


def test_policy_show_lists_the_nodes_policies(liaison: Run) -> None:
    result = liaison("policy", "show")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["DEMO-GBR", "NATO"]
    assert "1.3.26.1.3.1" in lines[1]


def test_policy_show_json_lists_them_for_scripts(liaison: Run) -> None:
    result = liaison("policy", "show", "--json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [(p["name"], p["id"]) for p in listed] == [
        ("DEMO-GBR", "2.25.121033018949960220288789005061313071925.1"),
        ("NATO", "1.3.26.1.3.1"),
    ]


@pytest.mark.parametrize("name", ["NATO", "1.3.26.1.3.1"])
def test_policy_show_one_policy_as_json(liaison: Run, name: str) -> None:
    result = liaison("policy", "show", name, "--json")
    assert result.exit_code == 0, result.output
    policy = json.loads(result.stdout)
    assert (policy["name"], policy["id"]) == ("NATO", "1.3.26.1.3.1")
    markings = {c["name"]: c["marking"] for c in policy["classifications"]}
    assert markings == {
        "UNCLASSIFIED": "NATO UNCLASSIFIED",
        "RESTRICTED": "NATO RESTRICTED",
        "CONFIDENTIAL": "NATO CONFIDENTIAL",
        "SECRET": "NATO SECRET",
        "TOP SECRET": "COSMIC TOP SECRET",
    }
    tag_sets = {t["name"]: t["tags"] for t in policy["tag_sets"]}
    assert set(tag_sets) == {"Special Category Designators", "Releasable To", "Administrative"}
    assert "ATOMAL" in tag_sets["Special Category Designators"][0]["values"]


def test_policy_show_one_policy_for_people(liaison: Run) -> None:
    result = liaison("policy", "show", "NATO")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("NATO (1.3.26.1.3.1)")
    assert "COSMIC TOP SECRET" in result.stdout
    assert "Releasable To (permissive): ALB, BEL" in result.stdout


def test_policy_show_of_an_unknown_policy_fails_naming_it(liaison: Run) -> None:
    result = liaison("policy", "show", "ELSEWHERE")
    assert result.exit_code == 1
    assert "no policy 'ELSEWHERE'" in result.stderr


def test_policy_load_installs_a_spif_that_show_then_lists(liaison: Run, node: Node) -> None:
    result = liaison("policy", "load", PUBLIC_SPIF)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "installed policy PUBLIC (1.3.6.1.4.1.31778.12.2.1)"
    shown = liaison("policy", "show")
    assert [line.split()[0] for line in shown.stdout.splitlines()] == [
        "DEMO-GBR",
        "NATO",
        "PUBLIC",
    ]
    public = json.loads(liaison("policy", "show", "PUBLIC", "--json").stdout)
    assert [c["name"] for c in public["classifications"]] == ["UNMARKED"]
    assert [row["name"] for row in table_rows(node, InstalledPolicy)] == ["PUBLIC"]
    assert len(table_rows(node, AuditEntry, AuditEntry.action == "policy.install")) == 1


def test_policy_load_of_a_policy_already_there_fails_cleanly(liaison: Run, node: Node) -> None:
    assert liaison("policy", "load", PUBLIC_SPIF).exit_code == 0
    again = liaison("policy", "load", PUBLIC_SPIF)
    assert again.exit_code == 1
    assert "PUBLIC (1.3.6.1.4.1.31778.12.2.1) is already installed" in again.stderr
    assert isinstance(again.exception, SystemExit)  # a clean exit, no traceback
    older_nato = liaison("policy", "load", TABLE17_SPIF)
    assert older_nato.exit_code == 1
    assert "already installed as NATO" in older_nato.stderr
    assert len(table_rows(node, InstalledPolicy)) == 1


@pytest.mark.parametrize(
    ("file", "fault"),
    [
        ("duplicate-classification-lacv", "duplicate classification lacv 1"),
        ("unknown-required-tag-set", "restrictive tag set 'Nowhere'"),
        ("unknown-marking-code", "unknown marking code 'pageMiddle'"),
    ],
)
def test_policy_load_of_a_broken_spif_fails_naming_the_fault(
    liaison: Run, node: Node, file: str, fault: str
) -> None:
    result = liaison("policy", "load", BROKEN / f"{file}.spif.xml")
    assert result.exit_code != 0
    assert fault in result.stderr
    assert isinstance(result.exception, SystemExit)  # a clean exit, no traceback
    assert table_rows(node, InstalledPolicy) == []


def test_policy_load_of_a_missing_file_is_a_usage_error(liaison: Run, tmp_path: Path) -> None:
    result = liaison("policy", "load", tmp_path / "nowhere.xml")
    assert result.exit_code == 2


# --- liaison labels render -----------------------------------------------------------------


def table17_expected() -> dict[tuple[str, str], str]:
    """(label, language) -> marking, from spiffing's tests.xml for the 4774 XML labels."""
    tests = SafeElementTree.parse(TABLE17 / "tests.xml").getroot()
    expected: dict[tuple[str, str], str] = {}
    for test in tests.iter("test"):
        name = test.get("label", "")
        if name.startswith("nato-4774-17-") and test.get("label-marking"):
            stem = name.removesuffix(".xml").removesuffix(".nato")
            lang = test.get(XML_LANG, "en")[:2]
            expected[(stem, lang)] = test.get("label-marking", "")
    return expected


EXPECTED = table17_expected()
# tests.xml gives French only for 17-1; the others follow the same SPIF's French marking data
# (classification phrases, "Communicable a " prefix, country names, " SEULEMENT" suffix).
FRENCH = {
    "nato-4774-17-2": "NATO SANS CLASSIFICATION",
    "nato-4774-17-3": "NATO SANS CLASSIFICATION - STAFF",
    "nato-4774-17-4": "NATO DIFFUSION RESTREINTE Communicable a Japon, Suisse, Ukraine",
    "nato-4774-17-6": "NATO/KFOR CONFIDENTIEL Irlande, Suède, Ukraine, NATO SEULEMENT",
}
TABLE17_CASES = [
    ("nato-4774-17-1", "en", "NATO UNCLASSIFIED Releasable to ISAF, KFOR, RESOLUTE SUPPORT"),
    (
        "nato-4774-17-1",
        "fr",
        "NATO SANS CLASSIFICATION Communicable a ISAF, KFOR, RESOLUTE SUPPORT",
    ),
    ("nato-4774-17-2", "en", "NATO UNCLASSIFIED"),
    ("nato-4774-17-3", "en", "NATO UNCLASSIFIED - STAFF"),
    ("nato-4774-17-4", "en", "NATO RESTRICTED Releasable to Japan, Switzerland, Ukraine"),
    ("nato-4774-17-6", "en", "NATO/KFOR CONFIDENTIAL Ireland, Sweden, Ukraine, NATO ONLY"),
    *((name, "fr", marking) for name, marking in FRENCH.items()),
]


def test_the_expected_markings_are_those_of_tests_xml() -> None:
    from_tests_xml = {(n, lang): m for n, lang, m in TABLE17_CASES if (n, lang) in EXPECTED}
    assert from_tests_xml == EXPECTED
    assert len(EXPECTED) == 6  # 17-1 (en, fr), 17-2, 17-3, 17-4, 17-6


@pytest.mark.parametrize(("name", "lang", "marking"), TABLE17_CASES)
def test_labels_render_gives_the_table17_markings(
    liaison: Run, name: str, lang: str, marking: str
) -> None:
    label = TABLE17 / f"{name}.nato.xml"
    result = liaison("labels", "render", label, "--lang", lang, "--policy", TABLE17_SPIF)
    assert result.exit_code == 0, result.output
    assert result.stdout == marking + "\n"


def test_english_is_the_default_language(liaison: Run) -> None:
    label = TABLE17 / "nato-4774-17-4.nato.xml"
    result = liaison("labels", "render", label, "--policy", TABLE17_SPIF)
    assert result.stdout == "NATO RESTRICTED Releasable to Japan, Switzerland, Ukraine\n"


@pytest.mark.parametrize(
    ("name", "portion"),
    [
        # The older SPIF gives no portion phrases: the portion mark is the classification.
        ("nato-4774-17-1", "UNCLASSIFIED"),
        ("nato-4774-17-4", "RESTRICTED"),
        ("nato-4774-17-6", "CONFIDENTIAL"),
    ],
)
def test_labels_render_portion_under_the_table17_spif(
    liaison: Run, name: str, portion: str
) -> None:
    label = TABLE17 / f"{name}.nato.xml"
    result = liaison("labels", "render", label, "--portion", "--policy", TABLE17_SPIF)
    assert result.exit_code == 0, result.output
    assert result.stdout == portion + "\n"


SECRET_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<originatorConfidentialityLabel xmlns="{NS}">
  <ConfidentialityInformation>
    <PolicyIdentifier URI="urn:oid:1.3.26.1.3.1">NATO</PolicyIdentifier>
    <Classification>SECRET</Classification>
    <Category TagName="Releasable To" Type="PERMISSIVE">
      <GenericValue>GBR</GenericValue>
      <GenericValue>FRA</GenericValue>
    </Category>
    <Category TagName="Special Category Designators" Type="RESTRICTIVE">
      <GenericValue>ATOMAL</GenericValue>
    </Category>
  </ConfidentialityInformation>
</originatorConfidentialityLabel>"""


@pytest.mark.parametrize(
    ("options", "marking"),
    [
        ((), "NATO SECRET ATOMAL Releasable to France, United Kingdom"),
        (("--lang", "fr"), "NATO SECRET ATOMAL Communicable à France, Royaume-Uni"),
        (("--portion",), "NS"),
        (("--portion", "--lang", "fr"), "NS"),
    ],
)
def test_labels_render_under_the_nodes_own_policy(
    liaison: Run, tmp_path: Path, options: tuple[str, ...], marking: str
) -> None:
    label = write(tmp_path / "secret.xml", SECRET_XML)
    result = liaison("labels", "render", label, *options)
    assert result.exit_code == 0, result.output
    assert result.stdout == marking + "\n"


def test_a_table17_label_is_not_valid_under_the_nodes_policy(liaison: Run) -> None:
    result = liaison("labels", "render", TABLE17 / "nato-4774-17-1.nato.xml")
    assert result.exit_code == 2
    assert "'Context'" in result.stderr


@pytest.mark.parametrize("options", [(), ("--lang", "fr"), ("--portion",)])
def test_labels_render_of_the_invalid_17_5_exits_2(liaison: Run, options: tuple[str, ...]) -> None:
    label = TABLE17 / "nato-4774-17-5.nato.xml"
    result = liaison("labels", "render", label, *options, "--policy", TABLE17_SPIF)
    assert result.exit_code == 2
    assert "'EAPC' in 'Releasable To' is excluded at classification 'CONFIDENTIAL'" in result.stderr
    assert result.stdout == ""


def test_labels_render_refuses_an_unknown_language(liaison: Run) -> None:
    label = TABLE17 / "nato-4774-17-2.nato.xml"
    result = liaison("labels", "render", label, "--lang", "de", "--policy", TABLE17_SPIF)
    assert result.exit_code == 2
    assert "unknown language 'de'" in result.stderr


def test_labels_render_with_a_broken_policy_file_exits_2(liaison: Run) -> None:
    label = TABLE17 / "nato-4774-17-2.nato.xml"
    spif = BROKEN / "duplicate-classification-name.spif.xml"
    result = liaison("labels", "render", label, "--policy", spif)
    assert result.exit_code == 2
    assert "duplicate classification name 'LOW'" in result.stderr


# --- liaison labels check ------------------------------------------------------------------


def clearance_file(tmp_path: Path, document: object, name: str = "clearance.json") -> Path:
    text = document if isinstance(document, str) else json.dumps(document)
    return write(tmp_path / name, text)


BRITISH_ATOMAL = {
    "policy": "NATO",
    "classifications": ["NATO UNCLASSIFIED", "NATO RESTRICTED", "NATO CONFIDENTIAL", "NATO SECRET"],
    "categories": {"Releasable To": ["GBR", "NATO"], "Special Category Designators": ["ATOMAL"]},
}


def check(liaison: Run, tmp_path: Path, clearance: object, *options: object) -> Result:
    label = write(tmp_path / "secret.xml", SECRET_XML)
    return liaison(
        "labels", "check", label, "--clearance", clearance_file(tmp_path, clearance), *options
    )


def test_labels_check_grants_exit_0(liaison: Run, tmp_path: Path) -> None:
    result = check(liaison, tmp_path, BRITISH_ATOMAL)
    assert result.exit_code == 0, result.output
    assert result.stdout == "granted\n"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"classifications": ["NATO UNCLASSIFIED", "NATO CONFIDENTIAL"]}, "SECRET"),
        (
            {
                "categories": {
                    "Releasable To": ["DEU", "NATO"],
                    "Special Category Designators": ["ATOMAL"],
                }
            },
            "Releasable To",
        ),
        ({"categories": {"Releasable To": ["GBR"]}}, "ATOMAL"),
    ],
    ids=["classification", "releasability", "caveat"],
)
def test_labels_check_denies_exit_1_with_the_reason(
    liaison: Run, tmp_path: Path, change: dict[str, object], reason: str
) -> None:
    result = check(liaison, tmp_path, {**BRITISH_ATOMAL, **change})
    assert result.exit_code == 1
    assert result.stdout.startswith("denied: ")
    assert reason in result.stdout
    assert len(result.stdout.splitlines()) == 1


def test_labels_check_of_another_policys_clearance_is_denied(liaison: Run, tmp_path: Path) -> None:
    demo = {"policy": "DEMO-GBR", "classifications": ["OFFICIAL", "SECRET", "TOP SECRET"]}
    result = check(liaison, tmp_path, demo)
    assert result.exit_code == 1
    assert result.stdout.startswith("denied: ")


@pytest.mark.parametrize(
    ("clearance", "context", "exit_code"),
    [
        (["UNCLASSIFIED"], ["NATO"], 0),
        (["UNCLASSIFIED"], ["EAPC"], 1),
        (["RESTRICTED"], ["NATO"], 1),
    ],
)
def test_labels_check_under_the_table17_spif(
    liaison: Run, tmp_path: Path, clearance: list[str], context: list[str], exit_code: int
) -> None:
    held = {
        "policy": "NATO",
        "classifications": clearance,
        "categories": {"Context": context, "Releasable To": ["KFOR"]},
    }
    label = TABLE17 / "nato-4774-17-1.nato.xml"
    result = liaison(
        "labels",
        "check",
        label,
        "--clearance",
        clearance_file(tmp_path, held),
        "--policy",
        TABLE17_SPIF,
    )
    assert result.exit_code == exit_code, result.output
    assert result.stdout.startswith("granted" if exit_code == 0 else "denied: ")


def test_labels_check_of_the_invalid_17_5_exits_2(liaison: Run, tmp_path: Path) -> None:
    held = {
        "policy": "NATO",
        "classifications": ["CONFIDENTIAL"],
        "categories": {"Releasable To": ["ISAF"]},
    }
    label = TABLE17 / "nato-4774-17-5.nato.xml"
    result = liaison(
        "labels",
        "check",
        label,
        "--clearance",
        clearance_file(tmp_path, held),
        "--policy",
        TABLE17_SPIF,
    )
    assert result.exit_code == 2
    assert "'EAPC' in 'Releasable To' is excluded" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("clearance", "fault"),
    [
        ('{"policy": "NATO", "classifications": ["SECRET"', "clearance"),
        ("[1, 2, 3]", "clearance"),
        ("", "clearance"),
        ({"policy": "NATO", "classifications": ["ULTRA"]}, "unknown classification 'ULTRA'"),
        ({"policy": "ELSEWHERE", "classifications": ["SECRET"]}, "unknown policy 'ELSEWHERE'"),
        (
            {
                "policy": "NATO",
                "classifications": ["SECRET"],
                "categories": {"Releasable To": ["XYZ"]},
            },
            "unknown value 'XYZ'",
        ),
    ],
    ids=["truncated", "not-an-object", "empty", "classification", "policy", "value"],
)
def test_labels_check_of_a_malformed_clearance_exits_2(
    liaison: Run, tmp_path: Path, clearance: object, fault: str
) -> None:
    result = check(liaison, tmp_path, clearance)
    assert result.exit_code == 2, result.output
    assert fault in result.stderr
    assert result.stdout == ""


HOSTILE = {
    "billion-laughs": f"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<originatorConfidentialityLabel xmlns="{NS}"><ConfidentialityInformation>
<PolicyIdentifier>NATO</PolicyIdentifier><Classification>&lol3;</Classification>
</ConfidentialityInformation></originatorConfidentialityLabel>""",
    "external-entity": f"""<?xml version="1.0"?>
<!DOCTYPE l [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<originatorConfidentialityLabel xmlns="{NS}"><ConfidentialityInformation>
<PolicyIdentifier>NATO</PolicyIdentifier><Classification>&x;</Classification>
</ConfidentialityInformation></originatorConfidentialityLabel>""",
    "deep": "<a>" * 100_000 + "</a>" * 100_000,
    "oversized": SECRET_XML.replace(
        "<Classification>", "<!--" + "x" * 70_000 + "--><Classification>"
    ),
    "not-xml": "this is not XML",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_label_files_exit_2(liaison: Run, tmp_path: Path, name: str) -> None:
    label = write(tmp_path / "hostile.xml", HOSTILE[name])
    clearance = clearance_file(tmp_path, BRITISH_ATOMAL)
    checked = liaison("labels", "check", label, "--clearance", clearance)
    rendered = liaison("labels", "render", label)
    for result in (checked, rendered):
        assert result.exit_code == 2, result.output
        assert isinstance(result.exception, SystemExit)
        assert "root:" not in result.output
        assert "granted" not in result.stdout
