"""NATO rank codes (STANAG 2116): parsing, seniority, ranges and display titles."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.domain.ranks import RANK_CODES, RankCategory, RankCode, RankRange

ranks = st.sampled_from(RANK_CODES)


def of(text: str) -> RankCode:
    return RankCode.parse(text)


@pytest.mark.parametrize("text", ["OF-4", "of-4", "OF4", "of4", " Of-4 ", "oF4"])
def test_spellings_of_a_code_normalise_to_one(text: str) -> None:
    rank = RankCode.parse(text)
    assert rank == RankCode(RankCategory.OF, 4)
    assert str(rank) == "OF-4"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("or-1", "OR-1"), ("OR9", "OR-9"), ("wo-1", "WO-1"), ("WO5", "WO-5"), ("of-10", "OF-10")],
)
def test_each_category_and_its_extremes_parse(text: str, expected: str) -> None:
    assert str(RankCode.parse(text)) == expected


@pytest.mark.parametrize("text", ["OF(D)", "of(d)", " Of(D) "])
def test_officer_designate_parses(text: str) -> None:
    assert RankCode.parse(text) == RankCode(RankCategory.OF, 0)
    assert str(RankCode.parse(text)) == "OF(D)"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "OF",
        "OF-0",
        "OF-11",
        "OR-0",
        "OR-10",
        "WO-0",
        "WO-6",
        "OF-04",
        "OF--4",
        "OF 4",
        "OF-4.5",
        "OFD",
        "OF-D",
        "OF(D)1",
        "NATO",
        "Major",
        "OF-\N{FULLWIDTH DIGIT FOUR}",
        "OF-4\n5",
    ],
)
def test_codes_that_do_not_exist_are_refused_by_name(bad: str) -> None:
    with pytest.raises(ValueError, match="unknown rank code") as refused:
        RankCode.parse(bad)
    message = str(refused.value)
    assert repr(bad) in message
    assert "OR-1 to OR-9, WO-1 to WO-5, OF(D), or OF-1 to OF-10" in message


@pytest.mark.parametrize(
    ("category", "grade"),
    [(RankCategory.OR, 0), (RankCategory.OR, 10), (RankCategory.WO, 6), (RankCategory.OF, 11)],
)
def test_a_code_cannot_be_built_out_of_range(category: RankCategory, grade: int) -> None:
    with pytest.raises(ValueError, match=f"no rank {category.name}-{grade}"):
        RankCode(category, grade)


def test_all_codes_are_listed_once_most_junior_first() -> None:
    assert [str(rank) for rank in RANK_CODES] == [
        *(f"OR-{n}" for n in range(1, 10)),
        *(f"WO-{n}" for n in range(1, 6)),
        "OF(D)",
        *(f"OF-{n}" for n in range(1, 11)),
    ]
    assert list(RANK_CODES) == sorted(RANK_CODES)


@pytest.mark.parametrize(
    ("junior", "senior"),
    [
        ("OR-1", "OR-2"),
        ("OR-9", "WO-1"),
        ("WO-5", "OF(D)"),
        ("OR-9", "OF(D)"),
        ("OF(D)", "OF-1"),
        ("OF-2", "OF-10"),
        ("OR-9", "OF-1"),
    ],
)
def test_seniority_runs_other_ranks_then_warrant_officers_then_officers(
    junior: str, senior: str
) -> None:
    assert of(junior) < of(senior)
    assert of(senior) > of(junior)
    assert of(junior) != of(senior)


@given(ranks, ranks, ranks)
def test_seniority_is_a_total_order(a: RankCode, b: RankCode, c: RankCode) -> None:
    assert (a < b) + (a == b) + (a > b) == 1
    assert (a <= b) == (a < b or a == b)
    if a <= b and b <= c:
        assert a <= c


@given(ranks)
def test_a_code_survives_rendering_and_parsing(rank: RankCode) -> None:
    assert RankCode.parse(str(rank)) == rank
    assert RankCode.parse(str(rank).lower().replace("-", "")) == rank
    assert hash(RankCode.parse(str(rank))) == hash(rank)


@given(ranks, ranks)
def test_parsed_order_agrees_with_the_list_order(a: RankCode, b: RankCode) -> None:
    parsed_a, parsed_b = RankCode.parse(str(a)), RankCode.parse(str(b))
    assert (parsed_a < parsed_b) == (RANK_CODES.index(a) < RANK_CODES.index(b))


@pytest.mark.parametrize(
    ("code", "title"),
    [
        ("OF-4", "Lieutenant Colonel / Commander"),
        ("OF-3", "Major / Lieutenant Commander"),
        ("OF-9", "General / Admiral"),
        ("OF(D)", "Officer Cadet / Midshipman"),
        ("OR-9", "Sergeant Major / Master Chief Petty Officer"),
        ("WO-2", "Chief Warrant Officer 2"),
    ],
)
def test_codes_have_generic_english_titles(code: str, title: str) -> None:
    assert of(code).generic_title == title


def test_every_code_has_its_own_title() -> None:
    titles = [rank.generic_title for rank in RANK_CODES]
    assert all(titles)
    assert len(set(titles)) == len(RANK_CODES)


def test_a_range_contains_its_ends_and_what_lies_between() -> None:
    staff = RankRange(of("OF-3"), of("OF-4"))
    assert staff.contains(of("OF-3"))
    assert staff.contains(of("OF-4"))
    assert not staff.contains(of("OF-2"))
    assert not staff.contains(of("OF-5"))
    assert not staff.contains(of("OR-9"))
    assert str(staff) == "OF-3 to OF-4"


def test_a_range_across_categories_orders_by_seniority() -> None:
    senior_ncos_to_junior_officers = RankRange(of("OR-8"), of("OF-1"))
    assert senior_ncos_to_junior_officers.contains(of("WO-3"))
    assert senior_ncos_to_junior_officers.contains(of("OF(D)"))
    assert not senior_ncos_to_junior_officers.contains(of("OR-7"))
    assert not senior_ncos_to_junior_officers.contains(of("OF-2"))


def test_a_single_rank_range_holds_only_that_rank() -> None:
    only = RankRange(of("OF-5"), of("OF-5"))
    assert str(only) == "OF-5"
    assert [str(rank) for rank in RANK_CODES if only.contains(rank)] == ["OF-5"]


def test_an_upside_down_range_is_refused() -> None:
    with pytest.raises(ValueError, match="rank range OF-5 to OF-3 is upside down"):
        RankRange(of("OF-5"), of("OF-3"))


@given(ranks, ranks, ranks)
def test_a_range_contains_exactly_the_ranks_between_its_ends(
    a: RankCode, b: RankCode, rank: RankCode
) -> None:
    lowest, highest = sorted((a, b), key=RANK_CODES.index)
    position = RANK_CODES.index
    expected = position(lowest) <= position(rank) <= position(highest)
    assert RankRange(lowest, highest).contains(rank) == expected
