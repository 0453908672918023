"""`verify_log` proves any edit, deletion, insertion or reordering of the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from sqlalchemy import text

from liaison.audit import log, merkle
from liaison.audit.entry import EntryFields, entry_bytes
from liaison.audit.log import CHECKPOINT_EVERY
from liaison.audit.verify import VerifyResult, verify_log
from liaison.node import Node
from liaison.store.models import AuditCheckpoint, AuditEntry
from tests.conftest import table_rows

SIZE = 2 * CHECKPOINT_EVERY + 10  # two signed checkpoints (64 and 128) and an unsigned tail
COLUMNS = [name for name in EntryFields.__slots__ if name != "idx"] + ["leaf_hash"]


@pytest.fixture
def audited(node: Node) -> Node:
    with node.db.writing() as session:
        for n in range(SIZE):
            log.append(
                session,
                None,
                "test.action",
                actor_name=f"user{n % 3}",
                object_type="thing",
                object_id=str(n),
                reason=f"reason {n}",
            )
    return node


def verify(node: Node, key: Ed25519PublicKey | None = None) -> VerifyResult:
    with node.db.reading() as session:
        return verify_log(session, key or node.signer.key.public_key())


def sql(node: Node, statement: str, **params: Any) -> None:
    """A hand edit, as an administrator with database access would make it."""
    with node.db.engine.begin() as connection:
        connection.execute(text(statement), params)


def entry(node: Node, idx: int) -> dict[str, Any]:
    (row,) = table_rows(node, AuditEntry, AuditEntry.idx == idx)
    return dict(row)


def rewrite(node: Node, idx: int, row: dict[str, Any], *, rehash: bool) -> None:
    """Overwrite entry `idx` with `row`'s content; with `rehash`, forge a matching leaf hash."""
    values = {name: row[name] for name in COLUMNS}
    if rehash:
        fields = EntryFields(idx=idx, **{name: row[name] for name in EntryFields.__slots__[1:]})
        values["leaf_hash"] = merkle.leaf_hash(entry_bytes(fields))
    table = AuditEntry.__table__
    with node.db.engine.begin() as connection:
        connection.execute(table.update().where(table.c.idx == idx).values(**values))


def test_an_intact_log_verifies(audited: Node) -> None:
    result = verify(audited)
    assert result.ok, result.problem
    assert (result.entries, result.checkpoints) == (SIZE, 2)


def test_an_empty_log_verifies(node: Node) -> None:
    result = verify(node)
    assert (result.ok, result.entries, result.checkpoints) == (True, 0, 0)


@pytest.mark.parametrize("idx", [0, 10, CHECKPOINT_EVERY, SIZE - 1])
def test_a_hand_edited_row_is_named(audited: Node, idx: int) -> None:
    sql(audited, "UPDATE audit_entries SET reason = 'nothing happened' WHERE idx = :idx", idx=idx)
    result = verify(audited)
    assert not result.ok
    assert result.problem == f"entry {idx} was altered: its hash differs"


def test_an_edited_actor_is_named(audited: Node) -> None:
    sql(audited, "UPDATE audit_entries SET actor = 'someone-else' WHERE idx = 33")
    assert verify(audited).problem == "entry 33 was altered: its hash differs"


def test_a_deleted_row_is_named(audited: Node) -> None:
    sql(audited, "DELETE FROM audit_entries WHERE idx = 10")
    result = verify(audited)
    assert not result.ok
    assert result.problem == "entry 10 is missing (found entry 11)"


def test_a_deleted_last_row_is_noticed(audited: Node) -> None:
    sql(audited, "DELETE FROM audit_entries WHERE idx = :idx", idx=SIZE - 1)
    result = verify(audited)
    assert not result.ok
    assert result.problem == f"the log holds {SIZE - 1} entries but recorded {SIZE}"


def test_a_truncated_log_is_caught_by_its_checkpoint(audited: Node) -> None:
    sql(audited, "DELETE FROM audit_entries WHERE idx >= 100")
    sql(audited, "UPDATE audit_tree SET size = 100")  # covering the tracks
    result = verify(audited)
    assert not result.ok
    assert result.problem is not None
    assert "entries 100 onwards were deleted" in result.problem
    assert f"size {2 * CHECKPOINT_EVERY}" in result.problem


