"""Report test data: the corps of `org_fixtures`, and real users (reports name their author)
who must or must not see what is written.

- `gbr_author`, `gbr_fdo` (releasing officer), `gbr_security` (security officer): British,
  cleared to NATO SECRET, releasable to GBR and NATO.
- `fra_reader`: French, cleared to NATO SECRET, releasable to FRA and NATO.
- `usa_reader`: American, same clearance: NATO but never on the test distributions.
- `gbr_low`: British, cleared to NATO RESTRICTED only.
- `gbr_uncleared`: British, no clearance at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from liaison.actions.accounts import do_create_user, do_set_clearance
from liaison.actions.reports import NewPortion, do_create_report
from liaison.domain.accounts import SYSTEM, Principal
from liaison.domain.reports import Audience, AudienceKind, ReportKind
from liaison.node import Node
from liaison.security import Label
from liaison.store.models import User
from tests.conftest import PASSWORD, write
from tests.org_fixtures import NATO_RESTRICTED, Corps, build_corps, nato

NATO_SECRET_REL_GBR = nato("SECRET", "GBR")
NATO_SECRET_REL_GBR_FRA = nato("SECRET", "GBR", "FRA")
NATO_UNCLASSIFIED = nato("UNCLASSIFIED")
DTG = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
LEVELS = ["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"]


@dataclass(frozen=True)
class World:
    corps: Corps
    users: dict[str, uuid.UUID]

    def principal(self, node: Node, name: str) -> Principal:
        with node.db.reading() as session:
            user = session.get(User, self.users[name])
            assert user is not None
            return user.principal()


PEOPLE: dict[str, tuple[str, tuple[str, ...], str | None, tuple[str, ...]]] = {
    # name: (nation, roles, highest level, releasable to)
    "gbr_author": ("GBR", ("officer",), "SECRET", ("GBR", "NATO")),
    "gbr_fdo": ("GBR", ("officer", "releasing_officer"), "SECRET", ("GBR", "NATO")),
    "gbr_security": ("GBR", ("security_officer",), "SECRET", ("GBR", "NATO")),
    "fra_reader": ("FRA", ("officer",), "SECRET", ("FRA", "NATO")),
    "usa_reader": ("USA", ("officer",), "SECRET", ("USA", "NATO")),
    "gbr_low": ("GBR", ("officer",), "RESTRICTED", ("GBR", "NATO")),
    "gbr_uncleared": ("GBR", ("officer",), None, ()),
}


def build_world(node: Node) -> World:
    corps = build_corps(node)

    def users(session: Any) -> dict[str, uuid.UUID]:
        made = {}
        for name, (nation, roles, level, releasable) in PEOPLE.items():
            user = do_create_user(
                session,
                SYSTEM,
                username=name.replace("_", "."),
                display_name=name.replace("_", " ").title(),
                nation=nation,
                roles=list(roles),
                password=PASSWORD,
                origin="test.liaison",
            )
            if level is not None:
                clearance = {
                    "policy": "NATO",
                    "classifications": LEVELS[: LEVELS.index(level) + 1],
                    "categories": {"Releasable To": list(releasable)},
                }
                do_set_clearance(session, SYSTEM, user.id, clearance)
            made[name] = user.id
        return made

    return World(corps, write(node, users))


def nation(code: str) -> Audience:
    return Audience(AudienceKind.NATION, code)


def draft(
    node: Node,
    world: World,
    *,
    author: str = "gbr_author",
    portions: Sequence[tuple[str, Label | None]] = (("Enemy armour seen moving north.", None),),
    recipients: Sequence[Audience] = (),
    title: str = "Armour movement near the river crossing",
    **given: Any,
) -> uuid.UUID:
    actor = world.principal(node, author)
    fields = {
        "kind": ReportKind.FREETEXT,
        "title": title,
        "office_id": world.corps.uk_office,
        "dtg": DTG,
        "portions": [NewPortion(text, label) for text, label in portions],
        "recipients": list(recipients),
        "origin": "test.liaison",
    } | given
    return write(node, lambda session: do_create_report(session, actor, **fields).id)


def act(
    node: Node, world: World, who: str, action: Callable[..., Any], *args: Any, **kw: Any
) -> Any:
    """Run `action(session, <who>, *args, **kw)` in a unit of work of its own."""
    actor = world.principal(node, who)
    return write(node, lambda session: action(session, actor, *args, **kw))


__all__ = ["NATO_RESTRICTED"]
