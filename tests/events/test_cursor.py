"""Stream cursors are opaque: they decode to their seq, reveal no order, and forgeries fail."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.events.cursor import CursorCodec

CODEC = CursorCodec(b"node secret")


@given(st.integers(min_value=0, max_value=2**63 - 1))
def test_a_cursor_decodes_to_its_seq(seq: int) -> None:
    assert CODEC.decode(CODEC.encode(seq)) == seq


def test_neighbouring_seqs_give_unrelated_cursors() -> None:
    cursors = [CODEC.encode(seq) for seq in range(100, 110)]
    assert len(set(cursors)) == 10
    assert sorted(cursors) != cursors  # no order leaks through the text either


def test_another_nodes_cursor_or_a_forgery_is_refused() -> None:
    other = CursorCodec(b"another secret").encode(7)
    for bad in (other, "A" * 22, "short", "!" * 22, ""):
        with pytest.raises(ValueError, match="not a cursor"):
            CODEC.decode(bad)
