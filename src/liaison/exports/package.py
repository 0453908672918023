"""The bound package: a report's content and its 4774 label, signed together by the node.

In the spirit of STANAG 4778 (metadata binding), a package is a ZIP of three members:

- ``content.json``: the report, as `to_json` writes it;
- ``label.xml``: its overall STANAG 4774 originator confidentiality label;
- ``binding.xml``: an ``mb:BindingInformation`` (namespace BINDING_NAMESPACE, shaped after
  nl-mb.xsd) whose one ``MetadataBinding`` refers to label.xml (``MetadataReference``) and to
  content.json (``DataReference``), each with its SHA-256; and, in this project's namespace
  (the schema admits other namespaces after the container), the Ed25519 signature with the
  signing node's origin and key id.

The signature is over `binding_statement`, a plain byte string, not over canonicalised XML:
XML canonicalisation is a notorious source of signature-wrapping bugs, and the statement names
everything that matters (both digests, the report id, the origin and the key id). binding.xml
must also be exactly the bytes `bind` writes for its fields, so no part of it can be changed
unsigned.

`verify_package` treats its input as hostile: bounded size and member count, no directories,
links or unexpected members, XML parsed with defusedxml, and every problem named.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import stat
import struct
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from xml.etree.ElementTree import Element, SubElement, tostring

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from liaison.audit.checkpoint import key_id
from liaison.audit.log import NodeSigner
from liaison.exports.document import ReportDocument, to_json
from liaison.security import LabelError, label_from_xml
from liaison.security.safexml import parse_untrusted

CONTENT = "content.json"
LABEL = "label.xml"
BINDING = "binding.xml"
MEMBERS = frozenset({CONTENT, LABEL, BINDING})

BINDING_NAMESPACE = "urn:nato:stanag:4778:bindinginformation:1:0"
LIAISON_NAMESPACE = "urn:liaison:exports:report-package:1"
XMIME_NAMESPACE = "http://www.w3.org/2005/05/xmlmime"
PROFILE = LIAISON_NAMESPACE
SIGNATURE_ALGORITHM = "Ed25519"
DIGEST_ALGORITHM = "SHA-256"
STATEMENT_HEADER = "liaison report package binding v1"

MAX_PACKAGE_BYTES = 64 * 1024 * 1024  # the ZIP itself
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024  # all members together, once inflated
MAX_ENTRIES = 16  # a package has 3; more is refused before any is read
# zipfile reads the whole central directory into objects before we can count its entries,
# so its size is checked first: 64 MiB of tiny entries would be over a million of them.
MAX_DIRECTORY_BYTES = 16 * 1024
_END_OF_DIRECTORY = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
MAX_BINDING_BYTES = 64 * 1024
MAX_BINDING_DEPTH = 8

_MB = f"{{{BINDING_NAMESPACE}}}"
_LX = f"{{{LIAISON_NAMESPACE}}}"


class _BindingError(ValueError):
    """binding.xml cannot be read as a binding."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of `verify_package`. report_id, origin and key_id are what binding.xml
    claims (None when it could not be read): trust them only when `valid`."""

    valid: bool
    problems: tuple[str, ...]
    report_id: str | None
    origin: str | None
    key_id: str | None


@dataclass(frozen=True, slots=True)
class _Binding:
    report_id: str
    origin: str
    key_id: str
    content_sha256: bytes
    label_sha256: bytes
    signature: bytes


def _line(value: str, what: str) -> str:
    if not value or "\n" in value or "\r" in value:
        raise ValueError(f"{what} must be non-empty and hold no line break")
    return value


def binding_statement(
    content_sha256: bytes, label_sha256: bytes, report_id: str, origin: str, key_id: str
) -> bytes:
    """The bytes the package signature covers: UTF-8 lines, each ending in "\\n"::

        liaison report package binding v1
        report <report id>
        origin <signing node's origin>
        key <signing key id>
        content.json sha256 <hex>
        label.xml sha256 <hex>

    The first line keeps this signature from being mistaken for any other the node makes
    (such as an audit checkpoint). Values must not hold line breaks, so the text parses back
    one way only.
    """
    for digest in (content_sha256, label_sha256):
        if len(digest) != hashlib.sha256().digest_size:
            raise ValueError("a SHA-256 digest is 32 bytes")
    lines = (
        STATEMENT_HEADER,
        f"report {_line(report_id, 'report id')}",
        f"origin {_line(origin, 'origin')}",
        f"key {_line(key_id, 'key id')}",
        f"{CONTENT} sha256 {content_sha256.hex()}",
        f"{LABEL} sha256 {label_sha256.hex()}",
    )
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _statement(binding: _Binding) -> bytes:
    return binding_statement(
        binding.content_sha256,
        binding.label_sha256,
        binding.report_id,
        binding.origin,
        binding.key_id,
    )


def _binding_xml(binding: _Binding) -> bytes:
    # Prefixed names are written as they stand: ElementTree would otherwise invent ns0, ns1...
    # and register_namespace would change global state. Parsing reads the namespaces as usual.
    root = Element(
        "mb:BindingInformation",
        {
            "xmlns:mb": BINDING_NAMESPACE,
            "xmlns:liaison": LIAISON_NAMESPACE,
            "xmlns:xmime": XMIME_NAMESPACE,
            "liaison:profile": PROFILE,
            "liaison:reportId": binding.report_id,
        },
    )
    container = SubElement(root, "mb:MetadataBindingContainer")
    metadata_binding = SubElement(container, "mb:MetadataBinding")
    for tag, uri, content_type, digest in (
        ("mb:MetadataReference", LABEL, "application/xml", binding.label_sha256),
        ("mb:DataReference", CONTENT, "application/json", binding.content_sha256),
    ):
        SubElement(
            metadata_binding,
            tag,
            {
                "URI": uri,
                "xmime:contentType": content_type,
                "liaison:digestAlgorithm": DIGEST_ALGORITHM,
                "liaison:digest": digest.hex(),
            },
        )
    signature = SubElement(
        root,
        "liaison:Signature",
        {"Algorithm": SIGNATURE_ALGORITHM, "Origin": binding.origin, "KeyId": binding.key_id},
    )
    signature.text = base64.b64encode(binding.signature).decode("ascii")
    written: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
    return written


def bind(doc: ReportDocument, signer: NodeSigner) -> bytes:
    """The package of `doc` (ZIP bytes), signed with the node's key.

    Raises LabelError when `doc.label_xml` is not a 4774 label: such a package would never verify.
    """
    label_from_xml(doc.label_xml)
    content = to_json(doc)
    unsigned = _Binding(
        report_id=doc.report_id,
        origin=signer.origin,
        key_id=key_id(signer.key.public_key()),
        content_sha256=hashlib.sha256(content).digest(),
        label_sha256=hashlib.sha256(doc.label_xml).digest(),
        signature=b"",
    )
    binding = replace(unsigned, signature=signer.key.sign(_statement(unsigned)))
    members = ((CONTENT, content), (LABEL, doc.label_xml), (BINDING, _binding_xml(binding)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            # A fixed date keeps equal packages byte-equal; the export time is in content.json.
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, data)
    return buffer.getvalue()


class _Refused(Exception):
    """The package cannot be checked further; `problems` say why."""

    def __init__(self, *problems: str) -> None:
        super().__init__(*problems)
        self.problems = problems


def verify_package(data: bytes, trusted_keys: Mapping[str, Ed25519PublicKey]) -> Verdict:
    """Check a package from anyone: its shape, both digests, the label, and the signature by a
    key in `trusted_keys` (key id -> public key, see `key_id`)."""
    try:
        members = _read_members(data)
        binding = _parse_binding(members[BINDING])
    except _Refused as refusal:
        return Verdict(False, refusal.problems, None, None, None)
    problems = [
        *_digest_problems(members, binding),
        *_label_problems(members[LABEL]),
        *_content_problems(members[CONTENT], binding.report_id),
        *_signature_problems(binding, trusted_keys),
    ]
    if _binding_xml(binding) != members[BINDING]:
        problems.append(f"{BINDING} holds more than its signed fields, or in another form")
    return Verdict(not problems, tuple(problems), binding.report_id, binding.origin, binding.key_id)


def _read_members(data: bytes) -> dict[str, bytes]:
    if len(data) > MAX_PACKAGE_BYTES:
        raise _Refused(f"the package is {len(data)} bytes, over the limit of {MAX_PACKAGE_BYTES}")
    _check_directory_size(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        raise _Refused(f"not a ZIP archive: {error}") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise _Refused(f"the package has {len(infos)} entries, over the limit of {MAX_ENTRIES}")
        _check_entries(infos)
        declared = sum(info.file_size for info in infos)
        if declared > MAX_UNCOMPRESSED_BYTES:
            raise _Refused(
                f"the members would inflate to {declared} bytes, "
                f"over the limit of {MAX_UNCOMPRESSED_BYTES}"
            )
        return _inflate(archive, infos)


def _check_directory_size(data: bytes) -> None:
    """Find the end-of-central-directory record as zipfile does (the last one, within the
    maximum comment length of the end) and refuse a directory too large for a package."""
    end = data.rfind(_END_OF_DIRECTORY, max(0, len(data) - 22 - 0xFFFF))
    if end < 0 or end + 22 > len(data):
        raise _Refused("not a ZIP archive: no end of central directory record")
    if data[max(0, end - 20) : end - 16] == _ZIP64_LOCATOR:
        raise _Refused("a ZIP64 archive is never a package")
    (size,) = struct.unpack_from("<I", data, end + 12)
    if size > MAX_DIRECTORY_BYTES:
        raise _Refused(
            f"the ZIP directory is {size} bytes, over the limit of {MAX_DIRECTORY_BYTES}"
        )


def _check_entries(infos: list[zipfile.ZipInfo]) -> None:
    problems = []
    names = [info.filename for info in infos]
    for name in sorted(MEMBERS - set(names)):
        problems.append(f"missing member {name}")
    for name in sorted(set(names) - MEMBERS):
        problems.append(f"unexpected member {name!r}")
    for name in sorted({name for name in names if names.count(name) > 1}):
        problems.append(f"member {name!r} appears more than once")
    for info in infos:
        mode = info.external_attr >> 16
        if info.is_dir() or stat.S_ISDIR(mode):
            problems.append(f"member {info.filename!r} is a directory")
        elif stat.S_ISLNK(mode):
            problems.append(f"member {info.filename!r} is a symbolic link")
        elif stat.S_IFMT(mode) and not stat.S_ISREG(mode):  # a type of 0 means none recorded
            problems.append(f"member {info.filename!r} is not a regular file")
        if info.flag_bits & 0x1:
            problems.append(f"member {info.filename!r} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            problems.append(
                f"member {info.filename!r} uses compression method {info.compress_type}"
            )
    if problems:
        raise _Refused(*problems)


def _inflate(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> dict[str, bytes]:
    """Each member's bytes. zipfile stops a member at the size its headers declare (and then
    fails its CRC), so the check of the declared sizes bounds what is inflated."""
    members: dict[str, bytes] = {}
    for info in infos:
        try:
            members[info.filename] = archive.read(info)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as error:
            raise _Refused(f"member {info.filename} cannot be read: {error}") from None
    return members


def _parse_binding(data: bytes) -> _Binding:
    try:
        return _binding_fields(data)
    except _BindingError as error:
        raise _Refused(f"{BINDING}: {error}") from None


def _binding_fields(data: bytes) -> _Binding:
    root = parse_untrusted(
        data,
        what="the document",
        max_bytes=MAX_BINDING_BYTES,
        max_depth=MAX_BINDING_DEPTH,
        error=_BindingError,
    )
    if root.tag != f"{_MB}BindingInformation":
        raise _BindingError(f"the root is {root.tag!r}, not a STANAG 4778 BindingInformation")
    if root.get(f"{_LX}profile") != PROFILE:
        raise _BindingError(f"the profile is not {PROFILE}")
    metadata_binding = _one(_one(root, f"{_MB}MetadataBindingContainer"), f"{_MB}MetadataBinding")
    signature = _one(root, f"{_LX}Signature")
    if signature.get("Algorithm") != SIGNATURE_ALGORITHM:
        raise _BindingError(f"the signature algorithm is not {SIGNATURE_ALGORITHM}")
    try:
        signature_bytes = base64.b64decode(signature.text or "", validate=True)
    except binascii.Error:
        raise _BindingError("the signature is not base64") from None
    return _Binding(
        report_id=_text(root.get(f"{_LX}reportId"), "report id"),
        origin=_text(signature.get("Origin"), "origin"),
        key_id=_text(signature.get("KeyId"), "key id"),
        content_sha256=_digest(_one(metadata_binding, f"{_MB}DataReference"), CONTENT),
        label_sha256=_digest(_one(metadata_binding, f"{_MB}MetadataReference"), LABEL),
        signature=signature_bytes,
    )


def _one(parent: Element, tag: str) -> Element:
    found = parent.findall(tag)
    if len(found) != 1:
        raise _BindingError(f"expected one {tag.rpartition('}')[2]}, found {len(found)}")
    return found[0]


def _text(value: str | None, what: str) -> str:
    try:
        return _line(value or "", what)
    except ValueError as error:
        raise _BindingError(str(error)) from None


def _digest(reference: Element, uri: str) -> bytes:
    if reference.get("URI") != uri:
        raise _BindingError(f"the {reference.tag.rpartition('}')[2]} does not refer to {uri}")
    if reference.get(f"{_LX}digestAlgorithm") != DIGEST_ALGORITHM:
        raise _BindingError(f"the digest of {uri} is not {DIGEST_ALGORITHM}")
    text = reference.get(f"{_LX}digest") or ""
    if len(text) != 2 * hashlib.sha256().digest_size or text != text.lower():
        raise _BindingError(f"the digest of {uri} is not a lowercase hex SHA-256")
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise _BindingError(f"the digest of {uri} is not a lowercase hex SHA-256") from None


def _digest_problems(members: Mapping[str, bytes], binding: _Binding) -> list[str]:
    expected = {CONTENT: binding.content_sha256, LABEL: binding.label_sha256}
    return [
        f"{name} does not match its digest in {BINDING}: it was changed after signing"
        for name, digest in expected.items()
        if hashlib.sha256(members[name]).digest() != digest
    ]


def _label_problems(data: bytes) -> list[str]:
    try:
        label_from_xml(data)
    except LabelError as error:
        return [f"{LABEL} is not a STANAG 4774 label: {error}"]
    return []


def _content_problems(data: bytes, report_id: str) -> list[str]:
    try:
        content = json.loads(data)
    except (ValueError, RecursionError):
        return [f"{CONTENT} is not JSON"]
    if not isinstance(content, dict) or content.get("report_id") != report_id:
        return [f"{CONTENT} is not report {report_id}, which {BINDING} names"]
    return []


def _signature_problems(
    binding: _Binding, trusted_keys: Mapping[str, Ed25519PublicKey]
) -> list[str]:
    key = trusted_keys.get(binding.key_id)
    if key is None:
        return [f"signed by key {binding.key_id} ({binding.origin}), which is not trusted here"]
    try:
        key.verify(binding.signature, _statement(binding))
    except InvalidSignature:
        return [f"the signature by key {binding.key_id} does not match {BINDING}"]
    return []
