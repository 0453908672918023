"""Clearances in JSON, resolved against their policy.

The JSON form is
    {"policy": "NATO", "classifications": ["UNCLASSIFIED", "RESTRICTED"],
     "categories": {"Releasable To": ["GBR", "NATO"], "Special Category Designators": ["ATOMAL"]}}

Names are resolved when the clearance is read, so that a decision compares sets of the SPIF's own
names. A classification may be written as the SPIF names it ("SECRET"), with the policy's name in
front as people say it ("NATO SECRET"), or with the phrase that replaces the policy name in its
marking ("COSMIC TOP SECRET"); it is stored under the SPIF's name. Anything the policy does not
have is an error, so that a mistyped clearance is caught when it is written, not denied silently.
"""

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from liaison.security.errors import ClearanceError
from liaison.security.jsonio import load_json_object, string_list, text_field
from liaison.security.model import Clearance
from liaison.security.policy import MarkingCode, Policy
from liaison.security.registry import PolicyRegistry


def classification_aliases(policy: Policy) -> dict[str, str]:
    """Every accepted spelling of each classification, mapped to the SPIF's name."""
    aliases: dict[str, str] = {}
    for classification in policy.classifications:
        name = classification.name
        aliases[f"{policy.name} {name}"] = name
        for phrase in classification.markings.phrases:
            if MarkingCode.REPLACE_POLICY in phrase.codes and phrase.phrase:
                aliases[f"{phrase.phrase} {name}"] = name
    # The SPIF's own names win over any alias spelled the same.
    aliases.update({c.name: c.name for c in policy.classifications})
    return aliases


def clearance_from_json(
    data: Mapping[str, Any] | str | bytes, registry: PolicyRegistry
) -> Clearance:
    """Read a clearance (a dict, or JSON text) whose policy `registry` knows."""
    document = load_json_object(data, "clearance", ClearanceError)
    unknown = set(document) - {"policy", "classifications", "categories"}
    if unknown:
        raise ClearanceError(f"clearance JSON has unknown fields {sorted(unknown)}")
    policy_name = text_field(document, "policy", "clearance", ClearanceError)
    policy = registry.get(policy_name)
    if policy is None:
        raise ClearanceError(f"clearance names unknown policy {policy_name!r}")
    aliases = classification_aliases(policy)
    classifications = set()
    for name in string_list(
        document.get("classifications", []), "clearance 'classifications'", ClearanceError
    ):
        if name not in aliases:
            raise ClearanceError(f"unknown classification {name!r} in policy {policy.name}")
        classifications.add(aliases[name])
    held = document.get("categories", {})
    if not isinstance(held, Mapping):
        raise ClearanceError("clearance 'categories' must map tag set names to lists of values")
    categories = {}
    for tag_set, values_json in held.items():
        values = string_list(values_json, f"clearance values of {tag_set!r}", ClearanceError)
        known = {
            name
            for kind in policy.index.kinds_by_tag_set.get(tag_set, ())
            for name in policy.index.categories[(tag_set, kind)]
        }
        if not known:
            raise ClearanceError(f"unknown tag set {tag_set!r} in policy {policy.name}")
        for value in values:
            if value not in known:
                raise ClearanceError(f"unknown value {value!r} in tag set {tag_set!r}")
        categories[tag_set] = frozenset(values)
    return Clearance(policy.name, frozenset(classifications), categories)


def clearance_to_json(clearance: Clearance) -> dict[str, Any]:
    """The JSON form of `clearance`, names sorted, so equal clearances write equal JSON."""
    return {
        "policy": clearance.policy,
        "classifications": sorted(clearance.classifications),
        "categories": {name: sorted(values) for name, values in clearance.categories.items()},
    }


def clearance_key(clearance: Clearance) -> str:
    """A key for caching decisions per clearance, stable across processes (SHA-256 hex)."""
    text = json.dumps(clearance_to_json(clearance), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
