"""Recompute the audit tree from its rows and check every signed checkpoint against it.

Finds edits (a leaf hash that no longer matches its row), deletions and insertions (a gap or
an extra index), reorderings (both), and forgeries of leaf hashes (a checkpoint root that the
rows no longer produce, or a signature that does not verify).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.audit.checkpoint import Checkpoint, verify_checkpoint
from liaison.audit.entry import EntryFields, entry_bytes
from liaison.audit.log import CHECKPOINT_EVERY
from liaison.audit.merkle import CompactRange, leaf_hash
from liaison.store.models import AuditCheckpoint, AuditEntry, AuditTree

_FIELDS = [getattr(AuditEntry, name) for name in EntryFields.__slots__]
BATCH = 10_000


@dataclass(frozen=True, slots=True)
class VerifyResult:
    entries: int
    checkpoints: int
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_log(
    session: Session,
    public_key: Ed25519PublicKey,
    progress: Callable[[int], None] | None = None,
) -> VerifyResult:
    checkpoints = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.size)).all()
    for signed in checkpoints:
        if not verify_checkpoint(public_key, _as_checkpoint(signed)):
            return VerifyResult(0, 0, f"checkpoint at size {signed.size} has a bad signature")
    pending = iter(checkpoints)
    next_checkpoint = next(pending, None)
    previous_size = 0
    tree = CompactRange()
    rows = session.connection().execute(
        select(*_FIELDS, AuditEntry.leaf_hash).order_by(AuditEntry.idx),
        execution_options={"yield_per": BATCH},
    )
    for row in rows:
        expected = tree.size
        if row.idx != expected:
            kind = "missing" if row.idx > expected else "duplicated or out of order"
            return VerifyResult(expected, 0, f"entry {expected} is {kind} (found entry {row.idx})")
        computed = leaf_hash(entry_bytes(EntryFields(*row[: len(_FIELDS)])))
        if computed != row.leaf_hash:
            return VerifyResult(expected, 0, f"entry {expected} was altered: its hash differs")
        tree.append(computed)
        if next_checkpoint is not None and tree.size == next_checkpoint.size:
            if tree.root() != next_checkpoint.root:
                return VerifyResult(
                    tree.size,
                    0,
                    f"entries {previous_size} to {tree.size - 1} were altered: "
                    f"they no longer give the root signed at size {tree.size}",
                )
            previous_size = tree.size
            next_checkpoint = next(pending, None)
        if progress is not None and tree.size % BATCH == 0:
            progress(BATCH)
    if next_checkpoint is not None:
        return VerifyResult(
            tree.size,
            0,
            f"entries {tree.size} onwards were deleted: a checkpoint signs size "
            f"{next_checkpoint.size}",
        )
    recorded = session.get(AuditTree, 1)
    if recorded is not None and recorded.size != tree.size:
        return VerifyResult(
            tree.size, 0, f"the log holds {tree.size} entries but recorded {recorded.size}"
        )
    missing = _missing_checkpoint([c.size for c in checkpoints], tree.size)
    if missing is not None:
        return VerifyResult(tree.size, len(checkpoints), missing)
    return VerifyResult(tree.size, len(checkpoints))


def _missing_checkpoint(sizes: list[int], size: int) -> str | None:
    """The writer signs at least every CHECKPOINT_EVERY entries, so a longer gap means
    checkpoints were deleted, perhaps to hide entries rewritten with fresh hashes."""
    for before, after in zip([0, *sizes], [*sizes, size], strict=True):
        if after - before > CHECKPOINT_EVERY:
            return (
                f"checkpoints between sizes {before} and {after} are missing: "
                f"one is signed at least every {CHECKPOINT_EVERY} entries"
            )
    return None


def _as_checkpoint(row: AuditCheckpoint) -> Checkpoint:
    return Checkpoint(
        origin=row.origin,
        size=row.size,
        root=row.root,
        timestamp=row.at,
        signature=row.signature,
        key_id=row.key_id,
    )
