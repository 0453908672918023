"""Which audiences (distribution entries, channel members) reach a user: written once, for
reports and channels alike."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from liaison.domain.accounts import Principal
from liaison.domain.audience import Audience, AudienceKind
from liaison.domain.nations import COMMUNITIES, releasability_values
from liaison.store.models import Person, User


def audiences_of(session: Session, viewer: Principal) -> list[Audience]:
    """The distribution entries that reach `viewer`."""
    audiences = []
    if viewer.nation:
        for value in sorted(releasability_values(viewer.nation, COMMUNITIES)):
            kind = AudienceKind.NATION if value == viewer.nation else AudienceKind.COMMUNITY
            audiences.append(Audience(kind, value))
    linked = session.execute(
        select(User.person_id, Person.office_id)
        .outerjoin(Person, Person.id == User.person_id)
        .where(User.id == viewer.user_id)
    ).one_or_none()
    if linked is not None:
        person_id, office_id = linked
        if person_id is not None:
            audiences.append(Audience(AudienceKind.PERSON, str(person_id)))
        if office_id is not None:
            audiences.append(Audience(AudienceKind.OFFICE, str(office_id)))
    return audiences


def audience_clause(
    session: Session,
    viewer: Principal,
    kind: ColumnElement[Any] | Any,
    value: ColumnElement[Any] | Any,
) -> ColumnElement[bool]:
    """A WHERE clause: the (kind, value) columns name an audience that reaches `viewer`."""
    by_kind: dict[str, list[str]] = defaultdict(list)
    for audience in audiences_of(session, viewer):
        by_kind[audience.kind].append(audience.value)
    return or_(
        false(),
        *(and_(kind == name, value.in_(values)) for name, values in sorted(by_kind.items())),
    )


def active_principals(session: Session) -> list[Principal]:
    """Every active user as they would act now (a linked person's clearance included): users
    are few (an office's staff), so callers ask each the same SQL question a read asks."""
    return [user.principal() for user in session.scalars(select(User).where(User.is_active))]
