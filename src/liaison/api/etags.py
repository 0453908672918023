"""ETags are record versions; If-Match carries one back to refuse a stale edit (412)."""

from __future__ import annotations

from fastapi import HTTPException


def etag(version: int) -> str:
    return f'"{version}"'


def if_match(value: str | None) -> int | None:
    """The version an edit was based on, from an If-Match header holding one of our ETags."""
    if value is None:
        return None
    try:
        return int(value.strip().removeprefix("W/").strip('"'))
    except ValueError:
        raise HTTPException(412, "If-Match must be an ETag returned by this API") from None
