"""The audit log, for security officers: entries, the signed checkpoint, inclusion proofs."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel

from liaison.http.deps import Caller, ReadSession
from liaison.queries import audit
from liaison.store.models import AuditCheckpoint

router = APIRouter(prefix="/audit", tags=["audit"])


class EntryOut(BaseModel):
    index: int
    at: datetime
    actor_id: uuid.UUID | None
    actor: str
    action: str
    object_type: str | None
    object_id: str | None
    label_id: str | None
    decision: str
    reason: str
    content_hash: str | None
    request_id: str | None
    leaf_hash: str


class EntryPage(BaseModel):
    items: list[EntryOut]
    next_cursor: str | None


class CheckpointOut(BaseModel):
    origin: str
    size: int
    root: str
    timestamp: datetime
    key_id: str
    signature: str


class ProofOut(BaseModel):
    index: int
    leaf_hash: str
    checkpoint: CheckpointOut
    audit_path: list[str]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _checkpoint(row: AuditCheckpoint) -> CheckpointOut:
    return CheckpointOut(
        origin=row.origin,
        size=row.size,
        root=_b64(row.root),
        timestamp=row.at,
        key_id=row.key_id,
        signature=_b64(row.signature),
    )


@router.get("")
def list_entries(
    caller: Caller,
    session: ReadSession,
    actor_id: uuid.UUID | None = None,
    action: str | None = Query(default=None, max_length=64),
    object_type: str | None = Query(default=None, max_length=64),
    object_id: str | None = Query(default=None, max_length=64),
    decision: str | None = Query(default=None, max_length=16),
    since: AwareDatetime | None = None,  # a naive time would be ambiguous: refused with 422
    until: AwareDatetime | None = None,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = 50,
) -> EntryPage:
    where = audit.AuditFilter(actor_id, action, object_type, object_id, decision, since, until)
    page = audit.list_entries(session, caller, where, cursor, limit)
    return EntryPage(
        items=[
            EntryOut(
                index=e.idx,
                at=e.at,
                actor_id=e.actor_id,
                actor=e.actor,
                action=e.action,
                object_type=e.object_type,
                object_id=e.object_id,
                label_id=e.label_id,
                decision=e.decision,
                reason=e.reason,
                content_hash=e.content_hash,
                request_id=e.request_id,
                leaf_hash=_b64(e.leaf_hash),
            )
            for e in page.items
        ],
        next_cursor=page.next_cursor,
    )


@router.get("/checkpoint")
def latest_checkpoint(caller: Caller, session: ReadSession) -> CheckpointOut:
    return _checkpoint(audit.latest_checkpoint(session, caller))


@router.get("/proof/{index}")
def inclusion_proof(index: int, caller: Caller, session: ReadSession) -> ProofOut:
    proof = audit.prove_inclusion(session, caller, index)
    return ProofOut(
        index=proof.index,
        leaf_hash=_b64(proof.leaf_hash),
        checkpoint=_checkpoint(proof.checkpoint),
        audit_path=[_b64(node) for node in proof.path],
    )
