"""Reads about accounts: who holds a bearer secret, and the user directory for administrators."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.domain.accounts import Principal, Role
from liaison.domain.errors import Invalid, NotFound
from liaison.queries.pagination import Page, check_limit, decode_cursor, encode_cursor
from liaison.store.models import Credential, User
from liaison.store.types import utcnow


def principal_for_secret(session: Session, digest: bytes, kind: str) -> Principal | None:
    """The principal holding a live (unexpired, unrevoked) credential of this kind, if any."""
    row = session.execute(
        select(User, Credential.id)
        .join(Credential, Credential.user_id == User.id)
        .where(
            Credential.secret_hash == digest,
            Credential.kind == kind,
            Credential.revoked_at.is_(None),
            Credential.expires_at > utcnow(),
            User.is_active.is_(True),
        )
    ).one_or_none()
    if row is None:
        return None
    user, credential_id = row
    return user.principal(credential_id)


def csrf_token_of(session: Session, credential_id: uuid.UUID) -> str | None:
    return session.scalar(select(Credential.csrf_token).where(Credential.id == credential_id))


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
