"""User accounts and their credentials (API tokens and browser sessions)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, object_session

from liaison.domain.accounts import Principal, parse_roles
from liaison.domain.clearances import NationalClearance, derive_clearance
from liaison.security import Clearance, PolicyRegistry
from liaison.store.models.base import Base, Record
from liaison.store.models.people import Person
from liaison.store.types import UTCDateTime, utcnow


class User(Record, Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    nation: Mapped[str] = mapped_column(String(3))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)  # encrypted with the node secret
    totp_enabled: Mapped[bool] = mapped_column(default=False)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)  # refuses replayed codes
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_active: Mapped[bool] = mapped_column(default=True)
    # The person this account belongs to: their clearance is the one access decisions use.
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"), unique=True)
    time_zone: Mapped[str | None] = mapped_column(String(64))  # IANA name; None: UTC
    language: Mapped[str | None] = mapped_column(String(8))  # "en" or "fr"; None: the browser's
    # The clearance in its canonical JSON form (SPIF names), validated when it was set.
    clearance: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    def principal(self, credential_id: uuid.UUID | None = None) -> Principal:
        """The caller this account acts as; a linked person's clearance replaces the account's."""
        clearance = stored_clearance(self.clearance)
        if self.person_id is not None:
            session = object_session(self)
            if session is None:
                raise RuntimeError("a linked user's clearance is derived inside a session")
            # Imported here: store.labels imports the models package this module belongs to.
            from liaison.store.labels import authority_of

            authority = authority_of(session)
            authority.refresh(session, at_once=False)  # nationally cleared under a new policy?
            person = session.get(Person, self.person_id)
            assert person is not None  # the foreign key holds
            clearance = person_clearance(
                authority.registry,
                utcnow().date(),
                nation=person.nation,
                policy=person.clearance_policy,
                level=person.clearance_level,
                special=person.clearance_special,
                issued=person.clearance_issued,
                expires=person.clearance_expires,
            )
        return Principal(
            user_id=self.id,
            username=self.username,
            display_name=self.display_name,
            nation=self.nation,
            roles=parse_roles(self.roles),
            credential_id=credential_id,
            clearance=clearance,
        )


def stored_clearance(document: dict[str, Any] | None) -> Clearance | None:
    """A clearance from its stored canonical form (already validated against its policy)."""
    if document is None:
        return None
    return Clearance(
        policy=document["policy"],
        classifications=frozenset(document["classifications"]),
        categories={name: frozenset(values) for name, values in document["categories"].items()},
    )


def person_clearance(
    registry: PolicyRegistry,
    today: date,
    *,
    nation: str,
    policy: str | None,
    level: str | None,
    special: list[str],
    issued: date | None,
    expires: date | None,
) -> Clearance | None:
    """The node-policy clearance of a person with these stored fields, on `today`."""
    national = None
    if policy is not None and level is not None:
        national = NationalClearance(policy, level, frozenset(special), issued, expires)
    return derive_clearance(nation, national, today=today, registry=registry).clearance


class Credential(Base):
    """A bearer secret: an API token or a browser session. Only its SHA-256 is stored."""

    __tablename__ = "credentials"
    __table_args__ = (Index("ix_credentials_user_id", "user_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "api" or "session"
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
