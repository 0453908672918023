"""NATO date-time groups (DTG): `241530ZNOV26` is 24 November 2026, 15:30 in zone Z (UTC).

Messages, logs and orders across the alliance carry times in this form, so the platform reads and
writes it exactly; everything is stored as aware UTC and converted only at the edges.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

# Military time zones: A..M east of Greenwich (J, "local time", has no fixed offset and is
# skipped), N..Y west of it, Z is UTC.
_ZONE_HOURS: dict[str, int] = {
    **{letter: hours for hours, letter in enumerate("ABCDEFGHIKLM", start=1)},
    **{letter: -hours for hours, letter in enumerate("NOPQRSTUVWXY", start=1)},
    "Z": 0,
}
_ZONE_LETTERS: dict[int, str] = {hours: letter for letter, hours in _ZONE_HOURS.items()}

# English, whatever the process locale: `%b` would follow LC_TIME.
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTH_NUMBERS = {name: number for number, name in enumerate(_MONTHS, start=1)}

# The longest sensible spelling is well under this; longer input is refused before any regex work.
MAX_DTG_LENGTH = 32
MAX_ISO_LENGTH = 40  # 2026-11-24T15:30:00.123456+00:00 and a little room
_DTG = re.compile(
    r"(?P<day>[0-9]{2})\s*(?P<hour>[0-9]{2})(?P<minute>[0-9]{2})\s*(?P<zone>\S)"
    r"\s*(?P<month>[A-Z]{3})\s*(?P<year>[0-9]{4}|[0-9]{2})",
    re.ASCII | re.IGNORECASE,
)


def zone_letter(offset: timedelta) -> str | None:
    """The military zone letter of a UTC offset, or None when no letter names it.

    Only whole hours from -12 to +12 have letters; +5:30 or +13 (Tonga) do not.
    """
    hours, rest = divmod(offset, timedelta(hours=1))
    return None if rest else _ZONE_LETTERS.get(hours)


def format_dtg(moment: datetime, zone: str = "Z") -> str:
    """`moment` as a DTG in the military zone `zone` (seconds are dropped: a DTG has none).

    A naive datetime is refused rather than guessed: its zone is exactly what the DTG must state.
    """
    if moment.utcoffset() is None:
        raise ValueError("a DTG needs a timezone-aware datetime")
    letter = zone.upper()
    if letter == "J":
        raise ValueError("zone J is local time, which has no fixed offset; give a zone letter")
    if letter not in _ZONE_HOURS:
        raise ValueError(f"unknown zone letter {zone!r}: expected one of A-Z without J")
    local = moment.astimezone(timezone(timedelta(hours=_ZONE_HOURS[letter])))
    return f"{local:%d%H%M}{letter}{_MONTHS[local.month - 1]}{local:%y}"


def format_dtg_in(moment: datetime, tz: ZoneInfo) -> str:
    """`moment` as a DTG in the letter of `tz`'s offset at that moment, or in Z when none fits.

    Offsets change with daylight saving, so the letter depends on the moment (Paris is A in
    winter, B in summer); a half-hour zone such as India has no letter and falls back to Z.
    """
    letter = zone_letter(moment.astimezone(tz).utcoffset() or timedelta(0))
    return format_dtg(moment, letter or "Z")


def parse_dtg(text: str) -> datetime:
    """The aware UTC moment a DTG names.

    Accepts any case, spaces between the parts (`24 1530Z NOV 26`) and a four-digit year; a
    two-digit year is 20YY. Every refusal says which part is wrong.
    """
    if len(text) > MAX_DTG_LENGTH:
        raise ValueError(f"not a date-time group: longer than {MAX_DTG_LENGTH} characters")
    match = _DTG.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a date-time group (expected DDHHMMZMONYY): {text!r}")
    day, hour, minute = int(match["day"]), int(match["hour"]), int(match["minute"])
    zone, month_name = match["zone"].upper(), match["month"].upper()
    year = int(match["year"]) + (2000 if len(match["year"]) == 2 else 0)

    if zone == "J":
        raise ValueError("zone J is local time, which has no fixed offset: it cannot be converted")
    if zone not in _ZONE_HOURS:
        raise ValueError(f"unknown zone letter {match['zone']!r}: expected one of A-Z without J")
    if month_name not in _MONTH_NUMBERS:
        raise ValueError(f"unknown month {match['month']!r}: expected JAN to DEC")
    month = _MONTH_NUMBERS[month_name]
    if year < 1:
        raise ValueError(f"bad year {match['year']!r}")
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise ValueError(f"bad day {day:02d}: {month_name} {year} has no such day")
    if hour > 23:
        raise ValueError(f"bad hour {hour:02d}: expected 00 to 23")
    if minute > 59:
        raise ValueError(f"bad minute {minute:02d}: expected 00 to 59")

    local = datetime(
        year, month, day, hour, minute, tzinfo=timezone(timedelta(hours=_ZONE_HOURS[zone]))
    )
    try:
        return local.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"date-time group out of range: {text!r}") from None


def parse_moment(text: str) -> datetime:
    """A moment given as a DTG or as ISO 8601 with its offset (an aware datetime); ValueError
    naming what is wrong otherwise."""
    try:
        return parse_dtg(text)
    except ValueError as dtg_error:
        if len(text) > MAX_ISO_LENGTH:
            raise dtg_error from None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise dtg_error from None
        if moment.tzinfo is None:
            raise ValueError("give the time zone (or a DTG)") from None
        return moment
