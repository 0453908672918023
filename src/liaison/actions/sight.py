"""What an action may refer to: only records its actor can see (writes must not probe)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.domain.accounts import Principal
from liaison.domain.audience import Audience, AudienceKind
from liaison.domain.errors import Invalid, NotFound
from liaison.domain.nations import COMMUNITIES, normalize_nation
from liaison.store.labels import authority_of
from liaison.store.models import Alliance, Office, Organization, Person, Post

Seen = TypeVar("Seen", Alliance, Organization, Office, Post, Person)


def seen(
    session: Session,
    actor: Principal,
    model: type[Seen],
    record_id: uuid.UUID,
    what: str,
    *,
    lock: bool = False,
) -> Seen:
    """The record, if the actor may see it; else NotFound, exactly as if it did not exist."""
    row = visible_row(session, actor, model, record_id, lock=lock)
    if row is None:
        raise NotFound(f"no such {what}")
    return row


def visible_row(
    session: Session,
    actor: Principal,
    model: type[Seen],
    record_id: uuid.UUID,
    *,
    lock: bool = False,
) -> Seen | None:
    # The filter `queries.visibility.visible()` applies; actions may not import queries.
    if actor.clearance is None:
        return None
    readable = authority_of(session).label_filter(
        session, actor.clearance, model.label_id.expression
    )
    query = select(model).where(model.id == record_id, readable)
    return session.scalars(query.with_for_update() if lock else query).one_or_none()


def check_audiences(
    session: Session, actor: Principal, audiences: Iterable[Audience], field: str
) -> list[Audience]:
    """`audiences` once each, in order, each naming something that exists and that the actor
    may see (a hidden office or person is NotFound, as everywhere)."""
    communities = {community.name for community in COMMUNITIES}
    checked = sorted(set(audiences))
    for audience in checked:
        if audience.kind is AudienceKind.NATION:
            normalize_nation(audience.value)
        elif audience.kind is AudienceKind.COMMUNITY and audience.value not in communities:
            known = ", ".join(sorted(communities))
            raise Invalid(f"unknown community {audience.value}: one of {known}", field)
        elif audience.kind is AudienceKind.OFFICE:
            seen(session, actor, Office, uuid.UUID(audience.value), "office")
        elif audience.kind is AudienceKind.PERSON:
            seen(session, actor, Person, uuid.UUID(audience.value), "person")
    return checked
