"""The canonical JSON form of a label, and its hash.

`label_to_json` writes every field, keys in a fixed order, values sorted and deduplicated.
`canonical_json` keeps only what decides access and marking (policy, classification, privacy mark,
categories): the creation and review times and the originator are left out on purpose, because
the store keeps one `labels` row per distinct access-relevant label, keyed by `label_hash`, and
millions of records created at different times by different people share a few thousand of those
rows. Hash a label after `canonicalize`, so that a policy named by OID and by name hash alike.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from liaison.security.errors import LabelError
from liaison.security.jsonio import load_json_object, string_list, text_field
from liaison.security.model import Label, LabelCategory, Originator, TagKind
from liaison.security.policy import Policy

JsonObject = dict[str, Any]


def canonicalize(policy: Policy, label: Label) -> Label:
    """`label` with its policy named as `policy`'s SPIF names it."""
    if not policy.identifies(label.policy):
        raise LabelError(f"the label's policy {label.policy!r} is not {policy.name}")
    return label if label.policy == policy.name else replace(label, policy=policy.name)


def format_datetime(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, as 4774 and the API write times."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_datetime(text: str, what: str) -> datetime:
    """An xs:dateTime; one without a time zone is taken as UTC (Zulu), as military times are."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise LabelError(f"{what} {text!r} is not an ISO 8601 date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _access_relevant(label: Label) -> JsonObject:
    document: JsonObject = {"policy": label.policy, "classification": label.classification}
    if label.privacy_mark is not None:
        document["privacy_mark"] = label.privacy_mark
    document["categories"] = [
        {"tag_set": c.tag_set, "type": c.kind.value, "values": sorted(c.values)}
        for c in label.categories
    ]
    return document


def label_to_json(label: Label) -> JsonObject:
    """The JSON form of `label` (a dict ready for json.dumps)."""
    document = _access_relevant(label)
    if label.creation_datetime is not None:
        document["creation_datetime"] = format_datetime(label.creation_datetime)
    if label.originator is not None:
        document["originator"] = {
            "id_type": label.originator.id_type,
            "value": label.originator.value,
        }
    if label.review_datetime is not None:
        document["review_datetime"] = format_datetime(label.review_datetime)
    return document


def canonical_json(label: Label) -> bytes:
    """The access-relevant canonical form: compact UTF-8 JSON with sorted keys."""
    return json.dumps(
        _access_relevant(label), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def label_hash(label: Label) -> str:
    """SHA-256 (hex) of `canonical_json`: equal for labels that mean the same."""
    return hashlib.sha256(canonical_json(label)).hexdigest()


def label_from_json(data: Mapping[str, Any] | str | bytes) -> Label:
    """Read the JSON form of a label (a dict, or JSON text)."""
    document = load_json_object(data, "label", LabelError)
    unknown = set(document) - {
        "policy", "classification", "privacy_mark", "categories",
        "creation_datetime", "originator", "review_datetime", "marking",
    }  # fmt: skip
    if unknown:
        raise LabelError(f"label JSON has unknown fields {sorted(unknown)}")
    categories = document.get("categories", [])
    if not isinstance(categories, list):
        raise LabelError("label 'categories' must be a list")
    privacy_mark = document.get("privacy_mark")
    if privacy_mark is not None and not isinstance(privacy_mark, str):
        raise LabelError("label 'privacy_mark' must be a string")
    return Label(
        policy=text_field(document, "policy", "label", LabelError),
        classification=text_field(document, "classification", "label", LabelError),
        categories=tuple(_category_from_json(c) for c in categories),
        privacy_mark=privacy_mark,
        creation_datetime=_optional_datetime(document, "creation_datetime"),
        originator=_originator_from_json(document.get("originator")),
        review_datetime=_optional_datetime(document, "review_datetime"),
    )


def _category_from_json(document: object) -> LabelCategory:
    if not isinstance(document, Mapping):
        raise LabelError("each label category must be an object")
    tag_set = text_field(document, "tag_set", "label category", LabelError)
    kind_text = document.get("type")
    try:
        kind = TagKind(str(kind_text))
    except ValueError:
        raise LabelError(
            f"category {tag_set!r} has type {kind_text!r}, not RESTRICTIVE, PERMISSIVE "
            "or INFORMATIVE"
        ) from None
    values = string_list(document.get("values"), f"values of category {tag_set!r}", LabelError)
    return LabelCategory(tag_set, kind, frozenset(values))


def _optional_datetime(document: Mapping[str, Any], key: str) -> datetime | None:
    value = document.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise LabelError(f"label {key!r} must be a string")
    return parse_datetime(value, f"label {key!r}")


def _originator_from_json(value: object) -> Originator | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise LabelError("label 'originator' must be an object")
    return Originator(
        text_field(value, "id_type", "label originator", LabelError),
        text_field(value, "value", "label originator", LabelError),
    )
