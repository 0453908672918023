"""Reading JSON documents (labels, clearances) with bounded size and clear errors."""

import json
from collections.abc import Mapping
from typing import Any

MAX_JSON_BYTES = 64 * 1024


def load_json_object(
    data: Mapping[str, Any] | str | bytes, what: str, error: type[ValueError]
) -> Mapping[str, Any]:
    """A JSON object from a mapping or from (bounded) JSON text."""
    if isinstance(data, Mapping):
        return data
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
    if size > MAX_JSON_BYTES:
        raise error(f"{what} JSON is over the limit of {MAX_JSON_BYTES} bytes")
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise error(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(document, Mapping):
        raise error(f"{what} JSON must be an object")
    return document


def text_field(document: Mapping[str, Any], key: str, what: str, error: type[ValueError]) -> str:
    value = document.get(key)
    if not isinstance(value, str) or not value.strip():
        raise error(f"{what} needs {key!r} as a non-empty string")
    return value


def string_list(value: object, what: str, error: type[ValueError]) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise error(f"{what} must be a list of strings")
    return value
