"""Work that one process at a time should do (a scheduler's round), whatever the engine."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

_HOLD = text("UPDATE audit_tree SET size = size WHERE id = 1")


def try_exclusive(session: Session, key: int) -> bool:
    """Whether this transaction may do the work named by `key`: on PostgreSQL, a transaction
    advisory lock that another process may hold (then: skip this round); on SQLite, writing
    transactions already run one at a time."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.scalar(select(func.pg_try_advisory_xact_lock(key))))


def hold_commit_order(session: Session) -> None:
    """Take the lock the audit log appends under, until this transaction ends.

    Outbox rows get their seq when inserted; the stream reads them in seq order and must not
    skip one committed late. Holding the audit row lock while inserting makes seq order the
    commit order (SQLite's writers already take turns).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_HOLD)
