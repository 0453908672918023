"""`liaison org chart ROOT --as USER`: the visible chart as Graphviz dot, JSON or a text tree."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from liaison.actions.accounts import do_set_clearance
from liaison.cli.main import app
from liaison.cli.org import quote
from liaison.domain.accounts import SYSTEM
from liaison.node import Node
from liaison.security import Clearance, clearance_to_json
from tests.cli.test_cli import assert_one_line_failure
from tests.conftest import UserFactory, write
from tests.org_fixtures import RELEASABLE, UP_TO_SECRET, Corps, build_corps

runner = CliRunner()
NODE = re.compile(r"^  (\w+) \[label=(\"(?:[^\"\\]|\\.)*\")")
EDGE = re.compile(r"^  (\w+) -> (\w+);$")


@pytest.fixture
def env(node: Node) -> dict[str, str]:
    return {
        "LIAISON_DATA_DIR": str(node.settings.data_dir),
        "LIAISON_DATABASE_URL": node.settings.resolved_database_url,
        "LIAISON_NODE_NAME": node.settings.node_name,
    }


@pytest.fixture
def corps(node: Node, make_user: UserFactory) -> Corps:
    """The corps; `briton` sees GBR SECRET, `french` (releasable FRA and NATO) does not."""
    built = build_corps(node)
    users = {"briton": "GBR", "french": "FRA"}
    made = {name: make_user(name, "officer", nation=nation) for name, nation in users.items()}

    def clear(session: Session) -> None:
        for name, nation in users.items():
            clearance = Clearance("NATO", UP_TO_SECRET, {RELEASABLE: frozenset({nation, "NATO"})})
            do_set_clearance(session, SYSTEM, made[name].id, clearance_to_json(clearance))

    write(node, clear)
    return built


def chart(env: dict[str, str], *args: str) -> Result:
    return runner.invoke(app, ["org", "chart", *args], env=env)


def test_dot_output_is_a_digraph_of_the_visible_chart(env: dict[str, str], corps: Corps) -> None:
    result = chart(env, str(corps.hq), "--as", "briton", "--format", "dot")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "digraph org_chart {"
    assert lines[-1] == "}"
    declared = [m for line in lines if (m := NODE.match(line))]
    nodes = {m[1]: m[2] for m in declared}
    assert len(nodes) == len(declared)  # each node declared once
    edges = [(m[1], m[2]) for line in lines if (m := EDGE.match(line))]
    assert all(NODE.match(line) or EDGE.match(line) for line in lines[3:-1])
    assert all(start in nodes and end in nodes for start, end in edges)
    # A tree: every node but the root has exactly one parent.
    parents = [end for _, end in edges]
    assert len(parents) == len(set(parents)) == len(nodes) - 1
    labels = set(nodes.values())
    assert '"Multinational Corps North-East"' in labels
    assert '"Special Reconnaissance Cell (GBR)"' in labels
    assert '"Cellule de liaison française"' in labels
    assert any(kind.startswith("post_") for kind in nodes)
    assert f"organization_{corps.hq.hex} -> office_{corps.uk_office.hex};" in result.output


def test_a_reader_sees_no_trace_of_what_is_hidden(env: dict[str, str], corps: Corps) -> None:
    briton = chart(env, str(corps.hq), "--as", "briton")
    french = chart(env, str(corps.hq), "--as", "french")
    assert briton.exit_code == 0, briton.output
    assert french.exit_code == 0, french.output
    assert "Special Reconnaissance Cell" in briton.output
    assert "Special Reconnaissance Cell" not in french.output
    assert "Cell Detachment" not in french.output  # under the hidden cell
    lines = french.output.splitlines()
    assert lines[0] == "Multinational Corps North-East [headquarters]"
    assert "  UK Liaison Office [office]" in lines
    assert "      Chef de la cellule (OF-5 to OF-5, vacant)" in lines


def test_json_and_an_alliance_or_office_root(env: dict[str, str], corps: Corps) -> None:
    result = chart(env, str(corps.exercise), "--as", "briton", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["kind"] == "alliance"
    assert document["id"] == str(corps.exercise)
    office = chart(env, str(corps.fr_office), "--as", "french", "--format", "json")
    assert json.loads(office.output)["offices"][0]["name"] == "Cellule de liaison française"
    for root in (corps.exercise, corps.fr_office):
        dot = chart(env, str(root), "--as", "french", "--format", "dot").output.splitlines()
        declared = [m[1] for line in dot if (m := NODE.match(line))]
        edges = [line for line in dot if EDGE.match(line)]
        assert len(declared) == len(set(declared)) == len(edges) + 1  # one tree


def test_bad_input_is_one_line(env: dict[str, str], corps: Corps) -> None:
    assert "ghost" in assert_one_line_failure(chart(env, str(corps.hq), "--as", "ghost"))
    assert "not an id" in assert_one_line_failure(chart(env, "hq", "--as", "briton"))
    hidden = chart(env, str(corps.hidden_cell), "--as", "french")
    assert_one_line_failure(hidden)  # NotFound, exactly as a missing one
    assert_one_line_failure(chart(env, str(corps.hq), "--as", "briton", "--format", "svg"))


def test_quote_escapes_what_dot_would_read() -> None:
    assert quote('The "Cell"\\HQ\nNorth') == '"The \\"Cell\\"\\\\HQ North"'
