"""Labels in the database: interning, the node's policies, and the filter behind `visible()`.

The access decision is made in Python by the security engine, once per (clearance, distinct
label), and kept in `label_grants`; `visible()` then filters records in SQL with an indexed
EXISTS on that table. Every kind of staleness here denies rather than grants: a label newer than
a clearance's decisions matches no grant, and installing a policy (which only adds policies)
drops all grants, to be decided again on the next read.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Engine,
    bindparam,
    delete,
    event,
    exists,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
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
from liaison.store.engine import is_writing
from liaison.store.models import (
    ClearanceRecord,
    InstalledPolicy,
    LabelGrant,
    StoredLabel,
    StoredLabelCategory,
)

MAX_MEMO = 4096  # distinct clearances whose grant state a process remembers
# How long a process may go without looking for labels and policies made by other processes.
# Staleness only denies (see above), and this process's own commits take effect at once.
REFRESH_SECONDS = 0.25

# Built once: constructing statements costs more than running these indexed lookups.
_NEWEST = select(
    select(func.max(StoredLabel.id)).scalar_subquery(),
    select(func.max(InstalledPolicy.seq)).scalar_subquery(),
)
_CLEARANCE_ROW = select(ClearanceRecord.id, ClearanceRecord.decided_through).where(
    ClearanceRecord.key == bindparam("key")
)
_CHANGED = "labels_changed"  # session.info flag: this transaction interned labels or policies
_GRANTED = select(LabelGrant.label_id).where(LabelGrant.clearance_id == bindparam("clearance"))


@dataclass(frozen=True, slots=True)
class Readable:
    """What one clearance may read, decided for every label up to id `through`."""

    clearance_id: int | None
    through: int
    ids: frozenset[int]


class LabelAuthority:
    """The node's policies, and per clearance how far its grants are decided. One per process."""

    def __init__(self, engine: Engine, builtin: Callable[[], PolicyRegistry]) -> None:
        self._engine = engine
        self._builtin = builtin
        self._lock = threading.Lock()
        self._policies_seq: int | None = -1  # forces a first load of installed policies
        self._registry = builtin()
        self._decided: dict[str, tuple[int, int]] = {}  # clearance key -> (id, through)
        self._newest = 0
        self._refreshed_at = float("-inf")

    def note_commit(self, session: Session) -> None:
        """After a commit that interned labels or installed a policy: look again on next read."""
        if session.info.pop(_CHANGED, False):
            self._refreshed_at = float("-inf")

    @property
    def registry(self) -> PolicyRegistry:
        return self._registry

    def refresh(self, session: Session, *, at_once: bool = True) -> int:
        """Reload policies if any were installed since; return the newest label id.

        With `at_once=False`, reuse the last answer if it is younger than REFRESH_SECONDS.
        """
        now = time.monotonic()
        if not at_once and now - self._refreshed_at < REFRESH_SECONDS:
            return self._newest
        newest_label, newest_policy = session.connection().execute(_NEWEST).one()
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
            self._decided.clear()

    def label_filter(
        self, session: Session, clearance: Clearance, column: ColumnElement[Any]
    ) -> ColumnElement[bool]:
        """A WHERE clause: `column` holds the id of a label that `clearance` may read."""
        newest = self.refresh(session, at_once=False)
        key = clearance_key(clearance)
        decided = self._decided.get(key)
        if decided is not None and decided[1] >= newest:
            return _granted_to(decided[0], column)
        readable = self.readable(session, clearance, key, newest)
        if readable.clearance_id is not None and _sees_commits_of_others(session):
            return _granted_to(readable.clearance_id, column)
        return _id_in(session, column, readable.ids)

    def readable(
        self, session: Session, clearance: Clearance, key: str | None = None, newest: int = -1
    ) -> Readable:
        """Decide the labels this clearance has not been decided for, and keep the grants."""
        key = key or clearance_key(clearance)
        if newest < 0:
            newest = self.refresh(session)
        row = session.execute(_CLEARANCE_ROW, {"key": key}).one_or_none()
        clearance_id, through = row if row is not None else (None, 0)
        granted = set(session.scalars(_GRANTED, {"clearance": clearance_id})) if row else set()
        fresh = set()
        registry = self._registry
        for label_id, canonical in session.execute(
            select(StoredLabel.id, StoredLabel.canonical).where(
                StoredLabel.id > through, StoredLabel.id <= newest
            )
        ):
            if registry.decide(label_from_json(canonical), clearance).granted:
                fresh.add(label_id)
        if through < newest and not (is_writing(session) and _dialect(session) == "sqlite"):
            # A separate, short transaction; SQLite's writing session already holds the lock.
            clearance_id = self._keep(key, through, newest, fresh)
        if clearance_id is not None and registry is self._registry:
            with self._lock:
                if len(self._decided) >= MAX_MEMO:
                    self._decided.clear()
                self._decided[key] = (clearance_id, newest)
        return Readable(clearance_id, newest, frozenset(granted | fresh))

    def _keep(self, key: str, through: int, newest: int, fresh: set[int]) -> int:
        with self._engine.begin() as connection:
            dialect = connection.dialect.name
            connection.execute(_insert_ignore(dialect, ClearanceRecord).values(key=key))
            clearance_id: int = connection.execute(_CLEARANCE_ROW, {"key": key}).one()[0]
            if fresh:
                connection.execute(
                    _insert_ignore(dialect, LabelGrant),
                    [{"clearance_id": clearance_id, "label_id": label} for label in fresh],
                )
            connection.execute(
                update(ClearanceRecord)
                .where(ClearanceRecord.id == clearance_id, ClearanceRecord.decided_through < newest)
                .values(decided_through=newest)
            )
        return clearance_id


def forget_all_grants(session: Session) -> None:
    """Drop every decision (a policy was installed): each is made again on the next read."""
    session.execute(delete(LabelGrant))
    session.execute(update(ClearanceRecord).values(decided_through=0))
    session.info[_CHANGED] = True


def watch_commits(session_factory: Any, authority: LabelAuthority) -> None:
    """Let `authority` see, at once, the labels and policies its own process commits."""
    event.listen(session_factory, "after_commit", authority.note_commit)


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
    session.info[_CHANGED] = True
    return row


def _granted_to(clearance_id: int, column: ColumnElement[Any]) -> ColumnElement[bool]:
    # A named parameter, so that one compiled statement serves every clearance.
    clearance: BindParameter[int] = bindparam("viewer_clearance", clearance_id)
    return exists().where(LabelGrant.clearance_id == clearance, LabelGrant.label_id == column)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _sees_commits_of_others(session: Session) -> bool:
    """PostgreSQL (read committed) sees the grants just committed; a SQLite read transaction
    keeps the snapshot of its first read, which came before them."""
    return _dialect(session) == "postgresql"


def _id_in(
    session: Session, column: ColumnElement[Any], ids: frozenset[int]
) -> ColumnElement[bool]:
    """`column IN ids`, the ids bound as one parameter on either engine."""
    ordered = sorted(ids)
    if _dialect(session) == "postgresql":
        array = bindparam("label_ids", ordered, type_=postgresql.ARRAY(BigInteger))
        return column.in_(select(func.unnest(array)).scalar_subquery())
    values: BindParameter[str] = bindparam("label_ids", json.dumps(ordered))
    return column.in_(select(func.json_each(values).table_valued("value").c.value))


def _insert_ignore(dialect: str, model: type[ClearanceRecord] | type[LabelGrant]) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(model).on_conflict_do_nothing()
    return sqlite.insert(model).on_conflict_do_nothing()
