"""Search: words only reach the engines, hits are marked, and hidden portions never match."""

from __future__ import annotations

import pytest

from liaison.actions.reports import do_submit_report
from liaison.domain.errors import Invalid
from liaison.node import Node
from liaison.queries.search import SearchFilter, search_reports
from liaison.store.search import START, STOP, clean_text, highlighted, search_words
from tests.report_fixtures import (
    NATO_SECRET_REL_GBR,
    NATO_UNCLASSIFIED,
    World,
    act,
    build_world,
    draft,
    nation,
)


@pytest.fixture
def world(node: Node) -> World:
    return build_world(node)


def test_queries_are_reduced_to_words() -> None:
    assert search_words('bridge" OR NEAR(x*, 2) -- ;') == ["bridge", "or", "near", "x", "2"]
    assert search_words("   ") == []


def test_markers_cannot_be_forged_by_stored_text() -> None:
    assert clean_text(f"a{START}b{STOP}c") == "abc"
    assert highlighted(f"the {START}bridge{STOP} is down") == [
        ("the ", False),
        ("bridge", True),
        (" is down", False),
    ]


def test_only_readable_portions_match_and_are_counted(node: Node, world: World) -> None:
    report_id = draft(
        node,
        world,
        portions=[("Ferry crossing open.", NATO_UNCLASSIFIED), ("Ferry codeword KESTREL.", None)],
        recipients=[nation("GBR")],
    )
    act(node, world, "gbr_author", do_submit_report, report_id)
    secret_id = draft(
        node,
        world,
        portions=[("Ferry codeword KESTREL moved.", NATO_SECRET_REL_GBR)],
        recipients=[nation("GBR")],
    )
    act(node, world, "gbr_author", do_submit_report, secret_id)
    with node.db.reading() as session:
        fdo = world.principal(node, "gbr_fdo")
        found = search_reports(session, fdo, "ferry")
        assert {hit.report.id for hit in found.items} == {report_id, secret_id}
        assert found.total == 2
        assert found.facets["classification"] == {"SECRET": 1, "RESTRICTED": 1}
        low = world.principal(node, "gbr_low")
        seen = search_reports(session, low, "kestrel")
        assert [hit.report.id for hit in seen.items] == [report_id]
        assert seen.facets["classification"] == {"RESTRICTED": 1}
        nothing = search_reports(session, low, 'kestrel" OR moved')
        assert nothing.items == []
        assert nothing.total == 0
        narrowed = search_reports(session, fdo, "ferry", SearchFilter(classification="SECRET"))
        assert [hit.report.id for hit in narrowed.items] == [secret_id]
        assert any(match for _, match in found.items[0].snippet)
        with pytest.raises(Invalid):
            search_reports(session, fdo, "?!")
