"""Rolling labelled portions up into one overall label."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.security import (
    Policy,
    RollupError,
    TagKind,
    decide,
    label_problem,
    render_marking,
    rollup,
)

from .helpers import ADMIN, RELEASABLE, SCD, label
from .strategies import clearances, valid_labels


def test_rollup_takes_the_highest_and_narrows_releasability(nato: Policy) -> None:
    overall = rollup(
        nato,
        [
            label("RESTRICTED", (RELEASABLE, TagKind.PERMISSIVE, {"GBR", "FRA", "DEU"})),
            label(
                "SECRET",
                (RELEASABLE, TagKind.PERMISSIVE, {"GBR", "FRA"}),
                (SCD, TagKind.RESTRICTIVE, {"ATOMAL"}),
            ),
            label(
                "CONFIDENTIAL",
                (SCD, TagKind.RESTRICTIVE, {"CRYPTO"}),
                (ADMIN, TagKind.INFORMATIVE, {"STAFF"}),
            ),
            label("UNCLASSIFIED", (ADMIN, TagKind.INFORMATIVE, {"MEDICAL"})),
        ],
    )
    assert overall == label(
        "SECRET",
        (RELEASABLE, TagKind.PERMISSIVE, {"GBR", "FRA"}),
        (SCD, TagKind.RESTRICTIVE, {"ATOMAL", "CRYPTO"}),
        (ADMIN, TagKind.INFORMATIVE, {"STAFF", "MEDICAL"}),
    )


def test_disjoint_releasability_releases_to_no_one(nato: Policy) -> None:
    overall = rollup(
        nato,
        [
            label("SECRET", (RELEASABLE, TagKind.PERMISSIVE, {"GBR"})),
            label("SECRET", (RELEASABLE, TagKind.PERMISSIVE, {"FRA"})),
        ],
    )
    assert overall.category(RELEASABLE, TagKind.PERMISSIVE) == frozenset()


def test_privacy_marks_are_kept(nato: Policy) -> None:
    from dataclasses import replace

    first = replace(label("SECRET"), privacy_mark="STAFF")
    second = replace(label("SECRET"), privacy_mark="MEDICAL")
    assert rollup(nato, [first, second, first]).privacy_mark == "STAFF / MEDICAL"


@pytest.mark.parametrize(
    ("portions", "message"),
    [
        ([], "no portions"),
        ([label("SECRET"), label("SECRET", policy="DEMO-GBR")], "portion 2 is invalid"),
        (
            # KFOR may not be released at TOP SECRET, so these cannot share one label.
            [label("TOP SECRET"), label("SECRET", (RELEASABLE, TagKind.PERMISSIVE, {"KFOR"}))],
            "excluded at classification 'TOP SECRET'",
        ),
    ],
)
def test_rollup_refuses_what_it_cannot_combine(nato: Policy, portions: list, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(RollupError, match=message):
        rollup(nato, portions)


@given(data=st.data())
def test_rollup_dominates_every_portion(nato: Policy, data: st.DataObject) -> None:
    portions = data.draw(st.lists(valid_labels(nato), min_size=1, max_size=4))
    try:
        overall = rollup(nato, portions)
    except RollupError:
        return  # the portions cannot share a label (an excluded class); nothing to dominate
    assert label_problem(nato, overall) is None
    assert render_marking(nato, overall)
    ranks = nato.index.classes_by_name
    assert all(
        ranks[overall.classification].hierarchy >= ranks[p.classification].hierarchy
        for p in portions
    )
    for held in data.draw(st.lists(clearances(nato), min_size=1, max_size=5)):
        if decide(nato, overall, held):
            assert all(decide(nato, portion, held) for portion in portions)
