"""Work that one process at a time should do (a scheduler's round), whatever the engine."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session


def try_exclusive(session: Session, key: int) -> bool:
    """Whether this transaction may do the work named by `key`: on PostgreSQL, a transaction
    advisory lock that another process may hold (then: skip this round); on SQLite, writing
    transactions already run one at a time."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.scalar(select(func.pg_try_advisory_xact_lock(key))))
