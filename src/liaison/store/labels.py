"""Labels in the database: interning, the node's policies, and the filter behind `visible()`.

The access decision is made in Python by the security engine, once per (clearance, distinct
label), and remembered per process; `visible()` then filters records in SQL on the ids of the
labels the clearance may read, written into the statement as a constant list (PostgreSQL hashes
a constant array; SQLite builds an index of an IN list once per statement).

Every kind of staleness here denies rather than grants: a label newer than a clearance's
decisions is not in its list, and installing a policy only adds policies, so decisions made
before it stay right for the labels they cover.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, any_, event, false, func, literal_column, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liaison.security import (
    Clearance,
    Label,
    PolicyRegistry,
    clearance_key,
    label_from_json,
    label_hash,
    label_to_json,
    load_policy,
)
from liaison.store.models import InstalledPolicy, StoredLabel, StoredLabelCategory

MAX_CLEARANCES = 4096  # distinct clearances whose decisions a process remembers
# How long a process may go without looking for labels and policies made by other processes.
# Staleness only denies (see above), and this process's own commits take effect at once.
REFRESH_SECONDS = 0.25

_CHANGED = "labels_changed"  # session.info flag: this transaction interned labels or policies
_INTERN_LOCK = 4774  # PostgreSQL advisory lock key taken while inserting a new label
# Built once: constructing statements costs more than running these indexed lookups.
_NEWEST = select(
    select(func.max(StoredLabel.id)).scalar_subquery(),
    select(func.max(InstalledPolicy.seq)).scalar_subquery(),
)


@dataclass(frozen=True, slots=True)
class Readable:
    """The ids of the labels one clearance may read, decided for every label up to `through`."""

    through: int
    ids: frozenset[int]

    def sql_list(self) -> str:
        return ",".join(str(label_id) for label_id in sorted(self.ids))


class LabelAuthority:
    """The node's policies, and per clearance the labels it may read. One per process."""

    def __init__(self, builtin: Callable[[], PolicyRegistry]) -> None:
        self._builtin = builtin
        self._lock = threading.Lock()
        self._policies_seq: int | None = -1  # forces a first load of installed policies
        self._registry = builtin()
        self._readable: dict[str, tuple[Readable, ColumnElement[Any] | None]] = {}
        self._newest = 0
        self._refreshed_at = float("-inf")

    @property
    def registry(self) -> PolicyRegistry:
        return self._registry

    def note_commit(self, session: Session) -> None:
        """After a commit that interned labels or installed a policy: look again on next read."""
        if session.in_nested_transaction():
            return  # a savepoint was released: the transaction itself may still roll back
        if session.info.pop(_CHANGED, False):
            self._refreshed_at = float("-inf")

    def refresh(self, session: Session, *, at_once: bool = True) -> int:
        """Reload policies if any were installed since; return the newest label id.

        With `at_once=False`, reuse the last answer if it is younger than REFRESH_SECONDS.
        """
        now = time.monotonic()
        if not at_once and now - self._refreshed_at < REFRESH_SECONDS:
            return self._newest
        newest_label, newest_policy = session.connection().execute(_NEWEST).one()
        if _uncommitted(session):
            # Its own labels may yet roll back (and on SQLite their ids be given to other
            # labels): what this transaction sees must not become what other sessions are told.
            return int(newest_label or 0)
        if newest_policy != self._policies_seq:
            self._reload(session, newest_policy)
        self._newest, self._refreshed_at = int(newest_label or 0), now
        return self._newest

    def _reload(self, session: Session, newest_policy: int | None) -> None:
        registry = self._builtin()
        for row in session.scalars(select(InstalledPolicy).order_by(InstalledPolicy.seq)):
            registry.add(load_policy(row.spif.encode()))
        with self._lock:
            self._registry = registry
            self._policies_seq = newest_policy
            self._readable.clear()

    def readable(self, session: Session, clearance: Clearance) -> Readable:
        """The labels `clearance` may read, deciding those it has not been decided for."""
        return self._entry(
            session, clearance, self.refresh(session, at_once=_uncommitted(session))
        )[0]

    def label_filter(
        self, session: Session, clearance: Clearance, column: ColumnElement[Any]
    ) -> ColumnElement[bool]:
        """A WHERE clause: `column` holds the id of a label that `clearance` may read."""
        newest = self.refresh(session, at_once=_uncommitted(session))  # it sees its own labels
        _, values = self._entry(session, clearance, newest)
        if values is None:
            return false()
        if session.get_bind().dialect.name == "postgresql":
            return column == any_(values)
        return column.op("IN", is_comparison=True)(values)

    def _entry(
        self, session: Session, clearance: Clearance, newest: int
    ) -> tuple[Readable, ColumnElement[Any] | None]:
        key = clearance_key(clearance)
        known = self._readable.get(key)
        if known is not None and known[0].through >= newest:
            return known
        registry = self._registry
        start, granted = (known[0].through, set(known[0].ids)) if known else (0, set())
        for label_id, canonical in session.execute(
            select(StoredLabel.id, StoredLabel.canonical).where(
                StoredLabel.id > start, StoredLabel.id <= newest
            )
        ):
            if registry.decide(label_from_json(canonical), clearance).granted:
                granted.add(label_id)
        readable = Readable(newest, frozenset(granted))
        entry = (readable, _constant_list(session, readable))
        with self._lock:
            if registry is self._registry and not _uncommitted(session):
                if len(self._readable) >= MAX_CLEARANCES:
                    self._readable.clear()
                self._readable[key] = entry
        return entry


