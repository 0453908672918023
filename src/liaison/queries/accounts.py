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
from liaison.store.models import Credential, User
from liaison.store.models.accounts import stored_clearance
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
        User.id,
        User.username,
        User.display_name,
        User.nation,
        User.roles,
        User.clearance,
        Credential.id,
        Credential.expires_at,
        Credential.csrf_token,
    )
    .join(Credential, Credential.user_id == User.id)
    .where(
        Credential.secret_hash == bindparam("digest"),
        Credential.kind == bindparam("kind"),
        Credential.revoked_at.is_(None),
        Credential.expires_at > bindparam("now"),
        User.is_active.is_(True),
    )
)


def holder_of_secret(session: Session, digest: bytes, kind: str) -> Holder | None:
    """The holder of a live (unexpired, unrevoked) credential of this kind, if any."""
    row = session.execute(_HOLDER, {"digest": digest, "kind": kind, "now": utcnow()}).one_or_none()
    if row is None:
        return None
    user_id, username, display_name, nation, roles, clearance, credential_id, expires_at, csrf = row
    principal = Principal(
        user_id=user_id,
        username=username,
        display_name=display_name,
        nation=nation,
        roles=parse_roles(roles),
        credential_id=credential_id,
        clearance=stored_clearance(clearance),
    )
    return Holder(principal, expires_at, csrf)


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
