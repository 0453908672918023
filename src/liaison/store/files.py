"""Content-addressed file storage: attachments on disk under the node's data directory.

A blob is named by the SHA-256 of its bytes (`root/ab/cdef...`), so identical uploads are stored
once and a stored file can be checked against its name. Files only ever appear complete: they
are written to a temporary file in the same root and renamed into place.
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

# The API answers this error with 413, wherever it is raised.
from liaison.domain.errors import TooLarge as TooLarge  # re-exported
from liaison.domain.filenames import ATTACHMENT_SNIFF_BYTES

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_TEMP_PREFIX = ".tmp-"  # cannot collide with the two-character fan-out directories


@dataclass(frozen=True, slots=True)
class StoredBlob:
    """What the caller records about a stored file; `head` is enough to sniff its type."""

    sha256: str
    size: int
    head: bytes


class BlobStore:
    """Files under `root`, private to the node's user (directories 0700, files 0600).

    Safe to share between threads: each write has its own temporary file, and the final rename
    is atomic, so two writers of the same content both succeed with one stored file.
    """

    def __init__(self, root: Path) -> None:
        self._root = root

    def put(self, chunks: Iterable[bytes], *, max_bytes: int) -> StoredBlob:
        """Store the concatenated chunks, refusing more than `max_bytes` as soon as they pass it.

        On any failure, including `TooLarge` and errors raised by `chunks`, nothing is left.
        """
        self._root.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, temp_name = tempfile.mkstemp(dir=self._root, prefix=_TEMP_PREFIX)  # 0600
        temp = Path(temp_name)
        try:
            digest = hashlib.sha256()
            size = 0
            head = bytearray()
            with os.fdopen(descriptor, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(max_bytes)
                    digest.update(chunk)
                    head += chunk[: ATTACHMENT_SNIFF_BYTES - len(head)]
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            final = self._location(sha256)
            try:
                final.parent.mkdir(mode=0o700)
                _fsync_directory(self._root)
            except FileExistsError:
                pass
            if final.exists():
                temp.unlink()  # same name, same content: the stored copy is complete
            else:
                os.replace(temp, final)
                _fsync_directory(final.parent)  # the rename survives a crash
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return StoredBlob(sha256=sha256, size=size, head=bytes(head))

    def open(self, sha256: str) -> BinaryIO:
        """The stored file for reading; FileNotFoundError when there is none."""
        return self._location(sha256).open("rb")

    def _location(self, sha256: str) -> Path:
        # The hash may come from the database or a URL: only exact hex can become a path.
        if not _SHA256_HEX.fullmatch(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self._root / sha256[:2] / sha256[2:]


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
