"""Tests of the RFC 6962 / RFC 9162 Merkle tree: public test vectors, then randomized trees."""

import hashlib
import random
from collections.abc import Sequence

import pytest

from liaison.audit.merkle import (
    EMPTY_ROOT,
    CompactRange,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

# Test vectors from github.com/transparency-dev/merkle (Apache-2.0):
# testonly/constants.go (LeafInputs, NodeHashes, RootHashes, CompactTrees),
# proof/verify_test.go (inclusionProofs, consistencyProofs) and rfc6962/rfc6962_test.go.
LEAF_INPUTS = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]

h = bytes.fromhex

# NodeHashes(): level -> hashes of the complete subtrees on that level.
NODE_HASHES = [
    [
        h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
        h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
        h("0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"),
        h("07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7"),
        h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        h("4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658"),
        h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
        h("46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"),
    ],
    [
        h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
        h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
        h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
    ],
    [
        h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
    ],
    [
        h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
    ],
]

# RootHashes(): index = tree size.
ROOTS = [
    h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    h("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    h("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    h("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    h("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]

# CompactTrees(): index = tree size, value = (level, index) of each edge hash in NODE_HASHES.
COMPACT_TREES = [
    [],
    [(0, 0)],
    [(1, 0)],
    [(1, 0), (0, 2)],
    [(2, 0)],
    [(2, 0), (0, 4)],
    [(2, 0), (1, 2)],
    [(2, 0), (1, 2), (0, 6)],
    [(3, 0)],
]

# inclusionProofs: (leaf index, which is 1-based in the Go source, tree size, proof).
INCLUSION_PROOFS = [
    (1, 1, []),
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (3, 3, [h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    (
        2,
        5,
        [
            h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
]

# consistencyProofs: (old size, new size, proof).
CONSISTENCY_PROOFS = [
    (1, 1, []),
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (
        2,
        5,
        [
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
    (
        6,
        7,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
]

SOME_HASH = h("abacaba000000000000000000000000000000000000000000060061e00123456")

VECTOR_LEAVES = [leaf_hash(e) for e in LEAF_INPUTS]


def reference_root(hashes: Sequence[bytes]) -> bytes:
    """MTH exactly as RFC 9162 section 2.1.1 writes it: recursive, split below n."""
    n = len(hashes)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashes[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(reference_root(hashes[:k]), reference_root(hashes[k:]))


def random_hashes(n: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    return [rng.randbytes(32) for _ in range(n)]


def flip(data: bytes, bit: int = 3) -> bytes:
    return bytes([data[0] ^ (1 << bit)]) + data[1:]


# Hashing primitives.


def test_hashers_match_rfc6962_vectors() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert leaf_hash(b"L123456").hex() == (
        "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    )
    assert node_hash(b"N123", b"N456").hex() == (
        "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"
    )


def test_leaf_and_node_domains_are_separated() -> None:
    left, right = leaf_hash(b"Hello"), leaf_hash(b"World")
    assert node_hash(left, right) != leaf_hash(left + right)
    assert node_hash(left, right) != node_hash(right, left)


def test_leaf_hashes_match_vector_leaf_level() -> None:
    assert NODE_HASHES[0] == VECTOR_LEAVES


@pytest.mark.parametrize("size", range(len(ROOTS)))
def test_root_matches_vector(size: int) -> None:
    assert root(VECTOR_LEAVES[:size]) == ROOTS[size]


def test_root_accepts_tuple() -> None:
    assert root(tuple(VECTOR_LEAVES)) == ROOTS[8]


# Compact ranges.


@pytest.mark.parametrize("size", range(len(COMPACT_TREES)))
def test_compact_range_matches_vector(size: int) -> None:
    cr = CompactRange()
    cr.extend(VECTOR_LEAVES[:size])
    assert cr.size == size
    assert cr.hashes == tuple(NODE_HASHES[lvl][i] for lvl, i in COMPACT_TREES[size])
    assert cr.root() == ROOTS[size]


def test_compact_range_root_equals_root_for_every_size() -> None:
    leaves = random_hashes(300, seed=1)
    cr = CompactRange()
    assert cr.root() == root([]) == EMPTY_ROOT
    for n, leaf in enumerate(leaves, start=1):
        cr.append(leaf)
        assert cr.size == n
        assert len(cr.hashes) == n.bit_count()
        expected = root(leaves[:n])
        assert cr.root() == expected == reference_root(leaves[:n]), n


@pytest.mark.parametrize("size", [0, 1, 2, 3, 7, 8, 64, 100, 255])
def test_compact_range_resumes_after_serialisation(size: int) -> None:
    """A range persisted by one process and reloaded by another keeps appending correctly."""
    leaves = random_hashes(300, seed=2)
    first = CompactRange()
    first.extend(leaves[:size])
    data = first.to_bytes()
    assert len(data) == 8 + 32 * size.bit_count()

    resumed = CompactRange.from_bytes(data)
    assert (resumed.size, resumed.hashes) == (first.size, first.hashes)
    rebuilt = CompactRange(first.size, [bytes.fromhex(x.hex()) for x in first.hashes])
    assert rebuilt.root() == first.root()

    resumed.extend(leaves[size:])
    assert resumed.root() == root(leaves)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00" * 7,
        (1).to_bytes(8, "big"),  # size 1 needs one hash
        (2).to_bytes(8, "big") + b"\x00" * 64,  # size 2 needs exactly one
        (3).to_bytes(8, "big") + b"\x00" * 63,  # truncated
    ],
)
def test_compact_range_rejects_malformed_bytes(data: bytes) -> None:
    with pytest.raises(ValueError, match=r"compact range|edge hashes"):
        CompactRange.from_bytes(data)


def test_compact_range_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="out of range"):
        CompactRange(-1)
    with pytest.raises(ValueError, match="32 bytes"):
        CompactRange(1, [b"short"])
    with pytest.raises(ValueError, match="32 bytes"):
        CompactRange().append(b"short")


# Inclusion proofs.


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION_PROOFS)
def test_inclusion_proof_matches_vector(leaf: int, size: int, proof: list[bytes]) -> None:
    index = leaf - 1
    assert inclusion_proof(index, VECTOR_LEAVES[:size]) == proof
    assert verify_inclusion(index, size, VECTOR_LEAVES[index], proof, ROOTS[size])


def corrupted_inclusion_probes(
    index: int, size: int, leaf: bytes, proof: list[bytes], tree_root: bytes
) -> list[tuple[int, int, bytes, list[bytes], bytes]]:
    """The corruptions of transparency-dev/merkle's corruptInclusionProof, each must fail."""
    probes = [
        (index - 1, size, leaf, proof, tree_root),
        (index + 1, size, leaf, proof, tree_root),
        (index ^ 2, size, leaf, proof, tree_root),
        (index, size * 2, leaf, proof, tree_root),
        (index, size // 2, leaf, proof, tree_root),
        (index, size, b"WrongLeaf", proof, tree_root),
        (index, size, flip(leaf), proof, tree_root),
        (index, size, leaf, proof, EMPTY_ROOT),
        (index, size, leaf, proof, SOME_HASH),
        (index, size, leaf, [*proof, b""], tree_root),
        (index, size, leaf, [*proof, tree_root], tree_root),
        (index, size, leaf, [b"", *proof], tree_root),
        (index, size, leaf, [tree_root, *proof], tree_root),
    ]
    for i in range(len(proof)):
        probes.append((index, size, leaf, [*proof[:i], flip(proof[i]), *proof[i + 1 :]], tree_root))
    if proof:
        probes.append((index, size, leaf, proof[:-1], tree_root))
    if len(proof) > 1:
        probes.append((index, size, leaf, [proof[0], SOME_HASH, *proof[1:]], tree_root))
    return probes


def assert_inclusion_proof_is_tight(leaves: list[bytes], index: int) -> None:
    size = len(leaves)
    tree_root = root(leaves)
    proof = inclusion_proof(index, leaves)
    assert verify_inclusion(index, size, leaves[index], proof, tree_root), (index, size)
    for probe in corrupted_inclusion_probes(index, size, leaves[index], proof, tree_root):
        assert not verify_inclusion(*probe), (index, size, probe)


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION_PROOFS)
def test_inclusion_vector_corruptions_fail(leaf: int, size: int, proof: list[bytes]) -> None:
    index = leaf - 1
    for probe in corrupted_inclusion_probes(index, size, VECTOR_LEAVES[index], proof, ROOTS[size]):
        assert not verify_inclusion(*probe), probe


def test_every_inclusion_proof_verifies_and_tampering_fails() -> None:
    leaves = random_hashes(70, seed=3)
    for size in range(1, len(leaves) + 1):
        for index in range(size):
            assert_inclusion_proof_is_tight(leaves[:size], index)


def test_inclusion_proofs_in_larger_trees() -> None:
    leaves = random_hashes(300, seed=4)
    rng = random.Random(5)
    for size in (127, 128, 129, 255, 256, 257, *range(290, 301)):
        for index in {0, size - 1, *rng.sample(range(size), k=min(size, 8))}:
            assert_inclusion_proof_is_tight(leaves[:size], index)


def test_single_leaf_inclusion() -> None:
    """In a one-leaf tree the root is the leaf hash and the proof is empty."""
    one = leaf_hash(b"data")
    assert verify_inclusion(0, 1, one, [], one)
    assert not verify_inclusion(0, 1, b"", [], one)
    assert not verify_inclusion(0, 1, one, [], b"")
    assert not verify_inclusion(0, 1, b"", [], b"")


@pytest.mark.parametrize(("index", "size"), [(0, 0), (1, 0), (2, 1), (-1, 4)])
def test_inclusion_rejects_out_of_range(index: int, size: int) -> None:
    assert not verify_inclusion(index, size, SOME_HASH, [], EMPTY_ROOT)
    assert not verify_inclusion(index, size, SOME_HASH, [], SOME_HASH)


@pytest.mark.parametrize("index", [-1, 8, 100])
def test_inclusion_proof_rejects_out_of_range(index: int) -> None:
    with pytest.raises(ValueError, match="outside a tree of size 8"):
        inclusion_proof(index, VECTOR_LEAVES)


# Consistency proofs.


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY_PROOFS)
def test_consistency_proof_matches_vector(old: int, new: int, proof: list[bytes]) -> None:
    assert consistency_proof(old, VECTOR_LEAVES[:new]) == proof
    assert verify_consistency(old, new, ROOTS[old], ROOTS[new], proof)


def corrupted_consistency_probes(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes]
) -> list[tuple[int, int, bytes, bytes, list[bytes]]]:
    """The corruptions of transparency-dev/merkle's corruptConsistencyProof, each must fail."""
    probes = [
        (old - 1, new, old_root, new_root, proof),
        (old + 1, new, old_root, new_root, proof),
        (old ^ 2, new, old_root, new_root, proof),
        (old, new * 2, old_root, new_root, proof),
        (old, new // 2, old_root, new_root, proof),
        (old, new, b"WrongRoot", new_root, proof),
        (old, new, old_root, b"WrongRoot", proof),
        (old, new, flip(old_root), new_root, proof),
        (old, new, old_root, flip(new_root), proof),
        (old, new, new_root, old_root, proof),
        (old, new, old_root, new_root, []),
        (old, new, old_root, new_root, [*proof, b""]),
        (old, new, old_root, new_root, [*proof, old_root]),
        (old, new, old_root, new_root, [*proof, new_root]),
        (old, new, old_root, new_root, [b"", *proof]),
        (old, new, old_root, new_root, [old_root, *proof]),
        (old, new, old_root, new_root, [new_root, *proof]),
        (old, new, old_root, new_root, [proof[0], *proof]),
        (old, new, old_root, new_root, proof[:-1]),
    ]
    for i in range(len(proof)):
        probes.append(
            (old, new, old_root, new_root, [*proof[:i], flip(proof[i], 4), *proof[i + 1 :]])
        )
    return probes


@pytest.mark.parametrize(("old", "new", "proof"), [p for p in CONSISTENCY_PROOFS if p[2]])
def test_consistency_vector_corruptions_fail(old: int, new: int, proof: list[bytes]) -> None:
    for probe in corrupted_consistency_probes(old, new, ROOTS[old], ROOTS[new], proof):
        assert not verify_consistency(*probe), probe


def test_consistency_proofs_for_all_pairs() -> None:
    leaves = random_hashes(40, seed=6)
    roots = [root(leaves[:n]) for n in range(len(leaves) + 1)]
    for new in range(len(leaves) + 1):
        for old in range(new + 1):
            proof = consistency_proof(old, leaves[:new])
            assert verify_consistency(old, new, roots[old], roots[new], proof), (old, new)
            if old in (0, new):
                assert proof == []
                continue
            for probe in corrupted_consistency_probes(old, new, roots[old], roots[new], proof):
                assert not verify_consistency(*probe), (old, new, probe)
            # A proof is bound to its own pair of trees: an edited leaf breaks it.
            edited = leaves[:new]
            edited[old - 1] = flip(edited[old - 1])
            assert not verify_consistency(old, new, roots[old], root(edited), proof)
            assert not verify_consistency(old, new, root(edited[:old]), roots[new], proof)


def test_consistency_edge_cases() -> None:
    """Mirrors TestVerifyConsistency of transparency-dev/merkle, with a stricter empty tree."""
    root1, root2 = b"don't care 1", b"don't care 2"
    assert not verify_consistency(0, 0, root1, root2, [])
    assert not verify_consistency(1, 1, root1, root2, [])
    assert verify_consistency(0, 0, root1, root1, [])
    assert verify_consistency(1, 1, root2, root2, [])
    assert verify_consistency(0, 1, EMPTY_ROOT, root2, [])
    # The empty tree has a known root; any other claim about it is not a prefix of anything.
    assert not verify_consistency(0, 1, root1, root2, [])
    assert not verify_consistency(1, 0, root1, root2, [])
    assert not verify_consistency(2, 1, root1, root2, [])
    assert not verify_consistency(1, 2, root1, root2, [])
    assert not verify_consistency(0, 0, EMPTY_ROOT, root2, [])
    assert not verify_consistency(1, 1, EMPTY_ROOT, root2, [])
    assert not verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])
    assert not verify_consistency(0, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])
    assert not verify_consistency(1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])


@pytest.mark.parametrize("old", [-1, 9])
def test_consistency_proof_rejects_out_of_range(old: int) -> None:
    with pytest.raises(ValueError, match="outside a tree of size 8"):
        consistency_proof(old, VECTOR_LEAVES)
