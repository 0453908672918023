"""User accounts and their credentials (API tokens and browser sessions)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from liaison.domain.accounts import Principal, parse_roles
from liaison.security import Clearance
from liaison.store.models.base import Base, Record
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
    # The clearance in its canonical JSON form (SPIF names), validated when it was set.
    clearance: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    def principal(self, credential_id: uuid.UUID | None = None) -> Principal:
        return Principal(
            user_id=self.id,
            username=self.username,
            display_name=self.display_name,
            nation=self.nation,
            roles=parse_roles(self.roles),
            credential_id=credential_id,
            clearance=stored_clearance(self.clearance),
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
