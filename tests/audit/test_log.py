"""Appending to the audit log: what an entry holds, checkpoints, rollback, concurrent writers."""

from __future__ import annotations

import hashlib
import threading

import pytest
from sqlalchemy.orm import Session

from liaison.actions.recording import record
from liaison.audit import log, merkle
from liaison.audit.checkpoint import Checkpoint, verify_checkpoint
from liaison.audit.entry import EntryFields, entry_bytes
from liaison.audit.log import CHECKPOINT_EVERY, checkpoint_now, content_digest
from liaison.audit.verify import verify_log
from liaison.domain.context import request_id
from liaison.node import Node
from liaison.store.models import AuditCheckpoint, AuditEntry, AuditTree, OutboxEvent
from tests.conftest import PASSWORD, UserFactory, abandon, sign_in, table_rows

SECRET_TEXT = "EXERCISE STEADFAST: 3 PARA moves to grid 32UQU 123 456 at 0400Z"


def append_many(node: Node, count: int, action: str = "test.append") -> list[int]:
    with node.db.writing() as session:
        return [
            log.append(session, None, action, actor_name="tester", object_id=str(n))
            for n in range(count)
        ]


def checkpoints(node: Node) -> list[Checkpoint]:
    return [
        Checkpoint(
            row["origin"], row["size"], row["root"], row["at"], row["signature"], row["key_id"]
        )
        for row in table_rows(node, AuditCheckpoint)
    ]


def leaves(node: Node) -> list[bytes]:
    return [row["leaf_hash"] for row in table_rows(node, AuditEntry)]


def test_entries_hold_a_hash_of_protected_content_never_the_content(node: Node) -> None:
    with node.db.writing() as session:
        index = log.append(
            session,
            None,
            "document.read",
            actor_name="reader",
            object_type="document",
            object_id="doc-1",
            label_id="label-7",
            reason="releasable to GBR",
            content_hash=content_digest(SECRET_TEXT),
        )
    (entry,) = table_rows(node, AuditEntry)
    assert index == entry["idx"] == 0
    assert entry["content_hash"] == hashlib.sha256(SECRET_TEXT.encode()).hexdigest()
    assert content_digest(SECRET_TEXT.encode()) == entry["content_hash"]
    stored = " ".join(str(value) for value in entry.values())
    assert SECRET_TEXT not in stored
    assert "32UQU" not in stored
    assert (entry["object_type"], entry["object_id"], entry["label_id"]) == (
        "document",
        "doc-1",
        "label-7",
    )


def test_no_password_or_token_reaches_the_audit_log_or_outbox(
    node: Node, make_user: UserFactory
) -> None:
    make_user("alice")
    sign_in(node, "alice", "a-wrong-guess-at-the-password")
    token = sign_in(node, "alice").secret
    assert token is not None
    written = " ".join(
        str(dict(row)) for model in (AuditEntry, OutboxEvent) for row in table_rows(node, model)
    )
    assert "alice" in written  # the rows were read
    for secret in (PASSWORD, "a-wrong-guess-at-the-password", token):
        assert secret not in written


def test_each_entry_stores_the_hash_of_its_own_fields(node: Node) -> None:
    token = request_id.set("req-42")
    try:
        append_many(node, 3)
    finally:
        request_id.reset(token)
    rows = table_rows(node, AuditEntry)
    assert [row["idx"] for row in rows] == [0, 1, 2]
    for row in rows:
        assert row["request_id"] == "req-42"
        assert row["at"].utcoffset() is not None
        fields = EntryFields(*(row[name] for name in EntryFields.__slots__))
        assert row["leaf_hash"] == merkle.leaf_hash(entry_bytes(fields))


def test_an_entry_is_appended_in_the_callers_transaction(node: Node) -> None:
    abandon(node, lambda session: log.append(session, None, "test.doomed", actor_name="tester"))
    assert table_rows(node, AuditEntry) == []
    assert append_many(node, 2) == [0, 1]  # no gap left by the rolled-back entry


def test_checkpoints_are_signed_every_so_many_entries(node: Node) -> None:
    append_many(node, CHECKPOINT_EVERY - 1)
    assert table_rows(node, AuditCheckpoint) == []
    append_many(node, 7)
    (signed,) = checkpoints(node)
    assert signed.size == CHECKPOINT_EVERY
    assert signed.origin == node.settings.node_name
    assert signed.root == merkle.root(leaves(node)[:CHECKPOINT_EVERY])
    assert verify_checkpoint(node.signer.key.public_key(), signed)
    (tree,) = table_rows(node, AuditTree)
    assert (tree["size"], tree["checkpoint_size"]) == (CHECKPOINT_EVERY + 6, CHECKPOINT_EVERY)


def test_checkpoint_now_signs_the_tree_as_it_stands(node: Node) -> None:
    with node.db.writing() as session:
        assert checkpoint_now(session) is None  # nothing to sign in an empty log
    append_many(node, 5)
    with node.db.writing() as session:
        first = checkpoint_now(session)
        assert first is not None
        size, root = first.size, first.root
    assert (size, root) == (5, merkle.root(leaves(node)))
    with node.db.writing() as session:
        again = checkpoint_now(session)
        assert again is not None
        assert (again.size, again.root) == (5, root)
    assert len(table_rows(node, AuditCheckpoint)) == 1
    append_many(node, 2)
    with node.db.writing() as session:
        checkpoint_now(session)
    assert [c.size for c in checkpoints(node)] == [5, 7]
    assert all(verify_checkpoint(node.signer.key.public_key(), c) for c in checkpoints(node))
    with node.db.reading() as session:
        result = verify_log(session, node.signer.key.public_key())
    assert (result.ok, result.entries, result.checkpoints) == (True, 7, 2)


def test_a_session_without_the_node_signer_cannot_checkpoint(node: Node) -> None:
    with Session(node.db.engine) as session, pytest.raises(RuntimeError, match="signer"):
        log.signer_of(session)


THREADS = 8
PER_THREAD = 20


def test_concurrent_appends_are_contiguous_and_verify(node: Node) -> None:
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def writer(thread: int) -> None:
        try:
            start.wait()
            for n in range(PER_THREAD):
                with node.db.writing() as session:
                    record(
                        session,
                        None,
                        "test.concurrent",
                        object_id=f"{thread}-{n}",
                        actor_name=f"writer{thread}",
                        event="test.concurrent",
                    )
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    total = THREADS * PER_THREAD

    entries = table_rows(node, AuditEntry)
    assert [entry["idx"] for entry in entries] == list(range(total))
    assert len({entry["object_id"] for entry in entries}) == total
    (tree,) = table_rows(node, AuditTree)
    assert tree["size"] == total
    # The outbox sequence follows the same (commit) order as the audit indexes.
    events = table_rows(node, OutboxEvent)
    assert [event["object_id"] for event in events] == [entry["object_id"] for entry in entries]

    with node.db.reading() as session:
        result = verify_log(session, node.signer.key.public_key())
    assert result.ok, result.problem
    assert (result.entries, result.checkpoints) == (total, total // CHECKPOINT_EVERY)
    sizes = [row.size for row in checkpoints(node)]
    assert sizes == [CHECKPOINT_EVERY * (n + 1) for n in range(total // CHECKPOINT_EVERY)]
