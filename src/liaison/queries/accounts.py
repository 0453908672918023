"""Reads about accounts: who holds a bearer secret, and the user directory for administrators."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from liaison.domain.accounts import Principal, Role, parse_roles
from liaison.domain.errors import Invalid, NotFound
from liaison.queries.pagination import Page, check_limit, decode_cursor, encode_cursor
from liaison.store.labels import authority_of
from liaison.store.models import Credential, Person, User
from liaison.store.models.accounts import person_clearance, stored_clearance
from liaison.store.types import utcnow


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a live credential, and until when it is valid."""

    principal: Principal
    expires_at: datetime
    csrf_token: str | None


# Built once: statement construction costs more than the indexed lookup itself.
_HOLDER = (
    select(
        User.id.label("user_id"),
        User.username,
        User.display_name,
        User.nation,
        User.roles,
        User.clearance,
        Credential.id.label("credential_id"),
        Credential.expires_at,
        Credential.csrf_token,
        Person.nation.label("person_nation"),
        Person.clearance_policy,
        Person.clearance_level,
        Person.clearance_special,
        Person.clearance_issued,
        Person.clearance_expires,
    )
    .join(Credential, Credential.user_id == User.id)
    .outerjoin(Person, Person.id == User.person_id)
    .where(
        Credential.secret_hash == bindparam("digest"),
        Credential.kind == bindparam("kind"),
        Credential.revoked_at.is_(None),
        Credential.expires_at > bindparam("now"),
        User.is_active.is_(True),
    )
)


def holder_of_secret(session: Session, digest: bytes, kind: str) -> Holder | None:
    """The holder of a live (unexpired, unrevoked) credential of this kind, if any.

    A user linked to a person holds that person's derived clearance, as of today (UTC).
    """
    now = utcnow()
    row = session.execute(_HOLDER, {"digest": digest, "kind": kind, "now": now}).one_or_none()
    if row is None:
        return None
    clearance = stored_clearance(row.clearance)
    if row.person_nation is not None:
        authority = authority_of(session)
        authority.refresh(session, at_once=False)  # nationally cleared under a new policy?
        clearance = person_clearance(
            authority.registry,
            now.date(),
            nation=row.person_nation,
            policy=row.clearance_policy,
            level=row.clearance_level,
            special=row.clearance_special,
            issued=row.clearance_issued,
            expires=row.clearance_expires,
        )
    principal = Principal(
        user_id=row.user_id,
        username=row.username,
        display_name=row.display_name,
        nation=row.nation,
        roles=parse_roles(row.roles),
        credential_id=row.credential_id,
        clearance=clearance,
    )
    return Holder(principal, row.expires_at, row.csrf_token)


def list_users(session: Session, viewer: Principal, cursor: str | None, limit: int) -> Page[User]:
    viewer.require(Role.ADMIN)
    query = select(User).order_by(User.id).limit(check_limit(limit) + 1)
    after = decode_cursor(cursor)
    if after is not None:
        try:
            query = query.where(User.id > uuid.UUID(str(after)))
        except ValueError:
            raise Invalid("malformed cursor", "cursor") from None
    users = list(session.scalars(query))
    more = len(users) > limit
    users = users[:limit]
    return Page(users, encode_cursor(str(users[-1].id)) if more else None)


def get_user(session: Session, viewer: Principal, user_id: uuid.UUID) -> User:
    if viewer.user_id != user_id:
        viewer.require(Role.ADMIN)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    return user
