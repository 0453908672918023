"""Files stored content-addressed under the data directory: `root/ab/cdef…` by SHA-256.

A file is written to a temporary name in the same directory tree, counted and hashed as it
arrives, and renamed into place only when complete, so a reader never sees half a file and an
oversized upload leaves nothing behind. Identical content is stored once.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from liaison.domain.errors import TooLarge
from liaison.domain.filenames import ATTACHMENT_SNIFF_BYTES

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class StoredBlob:
    sha256: str
    size: int
    head: bytes  # the first bytes, for content-type detection


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, chunks: Iterable[bytes], *, max_bytes: int) -> StoredBlob:
        """Store the concatenated chunks; TooLarge (nothing kept) once over `max_bytes`."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        digest, size, head = hashlib.sha256(), 0, b""
        fd, temporary = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(max_bytes)
                    if len(head) < ATTACHMENT_SNIFF_BYTES:
                        head = (head + chunk)[:ATTACHMENT_SNIFF_BYTES]
                    digest.update(chunk)
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            blob = StoredBlob(digest.hexdigest(), size, head)
            target = self.path(blob.sha256)
            target.parent.mkdir(exist_ok=True, mode=0o700)
            os.replace(temporary, target)  # same content if it already existed
            return blob
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)

    def path(self, sha256: str) -> Path:
        """Where a blob lives; only a well-formed hash is ever turned into a path."""
        if not _SHA256.fullmatch(sha256):
            raise ValueError("not a SHA-256 in lower-case hex")
        return self.root / sha256[:2] / sha256[2:]

    def open(self, sha256: str) -> BinaryIO:
        return self.path(sha256).open("rb")
