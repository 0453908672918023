"""Moments in requests: a date-time group (241530ZNOV26) or ISO 8601 with its offset."""

from __future__ import annotations

from datetime import datetime

from liaison.domain.dtg import parse_moment
from liaison.domain.errors import Invalid


def moment_in(text: str | None, field: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_moment(text)
    except ValueError as error:
        raise Invalid(f"{field}: {error}", field=field) from None
