"""STANAG 6001 language profiles and ISO 639 language codes."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.domain.languages import (
    SKILLS,
    LanguageProfile,
    Level,
    language_name,
    normalize_language,
)

LEVEL_NAMES = ("0", "0+", "1", "1+", "2", "2+", "3", "3+", "4", "4+", "5")
levels = st.sampled_from(LEVEL_NAMES).map(Level.parse)
profiles = st.builds(LanguageProfile, levels, levels, levels, levels)


def slp(text: str) -> LanguageProfile:
    return LanguageProfile.parse(text)


# --- levels ------------------------------------------------------------------------------


def test_levels_order_with_plus_between_a_base_and_the_next() -> None:
    parsed = [Level.parse(name) for name in LEVEL_NAMES]
    assert parsed == sorted(parsed)
    assert len(set(parsed)) == len(LEVEL_NAMES)
    assert Level(3) < Level(3, plus=True) < Level(4)
    assert [str(level) for level in parsed] == list(LEVEL_NAMES)


@pytest.mark.parametrize(("base", "plus"), [(5, True), (6, False), (-1, False), (-1, True)])
def test_impossible_levels_cannot_be_built(base: int, plus: bool) -> None:
    with pytest.raises(ValueError, match="no STANAG 6001 level"):
        Level(base, plus)


# --- profiles ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["3+332", "3+/3/3/2", " 3+/3/3/2 ", "3+ / 3 / 3 / 2"])
def test_compact_and_slashed_forms_read_the_same(text: str) -> None:
    profile = slp(text)
    assert profile == LanguageProfile(Level(3, plus=True), Level(3), Level(3), Level(2))
    assert profile.compact == str(profile) == "3+332"
    assert profile.slashed == "3+/3/3/2"


def test_skills_are_listening_speaking_reading_writing_in_that_order() -> None:
    profile = slp("1234")
    assert SKILLS == ("listening", "speaking", "reading", "writing")
    assert [str(level) for level in profile.levels] == ["1", "2", "3", "4"]
    assert str(profile.listening) == "1"
    assert str(profile.speaking) == "2"
    assert str(profile.reading) == "3"
    assert str(profile.writing) == "4"


@pytest.mark.parametrize(
    ("text", "compact"),
    [("0000", "0000"), ("5555", "5555"), ("0+0+0+0+", "0+0+0+0+"), ("4+/5/0/1+", "4+501+")],
)
def test_extremes_parse(text: str, compact: str) -> None:
    assert slp(text).compact == compact


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "6",
        "5+",
        "3++",
        "33",
        "3/3/3",
        "6666",
        "5+555",
        "3/3/3/5+",
        "3332+3",
        "33332",
        "3++332",
        "+3332",
        "3//3/3",
        "3/3/3/3/3",
        "3 3 3 2",
        "3-3-3-2",
        "a332",
        "3.5/3/3/3",
        "\N{FULLWIDTH DIGIT THREE}332",
        "SLP 3332",
    ],
)
def test_impossible_profiles_are_refused_by_name(bad: str) -> None:
    with pytest.raises(ValueError, match="not a STANAG 6001 profile") as refused:
        slp(bad)
    assert repr(bad) in str(refused.value)


def test_a_plus_five_is_named_as_the_impossible_level() -> None:
    with pytest.raises(ValueError, match=r"no STANAG 6001 level 5\+"):
        slp("3/3/3/5+")


@given(profiles)
def test_every_profile_survives_both_forms(profile: LanguageProfile) -> None:
    assert slp(profile.compact) == profile
    assert slp(profile.slashed) == profile
    assert slp(profile.compact).slashed == profile.slashed


def test_there_are_eleven_levels_to_the_fourth_profiles_and_all_parse() -> None:
    texts = {"".join(combination) for combination in itertools.product(LEVEL_NAMES, repeat=4)}
    assert len(texts) == 11**4
    assert {slp(text).compact for text in texts} == texts


# --- meeting a minimum -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("held", "required", "short"),
    [
        ("3332", "3332", ()),
        ("4444", "3332", ()),
        ("3+332", "3332", ()),
        ("3332", "3+332", ("listening",)),
        ("3+332", "4332", ("listening",)),
        ("3331", "3332", ("writing",)),
        ("2222", "3232", ("listening", "reading")),
        ("0000", "0+0+0+0+", SKILLS),
    ],
)
def test_a_profile_meets_a_minimum_skill_by_skill(
    held: str, required: str, short: tuple[str, ...]
) -> None:
    assert slp(held).shortfalls(slp(required)) == short
    assert slp(held).meets(slp(required)) is (short == ())


@given(profiles, profiles)
def test_meeting_is_each_skill_at_least_the_minimum(
    held: LanguageProfile, minimum: LanguageProfile
) -> None:
    rank = LEVEL_NAMES.index
    expected = all(
        rank(str(h)) >= rank(str(m)) for h, m in zip(held.levels, minimum.levels, strict=True)
    )
    assert held.meets(minimum) is expected
    assert held.meets(held)


# --- language codes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("fr", "fra"),
        ("FR", "fra"),
        ("fra", "fra"),
        (" en ", "eng"),
        ("de", "deu"),
        ("fre", "fra"),
        ("ger", "deu"),
        ("uk", "ukr"),
        ("prs", "prs"),
    ],
)
def test_language_codes_are_stored_as_iso_639_alpha3(code: str, expected: str) -> None:
    assert normalize_language(code) == expected


@pytest.mark.parametrize("bad", ["", "f", "xx", "qqq", "french", "fr-FR", "en_GB", "english"])
def test_unknown_language_codes_are_refused_by_name(bad: str) -> None:
    with pytest.raises(ValueError, match="unknown language code") as refused:
        normalize_language(bad)
    assert repr(bad) in str(refused.value)


def test_languages_have_english_names() -> None:
    assert language_name("fr") == "French"
    assert language_name("ara") == "Arabic"
    with pytest.raises(ValueError, match="unknown language code 'xx'"):
        language_name("xx")
