"""`liaison audit verify` on 1,000,000 entries. Target (issue 2): under 60 s.

The log is built directly (real entry bytes, leaf hashes and signed checkpoints every
CHECKPOINT_EVERY entries), since a million audited actions would take far longer to write.
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, update

from bench.common import fresh_node, report
from liaison.audit.checkpoint import sign_checkpoint
from liaison.audit.entry import EntryFields, entry_bytes
from liaison.audit.log import CHECKPOINT_EVERY
from liaison.audit.merkle import CompactRange, leaf_hash
from liaison.audit.verify import verify_log
from liaison.store.models import AuditCheckpoint, AuditEntry, AuditTree

ENTRIES = int(os.environ.get("LIAISON_BENCH_AUDIT_ENTRIES", 1_000_000))
BATCH = 20_000


def build(node_signer_key, origin: str, session) -> None:  # type: ignore[no-untyped-def]
    tree = CompactRange()
    start = datetime(2026, 11, 1, tzinfo=UTC)
    actor = uuid.uuid4()
    entries, checkpoints = [], []
    for idx in range(ENTRIES):
        fields = EntryFields(
            idx=idx,
            at=start + timedelta(milliseconds=idx),
            actor_id=actor,
            actor="gbr.lno",
            action="report.read",
            object_type="report",
            object_id=str(uuid.UUID(int=idx)),
            label_id=f"{idx % 2000:064x}",
            decision="granted",
            reason="",
            content_hash=None,
            request_id=None,
        )
        leaf = leaf_hash(entry_bytes(fields))
        tree.append(leaf)
        entries.append(
            {**{name: getattr(fields, name) for name in EntryFields.__slots__}, "leaf_hash": leaf}
        )
        if tree.size % CHECKPOINT_EVERY == 0:
            signed = sign_checkpoint(node_signer_key, origin, tree.size, tree.root(), fields.at)
            checkpoints.append(
                {
                    "size": signed.size,
                    "origin": origin,
                    "root": signed.root,
                    "at": signed.timestamp,
                    "key_id": signed.key_id,
                    "signature": signed.signature,
                }
            )
        if len(entries) == BATCH:
            session.execute(insert(AuditEntry), entries)
            entries.clear()
    if entries:
        session.execute(insert(AuditEntry), entries)
    session.execute(insert(AuditCheckpoint), checkpoints)
    session.execute(
        update(AuditTree)
        .where(AuditTree.id == 1)
        .values(
            size=tree.size,
            frontier=[h.hex() for h in tree.hashes],
            checkpoint_size=checkpoints[-1]["size"] if checkpoints else 0,
        )
    )


def run() -> None:
    node = fresh_node()
    started = time.perf_counter()
    with node.db.writing() as session:
        build(node.signer.key, node.signer.origin, session)
    built = time.perf_counter() - started
    started = time.perf_counter()
    with node.db.reading() as session:
        result = verify_log(session, node.signer.key.public_key())
    elapsed = time.perf_counter() - started
    assert result.ok, result.problem
    report(
        f"Audit verify ({node.db.engine.dialect.name})",
        [
            ("entries", f"{result.entries:,} with {result.checkpoints:,} signed checkpoints"),
            ("build (not timed)", f"{built:.1f} s"),
            ("verify", f"{elapsed:.1f} s (target < 60 s for 1,000,000)"),
            ("rate", f"{result.entries / elapsed:,.0f} entries/s"),
        ],
    )
    node.close()


if __name__ == "__main__":
    run()
