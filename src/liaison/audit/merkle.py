"""Merkle tree hashing for the audit log, as defined by RFC 6962 / RFC 9162 (section 2.1).

The audit log is an append-only list of entries. Its tree hash commits to every entry and to their
order, so a signed checkpoint (size + root) lets anyone detect a deletion, an edit or a reordering:

- leaf hash  = SHA-256(0x00 || entry)
- node hash  = SHA-256(0x01 || left || right)
- the tree of n > 1 leaves splits at the largest power of two strictly less than n;
  the empty tree hashes to SHA-256("").

The distinct 0x00 / 0x01 prefixes stop a node from being passed off as a leaf (second preimage).

`root` hashes a whole list at once (used by ``liaison audit verify``); `CompactRange` keeps only the
right edge of the tree so the store can append one entry at a time, persist the edge in a row and
continue in another process. Inclusion and consistency proofs follow RFC 9162 sections 2.1.3 and
2.1.4; the verifiers implement the RFC's algorithms and never raise on bad input, they say False.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_SIZE_BYTES = 8


def leaf_hash(entry: bytes) -> bytes:
    """Hash one log entry as a leaf."""
    return _sha256(_LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash two child subtree hashes into their parent."""
    return _sha256(_NODE_PREFIX + left + right).digest()


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """Return the tree hash (MTH) of ``leaf_hashes``.

    Hashes level by level, pairing neighbours and carrying an odd last node up unchanged: this
    gives exactly the RFC's split-at-the-largest-power-of-two tree, with n - 1 node hashes and no
    recursion, so a million leaves take well under a second.
    """
    level = list(leaf_hashes)
    if not level:
        return EMPTY_ROOT
    sha, prefix = _sha256, _NODE_PREFIX
    while len(level) > 1:
        pairs = iter(level)  # zip(pairs, pairs) yields neighbours and drops an odd last node...
        parents = [sha(prefix + a + b).digest() for a, b in zip(pairs, pairs, strict=False)]
        if len(level) & 1:  # ...which moves up a level unchanged.
            parents.append(level[-1])
        level = parents
    return level[0]


def _split(n: int) -> int:
    """Largest power of two strictly less than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """Return the audit path (RFC 9162 PATH) proving leaf ``index`` is in ``leaf_hashes``' tree.

    The path lists sibling subtree hashes from the leaf upwards.
    """
    size = len(leaf_hashes)
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    path: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        mid = lo + _split(hi - lo)
        if index < mid:
            path.append(root(leaf_hashes[mid:hi]))
            hi = mid
        else:
            path.append(root(leaf_hashes[lo:mid]))
            lo = mid
    path.reverse()
    return path


def verify_inclusion(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """Check an inclusion proof with the algorithm of RFC 9162 section 2.1.3.2."""
    if not 0 <= index < size or len(leaf_hash) != HASH_SIZE:
        return False
    if any(len(p) != HASH_SIZE for p in proof):
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def consistency_proof(old_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """Return the RFC 9162 PROOF that the first ``old_size`` leaves are a prefix of the tree.

    The proof is empty when ``old_size`` is 0 or the whole tree: both are trivially consistent.
    """
    size = len(leaf_hashes)
    if not 0 <= old_size <= size:
        raise ValueError(f"old size {old_size} is outside a tree of size {size}")
    if old_size in (0, size):
        return []
    proof: list[bytes] = []
    lo, hi, m = 0, size, old_size
    old_root_is_a_subtree = True  # The RFC's flag b: the old root is a node of the new tree.
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            proof.append(root(leaf_hashes[lo + k : hi]))
            hi = lo + k
        else:
            proof.append(root(leaf_hashes[lo : lo + k]))
            lo += k
            m -= k
            old_root_is_a_subtree = False
    if not old_root_is_a_subtree:
        proof.append(root(leaf_hashes[lo:hi]))
    proof.reverse()
    return proof


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Check a consistency proof with the algorithm of RFC 9162 section 2.1.4.2.

    Equal sizes need equal roots and an empty proof; the empty tree (whose root must be
    `EMPTY_ROOT`) is a prefix of every tree and needs an empty proof too.
    """
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if not proof or any(len(p) != HASH_SIZE for p in proof):
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


class CompactRange:
    """The right edge of a growing tree: the roots of its perfect subtrees, largest first.

    A tree of size n is the concatenation of perfect subtrees, one per set bit of n, so the edge
    holds popcount(n) <= 64 hashes. That is all the state needed to append further leaves and to
    compute the root, which lets the store keep the log's tree in a single row instead of
    re-reading every entry on each append.
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        """Rebuild a range from its size and edge hashes (as returned by `hashes`)."""
        if not 0 <= size < 1 << (8 * _SIZE_BYTES):
            raise ValueError(f"tree size {size} is out of range")
        if len(hashes) != size.bit_count():
            raise ValueError(
                f"a tree of size {size} has {size.bit_count()} edge hashes, got {len(hashes)}"
            )
        if any(len(h) != HASH_SIZE for h in hashes):
            raise ValueError(f"edge hashes must be {HASH_SIZE} bytes")
        self._size = size
        self._hashes = [bytes(h) for h in hashes]

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        """Perfect-subtree roots along the right edge, largest (leftmost) first."""
        return tuple(self._hashes)

    def append(self, leaf_hash: bytes) -> None:
        """Add one leaf, merging equal-sized subtrees as a binary counter carries."""
        if len(leaf_hash) != HASH_SIZE:
            raise ValueError(f"leaf hash must be {HASH_SIZE} bytes, got {len(leaf_hash)}")
        hashes = self._hashes
        hashes.append(leaf_hash)
        self._size += 1
        carries = self._size
        while not carries & 1:
            right = hashes.pop()
            hashes[-1] = node_hash(hashes[-1], right)
            carries >>= 1

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append leaves in order, e.g. streamed from the database without holding them all."""
        for h in leaf_hashes:
            self.append(h)

    def root(self) -> bytes:
        """Tree hash of everything appended so far, in O(log n)."""
        if not self._hashes:
            return EMPTY_ROOT
        result = self._hashes[-1]
        for h in reversed(self._hashes[:-1]):
            result = node_hash(h, result)
        return result

    def to_bytes(self) -> bytes:
        """Serialise as an 8-byte big-endian size followed by the edge hashes."""
        return self._size.to_bytes(_SIZE_BYTES, "big") + b"".join(self._hashes)

    @classmethod
    def from_bytes(cls, data: bytes) -> CompactRange:
        """Inverse of `to_bytes`; raises ValueError on a malformed or truncated value."""
        if len(data) < _SIZE_BYTES or (len(data) - _SIZE_BYTES) % HASH_SIZE:
            raise ValueError(f"malformed compact range of {len(data)} bytes")
        size = int.from_bytes(data[:_SIZE_BYTES], "big")
        body = data[_SIZE_BYTES:]
        return cls(size, [body[i : i + HASH_SIZE] for i in range(0, len(body), HASH_SIZE)])
