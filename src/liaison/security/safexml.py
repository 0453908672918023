"""Parsing of untrusted XML.

Every XML document the security package reads (policies, labels) may come from outside, so it is
parsed with defusedxml (no DTD, no entity, no external reference), after a size check, and while
counting element depth so that a deeply nested document is refused before it is built. Every
failure becomes the caller's own error type with a message, never a crash or a hang.
"""

from io import BytesIO
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def parse_untrusted(
    data: bytes | str, *, what: str, max_bytes: int, max_depth: int, error: type[ValueError]
) -> Element:
    """Parse `data` into its root element, or raise `error` saying what is wrong with it."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise error(f"{what} is {len(raw)} bytes, over the limit of {max_bytes} bytes")
    root: Element | None = None
    depth = 0
    events = SafeElementTree.iterparse(
        BytesIO(raw),
        events=("start", "end"),
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )
    try:
        for event, element in events:
            if event == "end":
                depth -= 1
                continue
            depth += 1
            if depth > max_depth:
                break
            if root is None:
                root = element
    except DefusedXmlException as exc:
        raise error(f"{what} uses a forbidden XML feature: {exc}") from None
    except (ParseError, ValueError, LookupError) as exc:
        # pyexpat raises ValueError/LookupError for encodings it cannot decode.
        raise error(f"{what} is not well-formed XML: {exc}") from None
    if depth > max_depth:
        raise error(f"{what} nests elements deeper than {max_depth} levels")
    assert root is not None  # expat reports a document without elements as malformed
    return root
