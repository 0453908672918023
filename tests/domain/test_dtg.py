"""NATO date-time groups: formatting in each military zone, parsing, and every refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.domain.dtg import format_dtg, format_dtg_in, parse_dtg, parse_moment, zone_letter

MOMENT = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
ZONE_LETTERS = "ABCDEFGHIKLMNOPQRSTUVWXYZ"


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Z", "241530ZNOV26"),
        ("A", "241630ANOV26"),
        ("I", "250030INOV26"),
        ("K", "250130KNOV26"),
        ("M", "250330MNOV26"),
        ("N", "241430NNOV26"),
        ("R", "241030RNOV26"),
        ("Y", "240330YNOV26"),
        ("z", "241530ZNOV26"),
    ],
)
def test_format_in_each_kind_of_zone(zone: str, expected: str) -> None:
    assert format_dtg(MOMENT, zone) == expected


def test_format_defaults_to_zulu_and_converts_from_any_offset() -> None:
    paris = datetime(2026, 11, 24, 16, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert format_dtg(paris) == "241530ZNOV26"


def test_format_rolls_over_day_month_and_year() -> None:
    assert format_dtg(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "A") == "010030AJAN27"
    assert format_dtg(datetime(2027, 1, 1, 0, 30, tzinfo=UTC), "N") == "312330NDEC26"


def test_format_drops_seconds() -> None:
    assert format_dtg(MOMENT.replace(second=59, microsecond=999_999)) == "241530ZNOV26"


def test_format_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_dtg(datetime(2026, 11, 24, 15, 30))


@pytest.mark.parametrize(
    ("zone", "message"), [("J", "local time"), ("ZZ", "unknown zone"), ("", "unknown zone")]
)
def test_format_refuses_bad_zones(zone: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        format_dtg(MOMENT, zone)


@pytest.mark.parametrize(
    ("hours", "letter"), [(0, "Z"), (1, "A"), (9, "I"), (10, "K"), (12, "M"), (-1, "N"), (-12, "Y")]
)
def test_zone_letter_of_whole_hours(hours: int, letter: str) -> None:
    assert zone_letter(timedelta(hours=hours)) == letter


@pytest.mark.parametrize(
    "offset",
    [timedelta(hours=5, minutes=30), timedelta(hours=-3, minutes=-30), timedelta(hours=13),
     timedelta(hours=-13), timedelta(hours=1, seconds=1)],
)  # fmt: skip
def test_zone_letter_is_none_without_a_letter(offset: timedelta) -> None:
    assert zone_letter(offset) is None


@pytest.mark.parametrize(
    ("moment", "tz", "expected"),
    [
        (MOMENT, "Europe/Paris", "241630ANOV26"),  # winter: UTC+1
        (datetime(2026, 7, 4, 12, 0, tzinfo=UTC), "Europe/Paris", "041400BJUL26"),  # summer: +2
        (MOMENT, "America/New_York", "241030RNOV26"),
        (MOMENT, "Pacific/Auckland", "241530ZNOV26"),  # summer time is +13: no letter
        (MOMENT, "Asia/Kolkata", "241530ZNOV26"),  # +5:30 has no letter: falls back to Z
        (MOMENT, "UTC", "241530ZNOV26"),
    ],
)
def test_format_in_a_named_timezone(moment: datetime, tz: str, expected: str) -> None:
    assert format_dtg_in(moment, ZoneInfo(tz)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "241530ZNOV26",
        "241530znov26",
        "24 1530Z NOV 26",
        "24 1530 Z NOV 26",
        "  241530ZNov26  ",
        "241530ZNOV2026",
        "24 1530Z NOV 2026",
        "241630ANOV26",
        "240330YNOV26",
        "250330MNOV26",
    ],
)
def test_parse_spellings_of_one_moment(text: str) -> None:
    parsed = parse_dtg(text)
    assert parsed == MOMENT
    assert parsed.tzinfo is UTC


def test_parse_two_digit_years_are_this_century() -> None:
    assert parse_dtg("010000ZJAN00") == datetime(2000, 1, 1, tzinfo=UTC)
    assert parse_dtg("311159ZDEC99") == datetime(2099, 12, 31, 11, 59, tzinfo=UTC)


def test_parse_leap_day() -> None:
    assert parse_dtg("290000ZFEB28") == datetime(2028, 2, 29, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("311530ZNOV26", "bad day 31: NOV 2026 has no such day"),
        ("290000ZFEB27", "bad day 29: FEB 2027"),
        ("001530ZNOV26", "bad day 00"),
        ("242430ZNOV26", "bad hour 24"),
        ("241560ZNOV26", "bad minute 60"),
        ("241530JNOV26", "zone J is local time"),
        ("2415301NOV26", "unknown zone letter '1'"),
        ("241530ÄNOV26", "unknown zone letter 'Ä'"),
        ("241530ZNVO26", "unknown month 'NVO'"),
        ("241530ZNOV0000", "bad year '0000'"),
        ("010000AJAN0001", "out of range"),
        ("312359NDEC9999", "out of range"),
        ("", "not a date-time group"),
        ("hello", "not a date-time group"),
        ("241530NOV26", "not a date-time group"),
        ("241530ZNOV2", "not a date-time group"),
        ("241530ZNOV202", "not a date-time group"),
        ("24 15 30ZNOV26", "not a date-time group"),
        ("241530ZNOV26 extra", "not a date-time group"),
        (
            "\u0662\u0664\u0661\u0665\u0663\u0660ZNOV26",
            "not a date-time group",
        ),  # Arabic-Indic digits are not DTG digits
        ("241530ZNOV26" + " " * 21, "longer than 32 characters"),
        ("9" * 10_000, "longer than 32 characters"),
    ],
)
def test_parse_refusals_name_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_dtg(text)


# Compared in UTC: PEP 495 makes a time in a DST fold unequal to any time in another zone.
minutes = st.datetimes(
    min_value=datetime(2000, 1, 2),  # a day inside the century: any zone stays within it
    max_value=datetime(2099, 12, 30),
    timezones=st.timezones(),
    allow_imaginary=False,
).map(lambda moment: moment.replace(second=0, microsecond=0))


@given(minutes, st.sampled_from(ZONE_LETTERS))
def test_round_trip_through_every_zone(moment: datetime, zone: str) -> None:
    text = format_dtg(moment, zone)
    assert text[6] == zone
    assert parse_dtg(text) == moment.astimezone(UTC)


@given(minutes, st.timezones())
def test_round_trip_through_named_timezones(moment: datetime, tz: ZoneInfo) -> None:
    assert parse_dtg(format_dtg_in(moment, tz)) == moment.astimezone(UTC)


@given(minutes)
def test_round_trip_with_spaces_and_four_digit_years(moment: datetime) -> None:
    text = format_dtg(moment, "B")
    spaced = f"{text[:2]} {text[2:7]} {text[7:10].lower()} 20{text[10:]}"
    assert parse_dtg(spaced) == moment.astimezone(UTC)


@pytest.mark.parametrize("letter", ZONE_LETTERS)
def test_parse_and_zone_letter_agree_on_each_offset(letter: str) -> None:
    text = f"241530{letter}NOV26"
    assert zone_letter(MOMENT - parse_dtg(text)) == letter
    assert format_dtg(parse_dtg(text), letter) == text


def test_a_moment_is_a_dtg_or_iso_8601_with_its_offset() -> None:
    assert parse_moment("241530ZNOV26") == datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
    assert parse_moment("2026-11-24T16:30+01:00") == datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match="time zone"):
        parse_moment("2026-11-24T15:30")
    for bad in ("tomorrow", "2026-11-24T15:30:00+00:00" + "0" * 40):
        with pytest.raises(ValueError, match="not a date-time group"):
            parse_moment(bad)
