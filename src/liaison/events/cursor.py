"""Opaque stream cursors: a reader must not learn, from gaps between the cursors of the events
they receive, how many events they were not allowed to see.

A cursor is the outbox seq encrypted with AES under a key derived from the node secret: one
AES block is a keyed permutation of 128-bit values, so cursors look random, are the same for
every subscriber (a frame is encoded once), and decode back to the seq on resume. The 8 high
bytes of the block must be zero, so a forged or garbled cursor is refused.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

CURSOR_LENGTH = 22  # 16 bytes in unpadded base64url


class CursorCodec:
    def __init__(self, secret: bytes) -> None:
        key = HKDF(SHA256(), 16, salt=None, info=b"liaison stream cursor").derive(secret)
        # ECB over a single block: a keyed permutation of the seq, not a mode for messages.
        self._cipher = Cipher(algorithms.AES(key), modes.ECB())  # noqa: S305

    def encode(self, seq: int) -> str:
        block = self._cipher.encryptor().update(seq.to_bytes(16, "big"))
        return base64.urlsafe_b64encode(block).rstrip(b"=").decode()

    def decode(self, cursor: str) -> int:
        """The seq of a cursor this node issued; ValueError for anything else."""
        if len(cursor) != CURSOR_LENGTH:
            raise ValueError("not a cursor of this stream")
        try:
            block = base64.urlsafe_b64decode(cursor + "==")
        except (binascii.Error, ValueError):
            raise ValueError("not a cursor of this stream") from None
        plain = self._cipher.decryptor().update(block)
        if len(block) != 16 or any(plain[:8]):
            raise ValueError("not a cursor of this stream")
        return int.from_bytes(plain, "big")
