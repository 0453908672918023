"""Labels in the database: interning, the node's policies, and the label-id filter of `visible()`.

The access decision is made once per (clearance, distinct label) in Python, by the security
engine, and remembered here; the database then filters records on the ids of the labels the
clearance may read. This module holds the only dialect branch of that filter.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    bindparam,
    func,
    select,
)
from sqlalchemy.dialects import postgresql
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

MAX_CLEARANCES = 1024  # distinct clearances remembered per process


@dataclass
class _Readable:
    """What one clearance may read, decided up to label id `through`."""

    through: int = 0
    ids: frozenset[int] = frozenset()
    as_list: list[int] = field(default_factory=list)
    as_json: str = "[]"


class LabelAuthority:
    """The node's policies and, per clearance, the labels it may read. One per process."""

    def __init__(self, builtin: Callable[[], PolicyRegistry]) -> None:
        self._builtin = builtin
        self._lock = threading.Lock()
        self._policies_seq: int | None = -1
        self._registry = builtin()
        self._readable: OrderedDict[str, _Readable] = OrderedDict()

    @property
    def registry(self) -> PolicyRegistry:
        return self._registry

    def refresh(self, session: Session) -> int:
        """Reload policies if another process installed one; return the newest label id."""
        newest_label, newest_policy = session.execute(
            select(
                select(func.max(StoredLabel.id)).scalar_subquery(),
                select(func.max(InstalledPolicy.seq)).scalar_subquery(),
            )
        ).one()
        if newest_policy != self._policies_seq:
            self._reload(session, newest_policy)
        return int(newest_label or 0)

    def _reload(self, session: Session, newest_policy: int | None) -> None:
        registry = self._builtin()
        for row in session.scalars(select(InstalledPolicy).order_by(InstalledPolicy.seq)):
            registry.add(load_policy(row.spif.encode()))
        with self._lock:
            self._registry = registry
            self._policies_seq = newest_policy
            self._readable.clear()  # every decision was made under the old policies

    def readable(self, session: Session, clearance: Clearance) -> _Readable:
        """The ids of the labels `clearance` may read, deciding labels not seen before."""
        newest = self.refresh(session)
        key = clearance_key(clearance)
        with self._lock:
            known = self._readable.get(key)
            if known is not None:
                self._readable.move_to_end(key)
        if known is not None and known.through >= newest:
            return known
        start = known.through if known is not None else 0
        granted = set(known.ids) if known is not None else set()
        registry = self._registry
        for label_id, canonical in session.execute(
            select(StoredLabel.id, StoredLabel.canonical)
            .where(StoredLabel.id > start, StoredLabel.id <= newest)
            .order_by(StoredLabel.id)
        ):
            if registry.decide(label_from_json(canonical), clearance).granted:
                granted.add(label_id)
        ordered = sorted(granted)
        updated = _Readable(newest, frozenset(granted), ordered, json.dumps(ordered))
        with self._lock:
            if registry is self._registry:
                self._readable[key] = updated
                while len(self._readable) > MAX_CLEARANCES:
                    self._readable.popitem(last=False)
        return updated


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
    return row


def label_id_in(session: Session, column: ColumnElement[Any], readable: _Readable) -> Any:
    """`column IN (readable ids)` with the ids as one bound parameter on either engine."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        ids = bindparam("readable_label_ids", readable.as_list, type_=postgresql.ARRAY(BigInteger))
        return column.in_(select(func.unnest(ids)).scalar_subquery())
    if dialect == "sqlite":
        ids = bindparam("readable_label_ids", readable.as_json)
        return column.in_(select(func.json_each(ids).table_valued("value").c.value))
    raise NotImplementedError(f"no label filter for {dialect}")
