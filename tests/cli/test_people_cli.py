"""`liaison people import|export --as USER`: all-or-nothing CSV import, export of what one sees."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from liaison.actions.accounts import do_set_clearance
from liaison.cli.main import app
from liaison.domain.accounts import SYSTEM
from liaison.node import Node
from liaison.security import Clearance, clearance_to_json
from liaison.store.models import AuditEntry, Person, PersonLanguage, User
from tests.cli.test_cli import assert_one_line_failure
from tests.conftest import UserFactory, table_rows, write
from tests.people_fixtures import (
    GBR_SECRET,
    RELEASABLE,
    UP_TO_SECRET,
    Office,
    build_office,
    person,
)

runner = CliRunner()
HEADER = (
    "family_name,given_names,rank_code,rank_title,service,nation,email,phone,"
    "clearance_policy,clearance_level,clearance_special,clearance_issued,clearance_expires,"
    "languages\n"
)
GOOD = (
    "Durand,Camille,OF-3,Commandant,Armée de Terre,FRA,c.durand@example.org,+33 1 23 45 67 89,"
    ",,,,,fra=5/5/5/5;eng=3+/3/3/2\n"
    "Smith,Alex,OF-4,Lieutenant Colonel,British Army,GBR,,,DEMO-GBR,SECRET,,2024-01-01,"
    "2029-12-31,eng=5/5/5/5\n"
)


@pytest.fixture
def env(node: Node) -> dict[str, str]:
    return {
        "LIAISON_DATA_DIR": str(node.settings.data_dir),
        "LIAISON_DATABASE_URL": node.settings.resolved_database_url,
        "LIAISON_NODE_NAME": node.settings.node_name,
    }


@pytest.fixture
def office(node: Node, make_user: UserFactory) -> Office:
    """The UK office; `chief` (admin, officer, security officer, NATO SECRET releasable to GBR)
    and `reader` (officer, NATO RESTRICTED only)."""
    built = build_office(node)
    chief = make_user("chief", "admin", "officer", "security_officer")
    reader = make_user("reader", "officer")

    def clear(session: Session) -> None:
        for user, classes in (
            (chief, UP_TO_SECRET),
            (reader, frozenset({"UNCLASSIFIED", "RESTRICTED"})),
        ):
            clearance = Clearance("NATO", classes, {RELEASABLE: frozenset({"GBR", "NATO"})})
            do_set_clearance(session, SYSTEM, user.id, clearance_to_json(clearance))

    write(node, clear)
    return built


def run(env: dict[str, str], *args: str) -> Result:
    return runner.invoke(app, list(args), env=env)


def csv_file(tmp_path: Path, text: str, *, bom: bool = False) -> str:
    path = tmp_path / "people.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())
    return str(path)


def test_import_creates_people_through_the_actions(
    env: dict[str, str], office: Office, node: Node, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, HEADER + GOOD, bom=True)
    result = run(env, "people", "import", path, "--as", "chief", "--office", str(office.office))
    assert result.exit_code == 0, result.output
    assert "imported 2 people" in result.output
    people = {row["family_name"]: row for row in table_rows(node, Person)}
    assert set(people) == {"Durand", "Smith"}
    assert people["Smith"]["clearance_level"] == "SECRET"
    assert people["Durand"]["office_id"] == office.office
    languages = {(row["language"], row["profile"]) for row in table_rows(node, PersonLanguage)}
    assert ("fra", "5/5/5/5") in languages
    assert ("eng", "3+/3/3/2") in languages
    actions = [row["action"] for row in table_rows(node, AuditEntry)]
    assert actions.count("person.create") == 2
    assert "person.clearance" in actions


def test_three_bad_rows_are_all_reported_and_nothing_is_imported(
    env: dict[str, str], office: Office, node: Node, tmp_path: Path
) -> None:
    text = (
        HEADER
        + GOOD
        + "Bad,Rank,XX-9,Major,Army,GBR,,,,,,,,\n"  # line 4
        + "Brown,Sam,OF-2,Captain,Army,ZZZ,,,,,,,,eng=7/7/7/7\n"  # line 5: two fields
        + "Green,Kim,OF-2,Captain,Army,GBR,,,,,,not-a-date,,\n"  # line 6
    )
    path = csv_file(tmp_path, text)
    result = run(env, "people", "import", path, "--as", "chief", "--office", str(office.office))
    assert result.exit_code == 1
    assert "line 4: rank_code" in result.output
    assert "line 5: nation" in result.output
    assert "line 5: languages" in result.output
    assert "line 6: clearance" in result.output
    assert "line 2" not in result.output
    assert "line 3" not in result.output
    assert "nothing imported" in result.output
    assert table_rows(node, Person) == []


def test_a_row_the_actions_refuse_rolls_back_every_row(
    env: dict[str, str], office: Office, node: Node, tmp_path: Path
) -> None:
    text = HEADER + GOOD + "Low,Pat,OF-2,Captain,Army,GBR,not-an-email,,DEMO-GBR,ULTRA,,,,\n"
    path = csv_file(tmp_path, text)
    result = run(env, "people", "import", path, "--as", "chief", "--office", str(office.office))
    assert result.exit_code == 1
    assert "line 4: email" in result.output
    assert table_rows(node, Person) == []


def test_export_shows_only_what_the_user_may_see_and_round_trips(
    env: dict[str, str], office: Office, node: Node, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, HEADER + GOOD)
    imported = run(env, "people", "import", path, "--as", "chief", "--office", str(office.office))
    assert imported.exit_code == 0, imported.output
    write(node, lambda session: person(session, "Hidden", label=GBR_SECRET))

    chief = run(env, "people", "export", "--as", "chief")
    assert chief.exit_code == 0, chief.output
    rows = list(csv.DictReader(io.StringIO(chief.output)))
    assert {row["family_name"] for row in rows} == {"Durand", "Smith", "Hidden"}
    durand = next(row for row in rows if row["family_name"] == "Durand")
    assert durand["languages"] == "eng=3+/3/3/2;fra=5/5/5/5"
    expected = list(csv.DictReader(io.StringIO(HEADER + GOOD)))
    smith = next(row for row in rows if row["family_name"] == "Smith")
    assert smith == expected[1]

    reader = run(env, "people", "export", "--as", "reader", "--format", "json")
    assert reader.exit_code == 0, reader.output
    names = {document["family_name"] for document in json.loads(reader.output)}
    assert names == {"Durand", "Smith"}  # NATO RESTRICTED records, not the GBR SECRET one

    # What was exported imports again (all or nothing, so into an empty database here).
    exported = tmp_path / "exported.csv"
    exported.write_text(chief.output, encoding="utf-8")
    again = run(
        env, "people", "import", str(exported), "--as", "chief", "--office", str(office.office)
    )
    assert again.exit_code == 0, again.output
    assert len(table_rows(node, Person)) == 6


def test_unknown_or_inactive_user_is_one_line(
    env: dict[str, str], office: Office, node: Node, make_user: UserFactory, tmp_path: Path
) -> None:
    line = assert_one_line_failure(run(env, "people", "export", "--as", "ghost"))
    assert "ghost" in line
    retired = make_user("retired", "officer")

    def deactivate(session: Session) -> None:
        user = session.get(User, retired.id)
        assert user is not None
        user.is_active = False

    write(node, deactivate)
    assert "retired" in assert_one_line_failure(run(env, "people", "export", "--as", "retired"))
    path = csv_file(tmp_path, HEADER + GOOD)
    imported = run(env, "people", "import", path, "--as", "ghost", "--office", str(office.office))
    assert "ghost" in assert_one_line_failure(imported)


def test_the_header_and_the_file_size_are_checked(
    env: dict[str, str], office: Office, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, "family_name,nickname\nSmith,Al\n")
    result = run(env, "people", "import", path, "--as", "chief", "--office", str(office.office))
    line = assert_one_line_failure(result)
    assert "missing column given_names" in line
    assert "unknown column 'nickname'" in line
    with (tmp_path / "huge.csv").open("wb") as huge:
        huge.truncate(10 * 1024 * 1024 + 1)
    result = run(
        env,
        "people",
        "import",
        str(tmp_path / "huge.csv"),
        "--as",
        "chief",
        "--office",
        str(office.office),
    )
    assert "more than" in assert_one_line_failure(result)


def test_records_need_an_office_or_a_label(
    env: dict[str, str], office: Office, node: Node, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, HEADER + GOOD)
    line = assert_one_line_failure(run(env, "people", "import", path, "--as", "chief"))
    assert "--office" in line
    label = tmp_path / "label.json"
    label.write_text(json.dumps({"policy": "NATO", "classification": "RESTRICTED"}))
    result = run(env, "people", "import", path, "--as", "chief", "--label", str(label))
    assert result.exit_code == 0, result.output
    assert {row["office_id"] for row in table_rows(node, Person)} == {None}
