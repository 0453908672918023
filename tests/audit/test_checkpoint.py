"""Tests of signed checkpoints and of the node key file."""

import base64
import dataclasses
import os
import stat
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from liaison.audit.checkpoint import (
    Checkpoint,
    KeyFileError,
    checkpoint_body,
    key_id,
    load_or_create_node_key,
    sign_checkpoint,
    verify_checkpoint,
)
from liaison.audit.merkle import leaf_hash, root

ORIGIN = "liaison.example.org/audit"
# Root of the 8-leaf RFC 6962 test tree (transparency-dev/merkle, testonly/constants.go).
ROOT = bytes.fromhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
WHEN = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)


@pytest.fixture
def private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def checkpoint(private_key: Ed25519PrivateKey) -> Checkpoint:
    return sign_checkpoint(private_key, ORIGIN, 8, ROOT, WHEN)


def flip(data: bytes) -> bytes:
    return bytes([data[0] ^ 1]) + data[1:]


# Checkpoints.


def test_body_format() -> None:
    assert checkpoint_body(ORIGIN, 8, ROOT, WHEN) == (
        b"liaison.example.org/audit\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
        b"2026-11-24T15:30:00Z\n"
    )


def test_body_normalises_timestamp_to_utc() -> None:
    paris = datetime(2026, 11, 24, 16, 30, tzinfo=timezone(timedelta(hours=1)))
    assert checkpoint_body(ORIGIN, 8, ROOT, paris) == checkpoint_body(ORIGIN, 8, ROOT, WHEN)


def test_sign_and_verify(private_key: Ed25519PrivateKey, checkpoint: Checkpoint) -> None:
    assert checkpoint.origin == ORIGIN
    assert checkpoint.size == 8
    assert checkpoint.root == ROOT
    assert checkpoint.timestamp == WHEN
    assert checkpoint.key_id == key_id(private_key.public_key())
    assert len(checkpoint.signature) == 64
    assert checkpoint.body == checkpoint_body(ORIGIN, 8, ROOT, WHEN)
    assert verify_checkpoint(private_key.public_key(), checkpoint)


def test_sign_tree_root_end_to_end(private_key: Ed25519PrivateKey) -> None:
    leaves = [leaf_hash(f"entry {i}".encode()) for i in range(5)]
    cp = sign_checkpoint(private_key, ORIGIN, len(leaves), root(leaves), WHEN)
    assert verify_checkpoint(private_key.public_key(), cp)


def test_sign_drops_sub_second_precision(private_key: Ed25519PrivateKey) -> None:
    cp = sign_checkpoint(private_key, ORIGIN, 8, ROOT, WHEN.replace(microsecond=123456))
    assert cp.timestamp == WHEN
    assert b"2026-11-24T15:30:00Z\n" in cp.body
    assert verify_checkpoint(private_key.public_key(), cp)


@pytest.mark.parametrize(
    "change",
    [
        {"size": 9},
        {"size": 7},
        {"root": flip(ROOT)},
        {"origin": "other.example.org/audit"},
        {"timestamp": WHEN + timedelta(seconds=1)},
        {"signature": b""},
    ],
    ids=["size+1", "size-1", "root", "origin", "timestamp", "empty-signature"],
)
def test_tampered_checkpoint_fails(
    private_key: Ed25519PrivateKey, checkpoint: Checkpoint, change: dict[str, object]
) -> None:
    tampered = dataclasses.replace(checkpoint, **change)  # type: ignore[arg-type]
    assert not verify_checkpoint(private_key.public_key(), tampered)


def test_tampered_signature_fails(private_key: Ed25519PrivateKey, checkpoint: Checkpoint) -> None:
    for i in range(len(checkpoint.signature)):
        signature = bytearray(checkpoint.signature)
        signature[i] ^= 0x80
        tampered = dataclasses.replace(checkpoint, signature=bytes(signature))
        assert not verify_checkpoint(private_key.public_key(), tampered), i


def test_other_key_fails(checkpoint: Checkpoint) -> None:
    other = Ed25519PrivateKey.generate().public_key()
    assert not verify_checkpoint(other, checkpoint)
    assert not verify_checkpoint(other, dataclasses.replace(checkpoint, key_id=key_id(other)))


def test_wrong_key_id_fails(private_key: Ed25519PrivateKey, checkpoint: Checkpoint) -> None:
    tampered = dataclasses.replace(checkpoint, key_id="0" * 16)
    assert not verify_checkpoint(private_key.public_key(), tampered)