def _constant_list(session: Session, readable: Readable) -> ColumnElement[Any] | None:
    """The ids as one SQL constant, built once per (clearance, newest label): integers only."""
    if not readable.ids:
        return None
    if session.get_bind().dialect.name == "postgresql":
        return literal_column(f"'{{{readable.sql_list()}}}'::bigint[]")
    return literal_column(f"({readable.sql_list()})")


def watch_commits(session_factory: Any, authority: LabelAuthority) -> None:
    """Let `authority` see, at once, the labels and policies its own process commits."""
    event.listen(session_factory, "after_commit", authority.note_commit)


def mark_changed(session: Session) -> None:
    """Tell this process's authority, once `session` commits, to look for new labels/policies."""
    session.info[_CHANGED] = True


def _uncommitted(session: Session) -> bool:
    """Whether `session` has interned labels or installed policies it has not yet committed."""
    return bool(session.info.get(_CHANGED))


def authority_of(session: Session) -> LabelAuthority:
    authority = session.info.get("labels")
    if not isinstance(authority, LabelAuthority):
        raise RuntimeError("session has no label authority: open it through liaison.node.Node")
    return authority


def intern_label(session: Session, label: Label) -> StoredLabel:
    """The stored row of `label` (canonical, validated by the caller), inserting it if new."""
    digest = label_hash(label)
    query = select(StoredLabel).where(StoredLabel.hash == digest)
    row = session.scalars(query).one_or_none()
    if row is not None:
        return row
    if session.get_bind().dialect.name == "postgresql":
        # Readers decide every label up to the newest id they see, so ids must become visible
        # in order: new labels are inserted one transaction at a time (SQLite writers already
        # take turns). The lock is held until this transaction ends.
        session.execute(select(func.pg_advisory_xact_lock(_INTERN_LOCK)))
        row = session.scalars(query).one_or_none()  # interned while this one waited?
        if row is not None:
            return row
    try:
        with session.begin_nested():  # another transaction may intern the same label first
            row = StoredLabel(
                hash=digest,
                policy=label.policy,
                classification=label.classification,
                canonical=label_to_json(label),
            )
            session.add(row)
            session.flush()
            session.add_all(
                StoredLabelCategory(
                    label_id=row.id, tag_set=c.tag_set, kind=c.kind.value, value=value
                )
                for c in label.categories
                for value in sorted(c.values)
            )
    except IntegrityError:
        return session.scalars(query).one()
    mark_changed(session)
    return row
