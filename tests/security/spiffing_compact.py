"""A reader for spiffing's compact label form (namespace http://surevine.com/xmlns/spiffy).

Used only by the ADatP-4774 Table 17 conformance tests: `<label>` with `<policy id>`,
`<classification lacv>` and `<tag type id lacv>` elements naming everything by OID and lacv.
"""

from liaison.security import Label, LabelCategory, LabelError, Policy, TagKind
from liaison.security.safexml import parse_untrusted
from liaison.security.spif import parse_lacv

SPIFFY = "{http://surevine.com/xmlns/spiffy}"
KINDS = {
    "restrictive": TagKind.RESTRICTIVE,
    "enumeratedRestrictive": TagKind.RESTRICTIVE,
    "permissive": TagKind.PERMISSIVE,
    "enumeratedPermissive": TagKind.PERMISSIVE,
    "informative": TagKind.INFORMATIVE,
}


def read_compact_label(data: bytes, policy: Policy) -> Label:
    root = parse_untrusted(
        data, what="compact label", max_bytes=64 * 1024, max_depth=4, error=LabelError
    )
    policy_element = root.find(SPIFFY + "policy")
    if policy_element is None or policy_element.get("id") != policy.id:
        raise LabelError("compact label is not of this policy")
    class_element = root.find(SPIFFY + "classification")
    assert class_element is not None
    classification = policy.index.classes_by_lacv[int(class_element.get("lacv", ""))]
    categories = []
    for tag in root.findall(SPIFFY + "tag"):
        tag_set = policy.index.tag_sets_by_id[tag.get("id", "")]
        kind = KINDS[tag.get("type", "")]
        entry = policy.index.category_by_lacv(tag_set.name, kind, parse_lacv(tag.get("lacv", "")))
        assert entry is not None
        categories.append(LabelCategory(tag_set.name, kind, frozenset({entry.category.name})))
    return Label(policy.name, classification.name, tuple(categories))
