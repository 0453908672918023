"""Hostile XML: every attack ends in a clean LabelError or PolicyError, quickly."""

import time

import pytest

from liaison.security import LabelError, PolicyError, PolicyRegistry, label_from_xml, load_policy
from liaison.security.labels_xml import MAX_LABEL_BYTES, MAX_LABEL_DEPTH
from liaison.security.spif import MAX_POLICY_BYTES

NS = "urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<originatorConfidentialityLabel xmlns="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0">
<ConfidentialityInformation><PolicyIdentifier>&lol9;</PolicyIdentifier>
<Classification>SECRET</Classification></ConfidentialityInformation>
</originatorConfidentialityLabel>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE label [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<originatorConfidentialityLabel xmlns="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0">
<ConfidentialityInformation><PolicyIdentifier>&secret;</PolicyIdentifier>
<Classification>SECRET</Classification></ConfidentialityInformation>
</originatorConfidentialityLabel>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE label SYSTEM "http://example.invalid/label.dtd">
<originatorConfidentialityLabel xmlns="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"/>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE label [<!ENTITY % remote SYSTEM "http://example.invalid/x.dtd"> %remote;]>
<originatorConfidentialityLabel xmlns="urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"/>"""


def nested(depth: int) -> bytes:
    return b"<a>" * depth + b"</a>" * depth


@pytest.mark.parametrize(
    "attack", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY]
)
def test_dtds_and_entities_are_refused(attack: bytes, registry: PolicyRegistry) -> None:
    with pytest.raises(LabelError, match="forbidden XML feature"):
        label_from_xml(attack, registry)
    with pytest.raises(PolicyError, match="forbidden XML feature"):
        load_policy(attack)


def test_deep_label_nesting_is_refused() -> None:
    depth = MAX_LABEL_BYTES // 8  # as deep as fits under the size limit
    with pytest.raises(LabelError, match=f"deeper than {MAX_LABEL_DEPTH} levels"):
        label_from_xml(nested(depth))


def test_100k_nested_elements_are_refused_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(PolicyError, match="deeper than"):
        load_policy(nested(100_000))
    with pytest.raises(LabelError, match="over the limit"):
        label_from_xml(nested(100_000))
    assert time.perf_counter() - started < 5


def test_oversized_input_is_refused() -> None:
    padding = b" " * MAX_LABEL_BYTES
    with pytest.raises(LabelError, match=f"over the limit of {MAX_LABEL_BYTES} bytes"):
        label_from_xml(b"<a/>" + padding)
    with pytest.raises(PolicyError, match=f"over the limit of {MAX_POLICY_BYTES} bytes"):
        load_policy(b"<a/>" + b" " * MAX_POLICY_BYTES)


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"   ",
        b"\x00\xff\xfe binary",
        b"<unclosed",
        b"<a></b>",
        b"<a/><b/>",
        b'<?xml version="1.0" encoding="UTF-16"?><a/>',
        b'<?xml version="1.0" encoding="no-such-encoding"?><a/>',
        "<a>\udcff</a>".encode("utf-8", "surrogatepass"),
    ],
)
def test_malformed_xml_is_a_clean_error(garbage: bytes) -> None:
    with pytest.raises(LabelError):
        label_from_xml(garbage)
    with pytest.raises(PolicyError):
        load_policy(garbage)


def wrap(information: str, root: str = "originatorConfidentialityLabel") -> bytes:
    return (
        f'<{root} xmlns="{NS}"><ConfidentialityInformation>{information}'
        f"</ConfidentialityInformation></{root}>"
    ).encode()


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (b"<label/>", "not a STANAG 4774 confidentiality label"),
        (
            f'<originatorConfidentialityLabel xmlns="{NS}"/>'.encode(),
            "no ConfidentialityInformation",
        ),
        (wrap("<Classification>SECRET</Classification>"), "no PolicyIdentifier"),
        (
            wrap("<PolicyIdentifier> </PolicyIdentifier><Classification>S</Classification>"),
            "empty PolicyIdentifier",
        ),
        (wrap("<PolicyIdentifier>NATO</PolicyIdentifier>"), "no Classification"),
        (
            wrap(
                "<PolicyIdentifier>NATO</PolicyIdentifier><Classification>A</Classification>"
                "<Classification>B</Classification>"
            ),
            "more than one Classification",
        ),
        (
            wrap(
                "<PolicyIdentifier>NATO</PolicyIdentifier><Classification>SECRET</Classification>"
                '<Category TagName="Releasable To" Type="SOMETIMES"/>'
            ),
            "unknown Type 'SOMETIMES'",
        ),
        (
            wrap(
                "<PolicyIdentifier>NATO</PolicyIdentifier><Classification>SECRET</Classification>"
                '<Category Type="PERMISSIVE"/>'
            ),
            "no TagName",
        ),
        (
            wrap(
                "<PolicyIdentifier>NATO</PolicyIdentifier><Classification>SECRET</Classification>"
                '<Category TagName="Releasable To" Type="PERMISSIVE"><Value>GBR</Value></Category>'
            ),
            "unexpected element",
        ),
        (
            wrap(
                "<PolicyIdentifier>NATO</PolicyIdentifier><Classification>SECRET</Classification>"
                '<Category TagName="Releasable To" Type="PERMISSIVE">'
                "<IntegerValue>826</IntegerValue></Category>"
            ),
            "can only be read with the policy",
        ),
    ],
)
def test_malformed_label_is_refused_naming_the_fault(xml: bytes, message: str) -> None:
    with pytest.raises(LabelError, match=message):
        label_from_xml(xml)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("<IntegerValue>-1</IntegerValue>", "IntegerValue '-1' is malformed"),
        ("<IntegerValue>999</IntegerValue>", "no value with lacv 999"),
        ("<BitStringValue>01x</BitStringValue>", "BitStringValue '01x' is malformed"),
        ("<BitStringValue>1</BitStringValue>", "no value with lacv 0"),
    ],
)
def test_bad_lacv_values_are_refused(value: str, message: str, registry: PolicyRegistry) -> None:
    xml = wrap(
        "<PolicyIdentifier>NATO</PolicyIdentifier><Classification>SECRET</Classification>"
        f'<Category TagName="Releasable To" Type="PERMISSIVE">{value}</Category>'
    )
    with pytest.raises(LabelError, match=message):
        label_from_xml(xml, registry)


def test_bad_dates_are_refused() -> None:
    xml = (
        f'<originatorConfidentialityLabel xmlns="{NS}" ReviewDateTime="tomorrow">'
        "<ConfidentialityInformation><PolicyIdentifier>NATO</PolicyIdentifier>"
        "<Classification>SECRET</Classification></ConfidentialityInformation>"
        "</originatorConfidentialityLabel>"
    ).encode()
    with pytest.raises(LabelError, match="ReviewDateTime 'tomorrow'"):
        label_from_xml(xml)
