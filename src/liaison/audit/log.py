"""Append audit entries in the caller's transaction, and sign checkpoints of the tree.

The tree's frontier lives in one row (`audit_tree`); locking that row serialises appends, so
leaf indexes, and the outbox sequence numbers assigned after them, follow commit order.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert
from sqlalchemy.orm import Session

from liaison.audit.checkpoint import key_id, sign_checkpoint
from liaison.audit.entry import EntryFields, entry_bytes
from liaison.audit.merkle import CompactRange, leaf_hash
from liaison.domain.accounts import Principal
from liaison.domain.context import request_id
from liaison.store.engine import lock_audit_tree
from liaison.store.models import AuditCheckpoint, AuditEntry, AuditTree
from liaison.store.types import utcnow

CHECKPOINT_EVERY = 64  # entries between signed checkpoints; `liaison audit checkpoint` forces one


@dataclass(frozen=True, slots=True)
class NodeSigner:
    """The node's name and Ed25519 key, as the audit log signs with them."""

    origin: str
    key: Ed25519PrivateKey

    @property
    def key_id(self) -> str:
        return key_id(self.key.public_key())


def signer_of(session: Session) -> NodeSigner:
    signer = session.info.get("signer")
    if not isinstance(signer, NodeSigner):
        raise RuntimeError("session has no node signer: open it through liaison.store Database")
    return signer


def content_digest(content: bytes | str) -> str:
    """What the log keeps of protected content: its SHA-256, never the content."""
    data = content.encode() if isinstance(content, str) else content
    return hashlib.sha256(data).hexdigest()


def append(
    session: Session,
    actor: Principal | None,
    action: str,
    *,
    object_type: str | None = None,
    object_id: str | uuid.UUID | None = None,
    label_id: str | None = None,
    decision: str = "granted",
    reason: str = "",
    content_hash: str | None = None,
    actor_name: str | None = None,
) -> int:
    """Append one entry and return its index. Commits or rolls back with the caller's change."""
    tree = lock_audit_tree(session)
    fields = EntryFields(
        idx=tree.size,
        at=utcnow(),
        actor_id=actor.user_id if actor else None,
        actor=actor.username if actor else (actor_name or "anonymous"),
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        label_id=label_id,
        decision=decision,
        reason=reason,
        content_hash=content_hash,
        request_id=request_id.get(),
    )
    leaf = leaf_hash(entry_bytes(fields))
    session.execute(insert(AuditEntry), [{**_columns(fields), "leaf_hash": leaf}])
    frontier = _frontier(tree)
    frontier.append(leaf)
    _store_frontier(tree, frontier)
    if tree.size - tree.checkpoint_size >= CHECKPOINT_EVERY:
        _checkpoint(session, tree, frontier)
    return fields.idx


def checkpoint_now(session: Session) -> AuditCheckpoint | None:
    """Sign the tree as it stands, unless the latest checkpoint already covers it."""
    tree = lock_audit_tree(session)
    if tree.size == 0 or tree.size == tree.checkpoint_size:
        return session.get(AuditCheckpoint, tree.checkpoint_size)
    return _checkpoint(session, tree, _frontier(tree))


def _checkpoint(session: Session, tree: AuditTree, frontier: CompactRange) -> AuditCheckpoint:
    signer = signer_of(session)
    signed = sign_checkpoint(signer.key, signer.origin, frontier.size, frontier.root(), utcnow())
    row = AuditCheckpoint(
        size=signed.size,
        origin=signed.origin,
        root=signed.root,
        at=signed.timestamp,
        key_id=signed.key_id,
        signature=signed.signature,
    )
    session.add(row)
    tree.checkpoint_size = signed.size
    return row


def _frontier(tree: AuditTree) -> CompactRange:
    return CompactRange(tree.size, [bytes.fromhex(h) for h in tree.frontier])


def _store_frontier(tree: AuditTree, frontier: CompactRange) -> None:
    tree.size = frontier.size
    tree.frontier = [h.hex() for h in frontier.hashes]


def _columns(fields: EntryFields) -> dict[str, object]:
    return {name: getattr(fields, name) for name in EntryFields.__slots__}