def test_key_id_is_stable_and_short(private_key: Ed25519PrivateKey) -> None:
    public_key = private_key.public_key()
    kid = key_id(public_key)
    assert len(kid) == 16
    int(kid, 16)
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert key_id(Ed25519PublicKey.from_public_bytes(raw)) == kid
    assert key_id(Ed25519PrivateKey.generate().public_key()) != kid


def test_checkpoint_is_frozen(checkpoint: Checkpoint) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        checkpoint.size = 9  # type: ignore[misc]


@pytest.mark.parametrize(
    ("origin", "size", "tree_root", "timestamp", "message"),
    [
        ("", 8, ROOT, WHEN, "origin"),
        ("a\nb", 8, ROOT, WHEN, "origin"),
        (ORIGIN, -1, ROOT, WHEN, "size"),
        (ORIGIN, 8, ROOT[:31], WHEN, "root"),
        (ORIGIN, 8, base64.b64encode(ROOT), WHEN, "root"),
        (ORIGIN, 8, ROOT, datetime(2026, 11, 24, 15, 30), "timezone-aware"),
    ],
)
def test_unsignable_values_are_rejected(
    private_key: Ed25519PrivateKey,
    origin: str,
    size: int,
    tree_root: bytes,
    timestamp: datetime,
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        sign_checkpoint(private_key, origin, size, tree_root, timestamp)
    with pytest.raises(ValueError, match=message):
        Checkpoint(origin, size, tree_root, timestamp, b"\x00" * 64, "0" * 16)


# Node key file.


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_creates_key_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "node.pem"
    key = load_or_create_node_key(path)
    assert mode_of(path) == 0o600
    assert mode_of(path.parent) == 0o700
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----\n")  # PKCS#8, unencrypted
    assert sorted(p.name for p in path.parent.iterdir()) == ["node.pem"]  # no temporary left
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(loaded, Ed25519PrivateKey)
    assert key_id(loaded.public_key()) == key_id(key.public_key())


def test_new_key_is_private_despite_permissive_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        load_or_create_node_key(tmp_path / "node.pem")
    finally:
        os.umask(previous)
    assert mode_of(tmp_path / "node.pem") == 0o600


def test_loads_existing_key(tmp_path: Path) -> None:
    path = tmp_path / "node.pem"
    first = load_or_create_node_key(path)
    content = path.read_bytes()
    second = load_or_create_node_key(path)
    assert path.read_bytes() == content
    assert key_id(second.public_key()) == key_id(first.public_key())
    cp = sign_checkpoint(first, ORIGIN, 8, ROOT, WHEN)
    assert verify_checkpoint(second.public_key(), cp)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660, 0o606, 0o610])
def test_refuses_key_accessible_to_others(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "node.pem"
    load_or_create_node_key(path)
    content = path.read_bytes()
    path.chmod(mode)
    with pytest.raises(KeyFileError, match="group or others") as excinfo:
        load_or_create_node_key(path)
    assert str(path) in str(excinfo.value)
    assert path.read_bytes() == content  # neither repaired nor replaced
    assert mode_of(path) == mode


def test_accepts_read_only_key(tmp_path: Path) -> None:
    path = tmp_path / "node.pem"
    load_or_create_node_key(path)
    path.chmod(0o400)
    load_or_create_node_key(path)


def test_refuses_other_key_types(tmp_path: Path) -> None:
    path = tmp_path / "node.pem"
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(pem)
    path.chmod(0o600)
    with pytest.raises(KeyFileError, match="not Ed25519") as excinfo:
        load_or_create_node_key(path)
    assert str(path) in str(excinfo.value)


@pytest.mark.parametrize("content", [b"", b"not a key", b"-----BEGIN PRIVATE KEY-----\n"])
def test_refuses_unreadable_key(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "node.pem"
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(KeyFileError, match="not an unencrypted PEM private key") as excinfo:
        load_or_create_node_key(path)
    assert str(path) in str(excinfo.value)


def test_refuses_encrypted_key(tmp_path: Path) -> None:
    path = tmp_path / "node.pem"
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    path.write_bytes(pem)
    path.chmod(0o600)
    with pytest.raises(KeyFileError, match="not an unencrypted PEM private key"):
        load_or_create_node_key(path)


def test_concurrent_creation_keeps_the_first_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If another process publishes a key between our look and our link, we use its key."""
    path = tmp_path / "node.pem"
    winner = Ed25519PrivateKey.generate()
    real_link = os.link

    def link_after_a_rival(source: Path, target: Path) -> None:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(
                winner.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        real_link(source, target)

    monkeypatch.setattr(os, "link", link_after_a_rival)
    key = load_or_create_node_key(path)
    assert key_id(key.public_key()) == key_id(winner.public_key())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["node.pem"]
