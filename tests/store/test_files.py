"""Content-addressed file storage: round trips, dedup, the size limit, modes and bad hashes."""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from liaison.domain.errors import TooLarge
from liaison.domain.filenames import ATTACHMENT_SNIFF_BYTES
from liaison.store.files import BlobStore, StoredBlob

CONTENT = b"SITREP 241530ZNOV26: all quiet.\n"
SHA = hashlib.sha256(CONTENT).hexdigest()


def located(store: BlobStore, sha256: str) -> Path:
    """Where a stored blob is (the store's layout, root/ab/cdef..., is checked below)."""
    with store.open(sha256) as stored:
        return Path(stored.name)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "files"


@pytest.fixture
def store(root: Path) -> BlobStore:
    return BlobStore(root)


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_round_trip(store: BlobStore, root: Path) -> None:
    blob = store.put([CONTENT], max_bytes=1000)
    assert blob == StoredBlob(sha256=SHA, size=len(CONTENT), head=CONTENT)
    assert located(store, SHA) == root / SHA[:2] / SHA[2:]
    with store.open(SHA) as handle:
        assert handle.read() == CONTENT
    assert stored_files(root) == [located(store, SHA)]


def test_an_empty_file_is_allowed(store: BlobStore) -> None:
    blob = store.put([], max_bytes=0)
    assert blob == StoredBlob(sha256=hashlib.sha256().hexdigest(), size=0, head=b"")
    assert located(store, blob.sha256).read_bytes() == b""


def test_identical_content_is_stored_once(store: BlobStore, root: Path) -> None:
    first = store.put([CONTENT], max_bytes=1000)
    inode = located(store, SHA).stat().st_ino
    second = store.put([CONTENT[:5], CONTENT[5:]], max_bytes=1000)
    assert first == second
    assert stored_files(root) == [located(store, SHA)]
    assert located(store, SHA).stat().st_ino == inode  # the stored copy was left alone


def test_chunked_input_hashes_like_the_whole(store: BlobStore) -> None:
    whole = bytes(range(256)) * 100
    chunks = [whole[i : i + 997] for i in range(0, len(whole), 997)] + [b""]
    blob = store.put(iter(chunks), max_bytes=len(whole))
    assert blob.sha256 == hashlib.sha256(whole).hexdigest()
    assert blob.size == len(whole)
    assert blob.head == whole[:ATTACHMENT_SNIFF_BYTES]
    assert located(store, blob.sha256).read_bytes() == whole


def test_head_of_a_short_file_is_the_whole_file(store: BlobStore) -> None:
    assert store.put([b"ab", b"c"], max_bytes=3).head == b"abc"


def test_exactly_the_limit_is_stored(store: BlobStore) -> None:
    blob = store.put([b"x" * 60, b"x" * 40], max_bytes=100)
    assert blob.size == 100


def test_one_byte_over_the_limit_stores_nothing(store: BlobStore, root: Path) -> None:
    with pytest.raises(TooLarge) as raised:
        store.put([b"x" * 60, b"x" * 41], max_bytes=100)
    assert raised.value.limit == 100
    assert stored_files(root) == []


def test_the_limit_stops_reading_at_once(store: BlobStore, root: Path) -> None:
    def endless() -> Iterator[bytes]:
        yield b"x" * 10
        yield b"x" * 10
        raise AssertionError("read past the limit")

    with pytest.raises(TooLarge):
        store.put(endless(), max_bytes=15)
    assert stored_files(root) == []


def test_an_error_from_the_chunks_leaves_nothing(store: BlobStore, root: Path) -> None:
    def broken() -> Iterator[bytes]:
        yield CONTENT
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        store.put(broken(), max_bytes=1000)
    assert stored_files(root) == []


def test_directories_are_0700_and_files_0600(store: BlobStore, root: Path) -> None:
    store.put([CONTENT], max_bytes=1000)
    assert mode(root) == 0o700
    assert mode(root / SHA[:2]) == 0o700
    assert mode(located(store, SHA)) == 0o600


def test_concurrent_writers_of_the_same_content(store: BlobStore, root: Path) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        blobs = list(pool.map(lambda _: store.put([CONTENT], max_bytes=1000), range(32)))
    assert {blob.sha256 for blob in blobs} == {SHA}
    assert stored_files(root) == [located(store, SHA)]
    assert located(store, SHA).read_bytes() == CONTENT


@pytest.mark.parametrize(
    "sha256",
    [
        "../x",
        "../" + SHA[3:],
        SHA.upper(),
        SHA[:63],
        SHA + "0",
        SHA[:62] + "/x",
        SHA + "\n",
        "",
        "g" * 64,
        "\u0661" * 64,  # Arabic-Indic digits
    ],
)
def test_anything_but_a_lowercase_hex_digest_is_refused(store: BlobStore, sha256: str) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        store.open(sha256)


def test_a_missing_file_is_not_found(store: BlobStore) -> None:
    with pytest.raises(FileNotFoundError):
        store.open(SHA)