def test_a_row_inserted_at_the_end_is_noticed(audited: Node) -> None:
    forged = entry(audited, SIZE - 1) | {"reason": "a forged afterthought"}
    fields = EntryFields(idx=SIZE, **{name: forged[name] for name in EntryFields.__slots__[1:]})
    with audited.db.engine.begin() as connection:
        connection.execute(
            AuditEntry.__table__.insert(),
            {**forged, "idx": SIZE, "leaf_hash": merkle.leaf_hash(entry_bytes(fields))},
        )
    result = verify(audited)
    assert not result.ok
    assert result.problem == f"the log holds {SIZE + 1} entries but recorded {SIZE}"


def test_two_swapped_rows_are_named(audited: Node) -> None:
    first, second = entry(audited, 20), entry(audited, 21)
    rewrite(audited, 20, second, rehash=False)
    rewrite(audited, 21, first, rehash=False)
    assert entry(audited, 20)["object_id"] == "21"
    result = verify(audited)
    assert not result.ok
    assert result.problem == "entry 20 was altered: its hash differs"


def test_swapped_rows_with_forged_hashes_are_caught_by_the_checkpoint(audited: Node) -> None:
    first, second = entry(audited, 20), entry(audited, 21)
    rewrite(audited, 20, second, rehash=True)
    rewrite(audited, 21, first, rehash=True)
    result = verify(audited)
    assert not result.ok
    assert result.problem is not None
    assert result.problem.startswith(f"entries 0 to {CHECKPOINT_EVERY - 1} were altered")


@pytest.mark.parametrize(
    ("idx", "first", "last"),
    [(10, 0, CHECKPOINT_EVERY - 1), (70, CHECKPOINT_EVERY, 2 * CHECKPOINT_EVERY - 1)],
)
def test_an_edit_with_a_recomputed_leaf_hash_is_caught_by_the_checkpoint(
    audited: Node, idx: int, first: int, last: int
) -> None:
    rewrite(audited, idx, entry(audited, idx) | {"reason": "nothing to see"}, rehash=True)
    assert entry(audited, idx)["reason"] == "nothing to see"
    result = verify(audited)
    assert not result.ok
    assert result.problem == (
        f"entries {first} to {last} were altered: "
        f"they no longer give the root signed at size {last + 1}"
    )


def test_deleted_checkpoints_hiding_a_forged_edit_are_noticed(audited: Node) -> None:
    rewrite(audited, 10, entry(audited, 10) | {"reason": "nothing to see"}, rehash=True)
    sql(audited, "DELETE FROM audit_checkpoints")
    sql(audited, "UPDATE audit_tree SET checkpoint_size = 0, frontier = '[]'")
    result = verify(audited)
    assert not result.ok
    assert result.problem == (
        f"checkpoints between sizes 0 and {SIZE} are missing: "
        f"one is signed at least every {CHECKPOINT_EVERY} entries"
    )


def test_a_deleted_middle_checkpoint_is_noticed(audited: Node) -> None:
    sql(audited, "DELETE FROM audit_checkpoints WHERE size = :size", size=CHECKPOINT_EVERY)
    result = verify(audited)
    assert not result.ok
    assert result.problem is not None
    assert result.problem.startswith(f"checkpoints between sizes 0 and {2 * CHECKPOINT_EVERY}")


def test_a_checkpoint_with_a_bad_signature_fails(audited: Node) -> None:
    (row,) = table_rows(audited, AuditCheckpoint, AuditCheckpoint.size == CHECKPOINT_EVERY)
    signature = bytearray(row["signature"])
    signature[0] ^= 0x01
    _update_checkpoint(audited, CHECKPOINT_EVERY, signature=bytes(signature))
    result = verify(audited)
    assert not result.ok
    assert result.problem == f"checkpoint at size {CHECKPOINT_EVERY} has a bad signature"


def test_a_checkpoint_with_a_replaced_root_fails(audited: Node) -> None:
    _update_checkpoint(audited, 2 * CHECKPOINT_EVERY, root=b"\x00" * 32)
    result = verify(audited)
    assert not result.ok
    assert result.problem == f"checkpoint at size {2 * CHECKPOINT_EVERY} has a bad signature"


def test_verifying_with_another_nodes_key_fails(audited: Node) -> None:
    result = verify(audited, Ed25519PrivateKey.generate().public_key())
    assert not result.ok
    assert result.problem is not None
    assert "bad signature" in result.problem


def _update_checkpoint(node: Node, size: int, **values: bytes) -> None:
    with node.db.engine.begin() as connection:
        connection.execute(
            AuditCheckpoint.__table__.update().where(AuditCheckpoint.size == size).values(**values)
        )
