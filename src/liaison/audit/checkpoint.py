"""Signed checkpoints of the audit log, and the node's Ed25519 signing key.

A checkpoint states "the log of ``origin`` had ``size`` entries with tree hash ``root`` at
``timestamp``", signed by the node. Once a checkpoint has been seen (exported, sent to a peer,
printed in a report), the node cannot rewrite history behind it without the signature or a
consistency proof failing.

Signed body
-----------
The signature covers the UTF-8 bytes of a text in the style of a C2SP signed-note checkpoint
(https://c2sp.org/tlog-checkpoint), with the timestamp as its one extension line::

    <origin>\\n
    <size, decimal, no leading zeros>\\n
    <base64 (standard alphabet, padded) of the 32-byte root>\\n
    <timestamp, ISO 8601 in UTC with a "Z" suffix, e.g. 2026-11-24T15:30:00Z>\\n

for example::

    liaison.example.org/audit
    8
    XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=
    2026-11-24T15:30:00Z

The origin must be non-empty and hold no newline, so the body parses back unambiguously.
`sign_checkpoint` drops sub-second precision, so the body is reproduced exactly from any store
that keeps timestamps to the second. The signature is plain Ed25519 over the body; ``key_id``
names the key (first 8 bytes of SHA-256 of the raw public key, in hex) so a verifier holding
several nodes' keys can pick the right one.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

ROOT_SIZE = 32
_KEY_FILE_MODE = 0o600
_KEY_DIR_MODE = 0o700


class KeyFileError(Exception):
    """The node key file is unsafe to use or does not hold an Ed25519 private key."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed statement of the audit log's size and root hash at a point in time."""

    origin: str
    size: int
    root: bytes
    timestamp: datetime
    signature: bytes
    key_id: str

    def __post_init__(self) -> None:
        """Reject values that could not be signed and verified unambiguously."""
        _check_body_fields(self.origin, self.size, self.root, self.timestamp)

    @property
    def body(self) -> bytes:
        """The exact bytes the signature covers (see the module docstring)."""
        return checkpoint_body(self.origin, self.size, self.root, self.timestamp)


def _check_body_fields(origin: str, size: int, root: bytes, timestamp: datetime) -> None:
    if not origin or "\n" in origin:
        raise ValueError("checkpoint origin must be non-empty and hold no newline")
    if size < 0:
        raise ValueError(f"checkpoint size must not be negative, got {size}")
    if len(root) != ROOT_SIZE:
        raise ValueError(f"checkpoint root must be {ROOT_SIZE} bytes, got {len(root)}")
    if timestamp.tzinfo is None or timestamp.utcoffset() is None:
        raise ValueError("checkpoint timestamp must be timezone-aware")


def checkpoint_body(origin: str, size: int, root: bytes, timestamp: datetime) -> bytes:
    """Render the signed body of a checkpoint."""
    _check_body_fields(origin, size, root, timestamp)
    when = timestamp.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"
    encoded_root = base64.b64encode(root).decode("ascii")
    return f"{origin}\n{size}\n{encoded_root}\n{when}\n".encode()


def key_id(public_key: Ed25519PublicKey) -> str:
    """Short stable name of a public key: hex of the first 8 bytes of SHA-256(raw key)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).digest()[:8].hex()


def sign_checkpoint(
    private_key: Ed25519PrivateKey, origin: str, size: int, root: bytes, timestamp: datetime
) -> Checkpoint:
    """Sign the log's ``size`` and ``root`` at ``timestamp`` (truncated to the second)."""
    timestamp = timestamp.replace(microsecond=0)
    signature = private_key.sign(checkpoint_body(origin, size, root, timestamp))
    return Checkpoint(
        origin=origin,
        size=size,
        root=root,
        timestamp=timestamp,
        signature=signature,
        key_id=key_id(private_key.public_key()),
    )


def verify_checkpoint(public_key: Ed25519PublicKey, checkpoint: Checkpoint) -> bool:
    """True if ``checkpoint`` was signed by ``public_key`` and is unaltered."""
    if checkpoint.key_id != key_id(public_key):
        return False
    try:
        public_key.verify(checkpoint.signature, checkpoint.body)
    except InvalidSignature:
        return False
    return True


def load_or_create_node_key(path: Path) -> Ed25519PrivateKey:
    """Load the node's signing key from ``path``, creating it (PEM, PKCS#8, mode 0600) if absent.

    A key file that group or others may access is refused rather than repaired: someone may
    already have copied it, and the operator has to decide whether to rotate. A new key is
    written to a private temporary file and published with a hard link, which fails if the key
    appeared meanwhile; so concurrent first starts agree on one key and no process ever reads a
    half-written file.
    """
    try:
        return _load_node_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=_KEY_DIR_MODE, parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _KEY_FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
            f.flush()
            os.fsync(f.fileno())
        os.link(temporary, path)
    except FileExistsError:
        return _load_node_key(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    _fsync_directory(path.parent)
    return key


def _fsync_directory(directory: Path) -> None:
    """Make the new directory entry durable, so a crash cannot silently lose the key."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _load_node_key(path: Path) -> Ed25519PrivateKey:
    with path.open("rb") as f:
        mode = os.fstat(f.fileno()).st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyFileError(
                f"node key file {path} is accessible by group or others "
                f"(mode {stat.S_IMODE(mode):04o}); restrict it to 0600 or rotate the key"
            )
        data = f.read()
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise KeyFileError(f"node key file {path} is not an unencrypted PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"node key file {path} holds a {type(key).__name__}, not Ed25519")
    return key
