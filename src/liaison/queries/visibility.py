"""`visible()`: the one filter every read of labelled records starts from (DESIGN.md)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, false
from sqlalchemy.orm import Session

from liaison.domain.accounts import Principal
from liaison.store.labels import authority_of

S = TypeVar("S", bound="Select[*tuple[Any, ...]]")  # a select of any width


def visible(session: Session, query: S, viewer: Principal, label_column: ColumnElement[Any]) -> S:
    """Restrict `query` to rows whose label `viewer`'s clearance may read, in SQL.

    No clearance, or a clearance whose policy the node does not know, sees nothing labelled.
    """
    if viewer.clearance is None:
        return query.where(false())
    return query.where(authority_of(session).label_filter(session, viewer.clearance, label_column))
