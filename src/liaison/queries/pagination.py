"""Opaque cursors for keyset pagination: stable under inserts, no OFFSET scans."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from typing import Generic, TypeVar

from liaison.domain.errors import Invalid

T = TypeVar("T")
MAX_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(key: str | int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"k": key}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | int | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)["k"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise Invalid("malformed cursor: pass back the next_cursor of a page", "cursor") from None
    if not isinstance(key, str | int) or isinstance(key, bool):
        raise Invalid("malformed cursor: pass back the next_cursor of a page", "cursor")
    if isinstance(key, int) and not -(2**63) <= key < 2**63:  # no database column holds it
        raise Invalid("malformed cursor: pass back the next_cursor of a page", "cursor")
    return key


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"limit must be between 1 and {MAX_LIMIT}", "limit")
    return limit


def decode_uuid_cursor(cursor: str | None) -> uuid.UUID | None:
    """A cursor holding a record id (pages ordered by UUIDv7, that is by creation)."""
    key = decode_cursor(cursor)
    if key is None:
        return None
    try:
        return uuid.UUID(str(key))
    except ValueError:
        raise Invalid("malformed cursor: pass back the next_cursor of a page", "cursor") from None
