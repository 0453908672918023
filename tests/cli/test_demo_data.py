"""The demo organization and people (`liaison demo`): seeded once, linked to the demo accounts,
and labelled so that a reader's clearance decides what they see."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from liaison.cli.demo import seed
from liaison.cli.demo_structure import ACCOUNT_PEOPLE, EXERCISE, SEEDER
from liaison.domain.accounts import Principal
from liaison.domain.errors import NotFound
from liaison.node import Node
from liaison.queries.organization import get_post, org_chart, vacancies
from liaison.queries.people import derived_clearance, expiring, list_people
from liaison.settings import Settings
from liaison.store.models import (
    Alliance,
    Area,
    AuditEntry,
    Office,
    Organization,
    Person,
    Post,
    Qualification,
    User,
)
from tests.conftest import empty_tables

ORIGIN = "demo.liaison"
COUNTED = (Alliance, Organization, Office, Post, Area, Person, Qualification, AuditEntry)


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, migrated_engine: Engine
) -> Iterator[Node]:
    """One seeded node for the module: seeding takes seconds, and these tests only read."""
    empty_tables(migrated_engine)
    settings = Settings(
        data_dir=Path(tmp_path_factory.mktemp("demo")) / "var",
        database_url=database_url,
        node_name=ORIGIN,
        cookie_secure=False,
    )
    node = Node.open(settings)
    started = time.perf_counter()
    with node.db.writing() as session:
        seed(session, ORIGIN)
    assert time.perf_counter() - started < 20  # `liaison demo` waits for it
    yield node
    node.close()
    empty_tables(migrated_engine)


def counts(session: Session) -> dict[str, int]:
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in COUNTED
    }


def account(session: Session, username: str) -> Principal:
    user = session.scalars(select(User).where(User.username == username)).one()
    return user.principal()


def family_names(session: Session, viewer: Principal) -> set[str]:
    page = list_people(session, viewer, limit=500)
    assert page.next_cursor is None
    return {person.family_name for person in page.items}


def post_id(session: Session, title: str) -> uuid.UUID:
    return session.scalars(select(Post.id).where(Post.title == title)).one()


def test_seeding_twice_changes_nothing(demo: Node) -> None:
    with demo.db.reading() as session:
        before = counts(session)
    with demo.db.writing() as session:
        assert seed(session, ORIGIN) == []
    with demo.db.reading() as session:
        assert counts(session) == before
        assert session.scalar(select(func.count()).where(Alliance.name == EXERCISE)) == 1


def test_the_demo_has_offices_people_vacancies_and_what_expires(demo: Node) -> None:
    today = datetime.now(UTC).date()
    with demo.db.reading() as session:
        offices = session.scalars(select(Office.name)).all()
        assert len(offices) >= 7  # six NATO nations and a partner, and the corps staff
        people = family_names(session, SEEDER)
        assert 38 <= len(people) <= 45
        nations = set(session.scalars(select(Person.nation)))
        assert {"GBR", "FRA", "DEU", "USA", "POL", "ITA", "AUT"} <= nations
        open_posts = vacancies(session, SEEDER, on=today)
        assert 5 <= len(open_posts) <= 15
        soon = expiring(session, SEEDER, within_days=30, today=today)
        kinds = {entry.kind for entry in soon}
        assert kinds == {"clearance", "qualification"}
        assert len(soon) >= 6
        # One clearance has just expired: it is no clearance, and no longer "expiring".
        garnier = session.scalars(select(Person).where(Person.family_name == "Garnier")).one()
        assert derived_clearance(session, garnier, today).clearance is None
        assert garnier.id not in {entry.person.id for entry in soon}
        areas = session.scalar(select(func.count()).select_from(Area))
        assert areas is not None
        assert areas >= 3
        exercise = session.scalars(select(Alliance.id).where(Alliance.name == EXERCISE)).one()
        chart = org_chart(session, SEEDER, exercise, on=today)
        (corps,) = chart.organizations
        assert len(corps.offices) == len(offices)  # every office is at the corps


def test_a_french_reader_sees_no_british_or_american_secret_records(demo: Node) -> None:
    with demo.db.reading() as session:
        french = account(session, "fra.lno")
        british = account(session, "gbr.lno")
        american = account(session, "usa.fdo")
        eyes_only = post_id(session, "SO2 Intelligence (UK Eyes Only)")
        us_only = post_id(session, "Special Liaison Officer (US Only)")

        seen_by_french = family_names(session, french)
        assert "Marchand" in seen_by_french
        assert "Hughes" in seen_by_french
        assert not {"Ashdown", "Callahan"} & seen_by_french
        with pytest.raises(NotFound):
            get_post(session, french, eyes_only)
        with pytest.raises(NotFound):
            get_post(session, french, us_only)

        seen_by_british = family_names(session, british)
        assert "Ashdown" in seen_by_british
        assert "Callahan" not in seen_by_british
        assert get_post(session, british, eyes_only).title.endswith("(UK Eyes Only)")
        assert "Callahan" in family_names(session, american)
        assert len(seen_by_french) < len(seen_by_british) < len(family_names(session, SEEDER))


def test_the_partner_reads_the_structure_but_not_nato_only_records(demo: Node) -> None:
    today = datetime.now(UTC).date()
    with demo.db.reading() as session:
        huber = session.scalars(select(Person).where(Person.family_name == "Huber")).one()
        clearance = derived_clearance(session, huber, today).clearance
        assert clearance is not None
        assert "NATO" not in clearance.categories["Releasable To"]
        reader = Principal(SEEDER.user_id, "aut", "AUT", "AUT", frozenset(), None, clearance)
        seen = family_names(session, reader)
        assert {"Huber", "Gruber", "Pichler"} == seen  # their own office's records only
        assert len(vacancies(session, reader, on=today)) > 0  # posts are structure: visible


def test_demo_accounts_are_linked_to_their_people(demo: Node) -> None:
    with demo.db.reading() as session:
        for username, (nation, family, given) in ACCOUNT_PEOPLE.items():
            user = session.scalars(select(User).where(User.username == username)).one()
            assert user.person_id is not None, username
            person = session.get(Person, user.person_id)
            assert person is not None
            assert (person.nation, person.family_name, person.given_names) == (
                nation,
                family,
                given,
            )
        security = account(session, "deu.security")
        assert security.clearance is not None
        assert "TOP SECRET" in security.clearance.classifications
        assert "ATOMAL" in security.clearance.categories["Special Category Designators"]
        french = account(session, "fra.lno").clearance
        assert french is not None
        assert french.categories["Releasable To"] >= {"FRA", "NATO"}
