"""Sealing small secrets at rest with a key derived from the node's secret."""

from __future__ import annotations

import pytest

from liaison.domain.sealing import Sealer

SEED = "JBSWY3DPEHPK3PXP"


def test_a_sealed_value_opens_with_the_same_secret() -> None:
    sealed = Sealer(b"node-secret").seal(SEED)
    assert SEED.encode() not in sealed
    assert Sealer(b"node-secret").unseal(sealed) == SEED


def test_sealing_twice_gives_different_ciphertexts() -> None:
    sealer = Sealer(b"node-secret")
    first, second = sealer.seal(SEED), sealer.seal(SEED)
    assert first != second
    assert sealer.unseal(first) == sealer.unseal(second) == SEED


def test_another_nodes_secret_does_not_open_it() -> None:
    sealed = Sealer(b"node-secret").seal(SEED)
    with pytest.raises(ValueError, match="does not open with this node's secret key"):
        Sealer(b"another-node-secret").unseal(sealed)


def test_a_tampered_value_does_not_open() -> None:
    sealer = Sealer(b"node-secret")
    sealed = bytearray(sealer.seal(SEED))
    sealed[len(sealed) // 2] ^= 0x01
    with pytest.raises(ValueError, match="does not open"):
        sealer.unseal(bytes(sealed))
    with pytest.raises(ValueError, match="does not open"):
        sealer.unseal(b"garbage")
