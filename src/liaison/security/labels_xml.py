"""STANAG 4774 confidentiality labels in XML (namespace NATO_LABEL_NAMESPACE).

Values may be read as GenericValue (the category's name), IntegerValue (its lacv) or
BitStringValue (bit n, counted from 0 at the left, set for lacv n). Lacvs mean something only
under a policy, so a label carrying them needs the `registry`; given one, the label is also
checked against the policy's identifiers and returned canonical (see `canonicalize`).
SuccessionHandling and elements of other namespaces are accepted and not kept.
"""

import re
from enum import StrEnum
from xml.etree.ElementTree import Element, SubElement, tostring

from liaison.security.canonical import canonicalize, format_datetime, parse_datetime
from liaison.security.errors import LabelError
from liaison.security.model import Label, LabelCategory, Originator, TagKind
from liaison.security.policy import Policy
from liaison.security.registry import PolicyRegistry
from liaison.security.safexml import parse_untrusted

NATO_LABEL_NAMESPACE = "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"
MAX_LABEL_BYTES = 64 * 1024
MAX_LABEL_DEPTH = 16

_NS = f"{{{NATO_LABEL_NAMESPACE}}}"
_OID = re.compile(r"[0-2](\.[0-9]+)+")


class LabelRoot(StrEnum):
    """The root elements a 4774 label may have."""

    ORIGINATOR = "originatorConfidentialityLabel"
    ALTERNATIVE = "alternativeConfidentialityLabel"
    METADATA = "metadataConfidentialityLabel"
    LEGACY = "ConfidentialityLabel"


class ValueEncoding(StrEnum):
    GENERIC = "GenericValue"
    INTEGER = "IntegerValue"
    BIT_STRING = "BitStringValue"


def oid_of(uri: str) -> str | None:
    """The OID in a "urn:oid:..." URI, or None when it is not one."""
    prefix = "urn:oid:"
    if uri.startswith(prefix) and _OID.fullmatch(uri[len(prefix) :]):
        return uri[len(prefix) :]
    return None


def _token(element: Element, what: str) -> str:
    text = " ".join((element.text or "").split())
    if not text:
        raise LabelError(f"label has an empty {what}")
    return text


def _optional(parent: Element, name: str) -> Element | None:
    found = parent.findall(_NS + name)
    if len(found) > 1:
        raise LabelError(f"label has more than one {name}")
    return found[0] if found else None


def _one(parent: Element, name: str) -> Element:
    found = _optional(parent, name)
    if found is None:
        raise LabelError(f"label has no {name}")
    return found


def label_from_xml(data: bytes | str, registry: PolicyRegistry | None = None) -> Label:
    """Read a 4774 label. With `registry`, lacv values are resolved and the label canonical."""
    root = parse_untrusted(
        data, what="label", max_bytes=MAX_LABEL_BYTES, max_depth=MAX_LABEL_DEPTH, error=LabelError
    )
    if root.tag not in {_NS + r.value for r in LabelRoot}:
        raise LabelError(f"not a STANAG 4774 confidentiality label: the root is {root.tag!r}")
    information = _one(root, "ConfidentialityInformation")
    identifier = _one(information, "PolicyIdentifier")
    policy_name = _token(identifier, "PolicyIdentifier")
    policy = _policy(registry, policy_name, identifier.get("URI"))
    privacy = _optional(information, "PrivacyMark")
    originator = _optional(root, "OriginatorID")
    created = _optional(root, "CreationDateTime")
    review = root.get("ReviewDateTime")
    label = Label(
        policy=policy_name,
        classification=_token(_one(information, "Classification"), "Classification"),
        categories=tuple(_category(c, policy) for c in information.findall(_NS + "Category")),
        privacy_mark=None if privacy is None else (privacy.text or ""),
        creation_datetime=None
        if created is None
        else parse_datetime(_token(created, "CreationDateTime"), "CreationDateTime"),
        originator=None if originator is None else _originator(originator),
        review_datetime=None if review is None else parse_datetime(review, "ReviewDateTime"),
    )
    return label if policy is None else canonicalize(policy, label)


def _policy(registry: PolicyRegistry | None, name: str, uri: str | None) -> Policy | None:
    if registry is None:
        return None
    policy = registry.get(uri) if uri else registry.get(name)
    if policy is None:
        raise LabelError(f"unknown policy {uri or name!r}")
    if not policy.identifies(name):
        raise LabelError(f"PolicyIdentifier {name!r} does not name the policy at {uri!r}")
    return policy


def _originator(element: Element) -> Originator:
    id_type = element.get("IDType")
    if not id_type:
        raise LabelError("OriginatorID has no IDType")
    return Originator(id_type, (element.text or "").strip())


