"""Clearances in JSON, and their cache key."""

import json

import pytest

from liaison.security import (
    Clearance,
    ClearanceError,
    PolicyRegistry,
    clearance_from_json,
    clearance_key,
    clearance_to_json,
)

EXAMPLE = {
    "policy": "NATO",
    "classifications": ["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL"],
    "categories": {"Releasable To": ["GBR", "NATO"], "Special Category Designators": ["ATOMAL"]},
}


def test_the_documented_form_is_read(registry: PolicyRegistry) -> None:
    read = clearance_from_json(EXAMPLE, registry)
    assert read == Clearance(
        "NATO",
        frozenset({"UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL"}),
        {
            "Releasable To": frozenset({"GBR", "NATO"}),
            "Special Category Designators": frozenset({"ATOMAL"}),
        },
    )
    assert clearance_from_json(json.dumps(EXAMPLE), registry) == read
    assert clearance_to_json(read) == {
        "policy": "NATO",
        "classifications": ["CONFIDENTIAL", "RESTRICTED", "UNCLASSIFIED"],
        "categories": {
            "Releasable To": ["GBR", "NATO"],
            "Special Category Designators": ["ATOMAL"],
        },
    }
    assert clearance_from_json(clearance_to_json(read), registry) == read


def test_policy_prefixed_and_replaced_names_are_accepted(registry: PolicyRegistry) -> None:
    document = {
        "policy": "urn:oid:1.3.26.1.3.1",
        "classifications": ["NATO SECRET", "COSMIC TOP SECRET"],
    }
    read = clearance_from_json(document, registry)
    assert read.policy == "NATO"
    assert read.classifications == frozenset({"SECRET", "TOP SECRET"})


def test_key_is_stable_and_ignores_order(registry: PolicyRegistry) -> None:
    reordered = {
        "categories": {
            "Special Category Designators": ["ATOMAL"],
            "Releasable To": ["NATO", "GBR", "GBR"],
        },
        "classifications": ["CONFIDENTIAL", "NATO UNCLASSIFIED", "RESTRICTED"],
        "policy": "NATO",
    }
    first = clearance_from_json(EXAMPLE, registry)
    second = clearance_from_json(reordered, registry)
    assert first == second
    assert hash(first) == hash(second)
    assert clearance_key(first) == clearance_key(second)
    assert len(clearance_key(first)) == 64
    assert clearance_key(first) != clearance_key(
        clearance_from_json({**EXAMPLE, "categories": {}}, registry)
    )


def test_empty_category_lists_hold_nothing(registry: PolicyRegistry) -> None:
    read = clearance_from_json({**EXAMPLE, "categories": {"Releasable To": []}}, registry)
    assert dict(read.categories) == {}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"policy": "ATLANTIS"}, "unknown policy 'ATLANTIS'"),
        ({"classifications": ["SUPER SECRET"]}, "unknown classification 'SUPER SECRET'"),
        ({"classifications": "SECRET"}, "must be a list of strings"),
        ({"categories": {"Colours": ["RED"]}}, "unknown tag set 'Colours'"),
        (
            {"categories": {"Releasable To": ["XYZ"]}},
            "unknown value 'XYZ' in tag set 'Releasable To'",
        ),
        ({"categories": ["GBR"]}, "must map tag set names"),
        ({"level": 3}, "unknown fields"),
    ],
)
def test_malformed_clearance_is_refused(
    registry: PolicyRegistry, change: dict[str, object], message: str
) -> None:
    with pytest.raises(ClearanceError, match=message):
        clearance_from_json({**EXAMPLE, **change}, registry)
