"""The demo reports (`liaison demo`): written once through the actions, in every state, and
seen by each demo account only as its clearance and the released distribution allow."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from liaison.cli.demo import seed
from liaison.cli.demo_reports import SPECS, TEAR_LINE_OF, TEAR_LINE_TITLE, seed_reports
from liaison.cli.main import app
from liaison.domain.accounts import Principal
from liaison.domain.reports import ReportKind, ReportState
from liaison.node import Node
from liaison.queries.reports import acknowledgement_board, list_reports
from liaison.settings import Settings
from liaison.store.models import Report, ReportRecipient, User
from tests.conftest import empty_tables, sign_in, table_rows

ORIGIN = "demo.liaison"


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, migrated_engine: Engine
) -> Iterator[Node]:
    """One seeded node for the module: these tests only read, bar seeding again."""
    empty_tables(migrated_engine)
    settings = Settings(
        data_dir=Path(tmp_path_factory.mktemp("demo-reports")) / "var",
        database_url=database_url,
        node_name=ORIGIN,
        cookie_secure=False,
    )
    node = Node.open(settings)
    with node.db.writing() as session:
        seed(session, ORIGIN)
    yield node
    node.close()
    empty_tables(migrated_engine)


def account(session: Session, username: str) -> Principal:
    return session.scalars(select(User).where(User.username == username)).one().principal()


def visible(session: Session, username: str) -> dict[str, Report]:
    page = list_reports(session, account(session, username), limit=500)
    assert page.next_cursor is None
    return {report.title: report for report in page.items}


def by_title(session: Session, title: str) -> Report:
    return session.scalars(select(Report).where(Report.title == title)).one()


def test_seeding_twice_writes_the_reports_once(demo: Node) -> None:
    with demo.db.reading() as session:
        before = session.scalar(select(func.count()).select_from(Report))
    assert before == len(SPECS) + 1  # and the tear line
    with demo.db.writing() as session:
        assert seed_reports(session, ORIGIN) == 0
        assert seed(session, ORIGIN) == []
    with demo.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == before


def test_every_kind_state_and_the_tear_line_are_shown(demo: Node) -> None:
    with demo.db.reading() as session:
        reports = list(session.scalars(select(Report)))
        assert {report.kind for report in reports} == set(ReportKind)
        assert {report.state for report in reports} == set(ReportState)
        returned = next(r for r in reports if r.state == ReportState.RETURNED)
        assert returned.return_comments
        tear_line = by_title(session, TEAR_LINE_TITLE)
        assert tear_line.sanitized_from_id == by_title(session, TEAR_LINE_OF).id
        assert tear_line.state == ReportState.RELEASED
        assert all(r.dtg < datetime.now(UTC) for r in reports)
        assert any("é" in r.title for r in reports)  # the French office writes in French


def test_one_acknowledgement_is_overdue_and_others_are_done(demo: Node) -> None:
    with demo.db.reading() as session:
        author = account(session, "gbr.lno")
        overdue = by_title(session, "UK LO daily SITREP, D-3")
        assert overdue.ack_by is not None
        board = acknowledgement_board(session, author, overdue.id)
        assert any(line.overdue for line in board)
        assert any(line.acknowledged_at is not None for line in board)
        bridging = by_title(session, "INTREP: OPFOR bridging equipment near Czaplinek")
        lines = acknowledgement_board(session, author, bridging.id)
        assert [line.nation for line in lines if line.acknowledged_at] == ["FRA"]


def test_the_british_officer_sees_only_what_reaches_them(demo: Node) -> None:
    with demo.db.reading() as session:
        seen = visible(session, "gbr.lno")
        me = account(session, "gbr.lno")
        for title, report in seen.items():
            if report.author_id == me.user_id:
                continue
            assert report.state == ReportState.RELEASED, title
            reached = session.scalars(
                select(ReportRecipient.value).where(
                    ReportRecipient.report_id == report.id,
                    ReportRecipient.released_at.is_not(None),
                )
            )
            assert {"GBR", "NATO"} & set(reached), title
        assert "Draft: handover notes for the relief in place" in seen  # their own draft
        assert "SALUTE: OPFOR air defence battery near Wałcz" in seen  # US, released to GBR
        assert not any(report.author_nation == "FRA" for report in seen.values())
        assert "Draft: US LE notes for the corps commander" not in seen
        assert "INTREP: OPFOR air activity pattern" not in seen  # waiting in the US queue


def test_the_french_officer_sees_what_was_released_to_france_and_no_uk_only_report(
    demo: Node,
) -> None:
    with demo.db.reading() as session:
        seen = visible(session, "fra.lno")
        for title in (
            "INTREP: OPFOR bridging equipment near Czaplinek",
            "INTREP: jamming of corps command nets",  # released to FRA, the USA still waiting
            "Note for the French office: liaison visit",  # to the French office
            TEAR_LINE_TITLE,
            "UK LO daily SITREP, D-4",  # to NATO
            "SITREP quotidien du détachement français, J-3",
        ):
            assert title in seen, title
        for title in (
            TEAR_LINE_OF,  # NATO SECRET releasable to GBR only
            "UK office internal: shift roster",
            "Draft INTREP: OPFOR logistics node",
            "SALUTE: OPFOR reconnaissance troop at Złocieniec",  # submitted, not released
            "INCREP: road traffic accident on the S10",  # returned
            "SALUTE: OPFOR air defence battery near Wałcz",  # US to GBR
            "UK LO daily SITREP, D-1",  # in the UK queue
        ):
            assert title not in seen, title
        assert set(visible(session, "guest")) == set()  # cleared to NATO UNCLASSIFIED only


def test_releasing_officers_see_their_queues(demo: Node) -> None:
    with demo.db.reading() as session:
        british = list_reports(session, account(session, "gbr.fdo"), queue=True).items
        assert {report.title for report in british} == {
            "UK LO daily SITREP, D-1",
            "SALUTE: OPFOR reconnaissance troop at Złocieniec",
        }
        american = list_reports(session, account(session, "usa.fdo"), queue=True).items
        assert [report.title for report in american] == ["INTREP: OPFOR air activity pattern"]


def test_the_demo_command_seeds_reports_and_the_british_releasing_officer(
    tmp_path: Path,
) -> None:
    env = {
        "LIAISON_DATA_DIR": str(tmp_path / "var"),
        "LIAISON_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "LIAISON_NODE_NAME": "fresh.liaison",
    }
    result = CliRunner().invoke(app, ["demo", "--seed-only"], env=env)
    assert result.exit_code == 0, result.output
    assert "gbr.fdo" in result.output
    node = Node.open(
        Settings(
            data_dir=tmp_path / "var",
            database_url=env["LIAISON_DATABASE_URL"],
            node_name="fresh.liaison",
        )
    )
    try:
        assert len(table_rows(node, Report)) == len(SPECS) + 1
        assert sign_in(node, "gbr.fdo", "demo-gbr-ensign-lighthouse").secret is not None
    finally:
        node.close()