def _category(element: Element, policy: Policy | None) -> LabelCategory:
    tag_set = (element.get("TagName") or "").strip()
    if not tag_set:
        raise LabelError("a Category has no TagName")
    kind_text = element.get("Type")
    try:
        kind = TagKind(str(kind_text))
    except ValueError:
        raise LabelError(f"Category {tag_set!r} has an unknown Type {kind_text!r}") from None
    uri = element.get("URI")
    if policy is not None and uri:
        known = policy.index.tag_sets_by_id.get(oid_of(uri) or "")
        if known is None or known.name != tag_set:
            raise LabelError(f"Category {tag_set!r} has URI {uri!r}, which is not that tag set")
    values: set[str] = set()
    for child in element:
        text = (child.text or "").strip()
        if child.tag == _NS + ValueEncoding.GENERIC:
            values.add(text)
        elif child.tag in (_NS + ValueEncoding.INTEGER, _NS + ValueEncoding.BIT_STRING):
            values.update(_resolve_lacvs(policy, tag_set, kind, child.tag[len(_NS) :], text))
        else:
            raise LabelError(f"Category {tag_set!r} has an unexpected element {child.tag!r}")
    return LabelCategory(tag_set, kind, frozenset(values))


def _lacvs(encoding: str, text: str) -> list[int]:
    if encoding == ValueEncoding.INTEGER and text.isascii() and text.isdigit():
        return [int(text)]
    if encoding == ValueEncoding.BIT_STRING and text and set(text) <= {"0", "1"}:
        return [position for position, bit in enumerate(text) if bit == "1"]
    raise LabelError(f"{encoding} {text!r} is malformed")


def _resolve_lacvs(
    policy: Policy | None, tag_set: str, kind: TagKind, encoding: str, text: str
) -> list[str]:
    if policy is None:
        raise LabelError(f"{encoding} in {tag_set!r} can only be read with the policy")
    names = []
    for lacv in _lacvs(encoding, text):
        entry = policy.index.category_by_lacv(tag_set, kind, lacv)
        if entry is None:
            raise LabelError(f"no value with lacv {lacv} in tag set {tag_set!r}")
        names.append(entry.category.name)
    return names


def label_to_xml(
    label: Label,
    *,
    root: LabelRoot = LabelRoot.ORIGINATOR,
    policy: Policy | None = None,
    encoding: ValueEncoding = ValueEncoding.GENERIC,
) -> bytes:
    """Write `label` as 4774 XML (UTF-8). With `policy`, URIs are written and lacvs may be."""
    if encoding is not ValueEncoding.GENERIC and policy is None:
        raise LabelError(f"writing {encoding} needs the policy")
    # Unqualified names under a default xmlns: ElementTree cannot mix default_namespace with
    # the label's unqualified attributes, and register_namespace would change global state.
    document = Element(root.value, xmlns=NATO_LABEL_NAMESPACE)
    if label.review_datetime is not None:
        document.set("ReviewDateTime", format_datetime(label.review_datetime))
    information = SubElement(document, "ConfidentialityInformation")
    identifier = SubElement(information, "PolicyIdentifier")
    identifier.text = label.policy
    if policy is not None:
        identifier.set("URI", f"urn:oid:{policy.id}")
    SubElement(information, "Classification").text = label.classification
    if label.privacy_mark is not None:
        SubElement(information, "PrivacyMark").text = label.privacy_mark
    for category in label.categories:
        element = SubElement(information, "Category")
        element.set("TagName", category.tag_set)
        element.set("Type", category.kind.value)
        tag_set = policy.index.tag_sets_by_name.get(category.tag_set) if policy else None
        if tag_set is not None:
            element.set("URI", f"urn:oid:{tag_set.id}")
        for tag, text in _encoded_values(category, policy, encoding):
            SubElement(element, tag).text = text
    if label.originator is not None:
        originator = SubElement(document, "OriginatorID")
        originator.set("IDType", label.originator.id_type)
        originator.text = label.originator.value
    if label.creation_datetime is not None:
        created = SubElement(document, "CreationDateTime")
        created.text = format_datetime(label.creation_datetime)
    written: bytes = tostring(document, encoding="utf-8", xml_declaration=True)
    return written


def _encoded_values(
    category: LabelCategory, policy: Policy | None, encoding: ValueEncoding
) -> list[tuple[str, str]]:
    if policy is None or encoding is ValueEncoding.GENERIC:
        return [(ValueEncoding.GENERIC.value, value) for value in sorted(category.values)]
    lacvs = []
    for value in category.values:
        entry = policy.index.category(category.tag_set, category.kind, value)
        if entry is None or not isinstance(entry.category.lacv, int):
            raise LabelError(f"{value!r} in {category.tag_set!r} has no integer lacv")
        lacvs.append(entry.category.lacv)
    if encoding is ValueEncoding.INTEGER:
        return [(encoding.value, str(lacv)) for lacv in sorted(lacvs)]
    bits = ["0"] * (max(lacvs) + 1) if lacvs else []
    for lacv in lacvs:
        bits[lacv] = "1"
    return [(encoding.value, "".join(bits))] if bits else []
