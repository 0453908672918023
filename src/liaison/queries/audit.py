"""The audit viewer's reads (security officers): entries, the latest checkpoint, proofs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, ColumnElement, cast, or_, select
from sqlalchemy.orm import Session

from liaison.audit.merkle import inclusion_proof
from liaison.domain.accounts import Principal, Role
from liaison.domain.errors import Invalid, NotFound
from liaison.queries.pagination import Page, check_limit, decode_cursor, encode_cursor
from liaison.store.labels import authority_of
from liaison.store.models import AuditCheckpoint, AuditEntry


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor_id: uuid.UUID | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    decision: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_entries(
    session: Session, viewer: Principal, where: AuditFilter, cursor: str | None, limit: int
) -> Page[AuditEntry]:
    """Newest first; entries about labelled records only if the viewer may read the label."""
    viewer.require(Role.SECURITY_OFFICER)
    query = (
        select(AuditEntry)
        .where(_label_readable(session, viewer))
        .order_by(AuditEntry.idx.desc())
        .limit(check_limit(limit) + 1)
    )
    before = decode_cursor(cursor)
    if before is not None:
        if not isinstance(before, int):
            raise Invalid("malformed cursor", "cursor")
        query = query.where(AuditEntry.idx < before)
    for column, value in (
        (AuditEntry.actor_id, where.actor_id),
        (AuditEntry.action, where.action),
        (AuditEntry.object_type, where.object_type),
        (AuditEntry.object_id, where.object_id),
        (AuditEntry.decision, where.decision),
    ):
        if value is not None:
            query = query.where(column == value)
    if where.since is not None:
        query = query.where(AuditEntry.at >= where.since)
    if where.until is not None:
        query = query.where(AuditEntry.at < where.until)
    entries = list(session.scalars(query))
    more = len(entries) > limit
    entries = entries[:limit]
    return Page(entries, encode_cursor(entries[-1].idx) if more else None)


def _label_readable(session: Session, viewer: Principal) -> ColumnElement[bool]:
    """An entry names no content, but its object and label say what exists: the same rule as
    the records themselves. (`label_id` holds the text of a `labels.id`.)"""
    unlabelled = AuditEntry.label_id.is_(None)
    if viewer.clearance is None:
        return unlabelled
    label = cast(AuditEntry.label_id, BigInteger)
    return or_(unlabelled, authority_of(session).label_filter(session, viewer.clearance, label))


def latest_checkpoint(session: Session, viewer: Principal) -> AuditCheckpoint:
    viewer.require(Role.SECURITY_OFFICER)
    checkpoint = session.scalars(
        select(AuditCheckpoint).order_by(AuditCheckpoint.size.desc()).limit(1)
    ).first()
    if checkpoint is None:
        raise NotFound("no checkpoint has been signed yet")
    return checkpoint


@dataclass(frozen=True, slots=True)
class InclusionProof:
    index: int
    leaf_hash: bytes
    checkpoint: AuditCheckpoint
    path: list[bytes]


def prove_inclusion(session: Session, viewer: Principal, index: int) -> InclusionProof:
    """Proof that entry `index` is in the tree signed by the latest checkpoint."""
    checkpoint = latest_checkpoint(session, viewer)
    if not 0 <= index < checkpoint.size:
        raise NotFound(
            f"entry {index} is not covered by the latest checkpoint (size {checkpoint.size})"
        )
    leaves = list(
        session.scalars(
            select(AuditEntry.leaf_hash)
            .where(AuditEntry.idx < checkpoint.size)
            .order_by(AuditEntry.idx)
        )
    )
    return InclusionProof(index, leaves[index], checkpoint, inclusion_proof(index, leaves))
