"""Global record ids: UUIDv7, so that ids sort by creation time."""

import uuid

from uuid6 import uuid7


def new_id() -> uuid.UUID:
    return uuid.UUID(bytes=uuid7().bytes)
