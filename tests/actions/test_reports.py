"""Reports through the actions: labels and rollup, no write-up, the release workflow, tear
lines, versions, acknowledgement, spillage, and who sees what at each step."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from sqlalchemy import select

from liaison.actions.release import TearLinePortion, do_release, do_return, do_sanitize
from liaison.actions.reports import (
    do_acknowledge,
    do_declare_spill,
    do_new_version,
    do_note_read,
    do_submit_report,
    do_update_report,
)
from liaison.domain.accounts import Role
from liaison.domain.errors import Conflict, Forbidden, Invalid, NotFound, Stale
from liaison.domain.reports import Audience, AudienceKind, ReportState
from liaison.node import Node
from liaison.queries import audit
from liaison.queries import reports as queries
from liaison.queries.audit import AuditFilter
from liaison.queries.notifications import list_notifications
from liaison.store.models import Notification, Report, StoredLabel
from tests.conftest import table_rows
from tests.org_fixtures import nato
from tests.report_fixtures import (
    DTG,
    NATO_SECRET_REL_GBR,
    NATO_SECRET_REL_GBR_FRA,
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


def sees(node: Node, world: World, who: str, report_id: uuid.UUID) -> bool:
    viewer = world.principal(node, who)
    with node.db.reading() as session:
        try:
            queries.get_report(session, viewer, report_id)
        except NotFound:
            return False
        listed = {r.id for r in queries.list_reports(session, viewer, limit=500).items}
        assert listed == listed | {report_id} or report_id not in listed
        return report_id in listed


def overall(node: Node, report_id: uuid.UUID) -> dict[str, object]:
    with node.db.reading() as session:
        report = session.get(Report, report_id)
        assert report is not None
        label = session.get(StoredLabel, report.label_id)
        assert label is not None
        return label.canonical


def test_the_overall_label_is_the_rollup_of_the_portions(node: Node, world: World) -> None:
    report_id = draft(
        node,
        world,
        portions=[
            ("Routine movement.", nato("RESTRICTED")),
            ("Source detail.", NATO_SECRET_REL_GBR),
        ],
    )
    label = overall(node, report_id)
    assert label["classification"] == "SECRET"
    assert label["categories"] == [
        {"tag_set": "Releasable To", "type": "PERMISSIVE", "values": ["GBR"]}
    ]


def test_a_portion_above_the_authors_clearance_is_refused(node: Node, world: World) -> None:
    with pytest.raises(Invalid, match="above your own clearance"):
        draft(node, world, author="gbr_low", portions=[("Too high.", NATO_SECRET_REL_GBR)])


def test_portions_with_nothing_in_common_are_refused(node: Node, world: World) -> None:
    with pytest.raises(Invalid, match="nothing in common"):
        draft(node, world, portions=[("A.", NATO_SECRET_REL_GBR), ("B.", nato("SECRET", "NATO"))])


def test_a_draft_is_seen_by_its_author_alone(node: Node, world: World) -> None:
    report_id = draft(node, world, recipients=[nation("GBR"), nation("FRA")])
    assert sees(node, world, "gbr_author", report_id)
    for other in ("gbr_fdo", "gbr_security", "fra_reader", "usa_reader", "gbr_low"):
        assert not sees(node, world, other, report_id), other


def test_national_distribution_is_released_on_submit(node: Node, world: World) -> None:
    report_id = draft(
        node, world, portions=[("UK only.", NATO_SECRET_REL_GBR)], recipients=[nation("GBR")]
    )
    report = act(node, world, "gbr_author", do_submit_report, report_id)
    assert report.state == ReportState.RELEASED
    assert sees(node, world, "gbr_fdo", report_id)
    assert not sees(node, world, "gbr_low", report_id)  # on the list, but cleared too low
    assert not sees(node, world, "fra_reader", report_id)


def test_release_beyond_the_nation_waits_for_the_releasing_officer(
    node: Node, world: World
) -> None:
    report_id = draft(
        node,
        world,
        portions=[("Shared assessment.", NATO_SECRET_REL_GBR_FRA)],
        recipients=[nation("GBR"), nation("FRA")],
    )
    act(node, world, "gbr_author", do_submit_report, report_id)
    assert not sees(node, world, "fra_reader", report_id)
    with node.db.reading() as session:
        queue = queries.list_reports(session, world.principal(node, "gbr_fdo"), queue=True)
        assert [r.id for r in queue.items] == [report_id]
    with pytest.raises(Forbidden):
        act(node, world, "gbr_author", do_release, report_id)
    act(node, world, "gbr_fdo", do_release, report_id, targets=[nation("FRA")], reason="agreed")
    assert sees(node, world, "fra_reader", report_id)
    assert not sees(node, world, "usa_reader", report_id)
    rows = table_rows(node, Notification, Notification.report_id == report_id)
    told = {row["user_id"] for row in rows if row["kind"] == "report.released"}
    assert world.users["fra_reader"] in told
    assert world.users["usa_reader"] not in told


def test_a_target_the_label_does_not_release_to_is_refused(node: Node, world: World) -> None:
    report_id = draft(
        node,
        world,
        portions=[("UK eyes only.", NATO_SECRET_REL_GBR)],
        recipients=[nation("FRA")],
    )
    act(node, world, "gbr_author", do_submit_report, report_id)
    with pytest.raises(Invalid, match="not releasable to nation FRA"):
        act(node, world, "gbr_fdo", do_release, report_id)


def test_returned_reports_go_back_to_the_author_for_editing(node: Node, world: World) -> None:
    report_id = draft(node, world, recipients=[nation("FRA")])
    act(node, world, "gbr_author", do_submit_report, report_id)
    act(node, world, "gbr_fdo", do_return, report_id, comments="Remove the grid reference.")
    changed = act(
        node, world, "gbr_author", do_update_report, report_id, title="Armour movement (revised)"
    )
    assert changed.state == ReportState.RETURNED
    with pytest.raises(Stale):
        act(node, world, "gbr_author", do_update_report, report_id, expected_version=1, title="x")


def test_a_released_report_is_not_edited_but_versioned(node: Node, world: World) -> None:
    report_id = draft(node, world, recipients=[nation("GBR")])
    act(node, world, "gbr_author", do_submit_report, report_id)
    with pytest.raises(Conflict, match="new version"):
        act(node, world, "gbr_author", do_update_report, report_id, title="changed")
    version = act(node, world, "gbr_author", do_new_version, report_id, origin="test.liaison")
    assert version.state == ReportState.DRAFT
    assert version.supersedes_id == report_id
    assert not sees(node, world, "gbr_fdo", version.id)


def test_a_tear_line_cannot_be_followed_back(node: Node, world: World) -> None:
    report_id = draft(
        node,
        world,
        portions=[
            ("Source: agent BLUE.", NATO_SECRET_REL_GBR),
            ("Bridge down.", NATO_UNCLASSIFIED),
        ],
        recipients=[nation("GBR"), nation("FRA")],
    )
    act(node, world, "gbr_author", do_submit_report, report_id)
    tear_line = act(
        node,
        world,
        "gbr_fdo",
        do_sanitize,
        report_id,
        title="Bridge status",
        portions=[TearLinePortion(NATO_UNCLASSIFIED, from_position=2)],
        recipients=[nation("FRA")],
        origin="test.liaison",
    )
    assert not sees(node, world, "fra_reader", report_id)
    viewer = world.principal(node, "fra_reader")
    with node.db.reading() as session:
        seen = queries.get_report(session, viewer, tear_line.id)
        assert seen.sanitized_from is None
        assert [p.text for p in seen.portions] == ["Bridge down."]
    with node.db.reading() as session:
        fdo = queries.get_report(session, world.principal(node, "gbr_fdo"), tear_line.id)
        assert fdo.sanitized_from == report_id


def test_acknowledgement_board_lists_only_allowed_readers(node: Node, world: World) -> None:
    report_id = draft(
        node,
        world,
        portions=[("Act on this.", NATO_SECRET_REL_GBR_FRA)],
        recipients=[nation("GBR"), nation("FRA")],
        ack_by=DTG,
    )
    act(node, world, "gbr_author", do_submit_report, report_id)
    act(node, world, "gbr_fdo", do_release, report_id)
    act(node, world, "fra_reader", do_acknowledge, report_id)
    with node.db.reading() as session:
        board = queries.acknowledgement_board(
            session, world.principal(node, "gbr_author"), report_id
        )
    names = {line.user_id: line for line in board}
    assert names[world.users["fra_reader"]].acknowledged_at is not None
    assert world.users["gbr_low"] not in names
    assert world.users["usa_reader"] not in names
    with node.db.reading() as session, pytest.raises(Forbidden):
        queries.acknowledgement_board(session, world.principal(node, "fra_reader"), report_id)
    with pytest.raises(NotFound):
        act(node, world, "usa_reader", do_acknowledge, report_id)


def test_a_spilled_report_is_quarantined_and_its_readers_known(node: Node, world: World) -> None:
    report_id = draft(node, world, recipients=[nation("GBR")])
    act(node, world, "gbr_author", do_submit_report, report_id)
    act(node, world, "gbr_fdo", do_note_read, report_id, "read")
    assert act(node, world, "fra_reader", do_note_read, report_id, "read") is None
    with pytest.raises(Forbidden):
        act(node, world, "gbr_fdo", do_declare_spill, report_id, reason="too low")
    act(node, world, "gbr_security", do_declare_spill, report_id, reason="holds SECRET detail")
    assert not sees(node, world, "gbr_fdo", report_id)
    assert not sees(node, world, "gbr_author", report_id)
    assert sees(node, world, "gbr_security", report_id)
    with node.db.reading() as session:
        reads = queries.who_read(session, world.principal(node, "gbr_security"), report_id)
        trace = [(entry.actor_id, entry.decision) for entry in reads]
        notifications = list_notifications(session, world.principal(node, "gbr_fdo"))
    assert trace == [
        (world.users["gbr_fdo"], "granted"),
        (world.users["fra_reader"], "denied"),
    ]
    assert all(report is None or report.id != report_id for _, report, _ in notifications.items)


def test_distribution_to_an_unknown_office_is_refused(node: Node, world: World) -> None:
    with pytest.raises(NotFound):
        draft(node, world, recipients=[Audience(AudienceKind.OFFICE, str(uuid.uuid4()))])
    with node.db.reading() as session:
        assert session.scalars(select(Report)).first() is None


def test_the_audit_viewer_hides_entries_about_reports_above_the_viewer(
    node: Node, world: World
) -> None:
    report_id = draft(node, world, portions=[("UK only.", NATO_SECRET_REL_GBR)])
    low_officer = replace(
        world.principal(node, "gbr_low"), roles=frozenset({Role.SECURITY_OFFICER})
    )
    everything = AuditFilter(object_id=str(report_id))
    with node.db.reading() as session:
        seen = audit.list_entries(
            session, world.principal(node, "gbr_security"), everything, None, 50
        )
        hidden = audit.list_entries(session, low_officer, everything, None, 50)
        assert [entry.action for entry in seen.items] == ["report.create"]
        assert hidden.items == []


def test_reports_awaiting_my_acknowledgement(node: Node, world: World) -> None:
    report_id = draft(
        node,
        world,
        portions=[("Act on this.", NATO_SECRET_REL_GBR_FRA)],
        recipients=[nation("GBR"), nation("FRA")],
        ack_by=DTG,
    )
    act(node, world, "gbr_author", do_submit_report, report_id)
    act(node, world, "gbr_fdo", do_release, report_id)

    def waiting(who: str) -> list[uuid.UUID]:
        with node.db.reading() as session:
            viewer = world.principal(node, who)
            return [r.id for r in queries.awaiting_acknowledgement(session, viewer)]

    assert waiting("fra_reader") == [report_id]
    assert waiting("usa_reader") == []
    assert waiting("gbr_author") == []  # one's own report
    act(node, world, "fra_reader", do_acknowledge, report_id)
    assert waiting("fra_reader") == []


def test_a_releasing_officer_does_not_release_their_own_report(node: Node, world: World) -> None:
    report_id = draft(
        node,
        world,
        author="gbr_fdo",
        portions=[("Shared.", NATO_SECRET_REL_GBR_FRA)],
        recipients=[nation("FRA")],
    )
    act(node, world, "gbr_fdo", do_submit_report, report_id)
    with pytest.raises(Forbidden, match="another releasing officer"):
        act(node, world, "gbr_fdo", do_release, report_id)
    with pytest.raises(Forbidden, match="another releasing officer"):
        act(node, world, "gbr_fdo", do_return, report_id, comments="Mine.")
