"""The bound package: a clean round trip, and every tampering or hostile input refused by name."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import stat
import struct
import zipfile
from collections.abc import Mapping

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from liaison.audit.checkpoint import key_id
from liaison.audit.log import NodeSigner
from liaison.exports.document import to_json
from liaison.exports.package import (
    MAX_DIRECTORY_BYTES,
    MAX_ENTRIES,
    MAX_UNCOMPRESSED_BYTES,
    Verdict,
    bind,
    binding_statement,
    verify_package,
)
from liaison.security import LabelError

from .samples import FRENCH, report

ORIGIN = "gbr.liaison"
KEY = Ed25519PrivateKey.generate()
OTHER = Ed25519PrivateKey.generate()
SIGNER = NodeSigner(ORIGIN, KEY)
TRUSTED = {key_id(KEY.public_key()): KEY.public_key()}

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>"""


def members_of(package: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zip_of(members: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def changed(package: bytes, name: str, old: bytes, new: bytes) -> bytes:
    members = members_of(package)
    assert old in members[name]
    members[name] = members[name].replace(old, new, 1)
    return zip_of(members)


def resigned(package: bytes, signer: NodeSigner, **replaced: bytes) -> bytes:
    """`package` with members replaced and binding.xml's digests and signature made to match,
    as a trusted but careless (or compromised) signer would produce it."""
    members = {**members_of(package), **replaced}
    binding = members["binding.xml"].decode()
    for name, digest in members_of(package).items():
        if name != "binding.xml":
            fresh = hashlib.sha256(members[name]).hexdigest()
            binding = binding.replace(hashlib.sha256(digest).hexdigest(), fresh)
    old_signature = binding.split('">')[-1].split("</")[0]
    statement = binding_statement(
        hashlib.sha256(members["content.json"]).digest(),
        hashlib.sha256(members["label.xml"]).digest(),
        report().report_id,
        signer.origin,
        key_id(signer.key.public_key()),
    )
    signature = base64.b64encode(signer.key.sign(statement)).decode()
    members["binding.xml"] = binding.replace(old_signature, signature).encode()
    return zip_of(members)


def refused(package: bytes, trusted: Mapping[str, Ed25519PublicKey] = TRUSTED) -> str:
    verdict = verify_package(package, trusted)
    assert not verdict.valid
    assert verdict.problems
    return "\n".join(verdict.problems)


# --- a good package -------------------------------------------------------------------------


def test_a_bound_report_verifies_and_names_its_signer() -> None:
    package = bind(report(), SIGNER)
    assert verify_package(package, TRUSTED) == Verdict(
        valid=True,
        problems=(),
        report_id=report().report_id,
        origin=ORIGIN,
        key_id=key_id(KEY.public_key()),
    )
    members = members_of(package)
    assert set(members) == {"content.json", "label.xml", "binding.xml"}
    assert members["content.json"] == to_json(report())
    assert members["label.xml"] == report().label_xml


def test_binding_follows_the_4778_shape() -> None:
    binding = members_of(bind(report(), SIGNER))["binding.xml"].decode()
    assert 'xmlns:mb="urn:nato:stanag:4778:bindinginformation:1:0"' in binding
    for part in ("<mb:BindingInformation", "<mb:MetadataBindingContainer>", "<mb:MetadataBinding>"):
        assert part in binding
    assert '<mb:MetadataReference URI="label.xml"' in binding
    assert '<mb:DataReference URI="content.json"' in binding
    assert hashlib.sha256(to_json(report())).hexdigest() in binding
    assert f'KeyId="{key_id(KEY.public_key())}"' in binding


def test_binding_is_deterministic() -> None:
    assert bind(report(), SIGNER) == bind(report(), SIGNER)


def test_the_statement_covers_every_signed_field() -> None:
    base = (b"\x01" * 32, b"\x02" * 32, "r", "o", "k")
    statement = binding_statement(*base)
    assert statement.startswith(b"liaison report package binding v1\n")
    for index, other in enumerate((b"\x03" * 32, b"\x03" * 32, "r2", "o2", "k2")):
        varied = list(base)
        varied[index] = other
        assert binding_statement(*varied) != statement  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="line break"):
        binding_statement(b"\x01" * 32, b"\x02" * 32, "r\nfake", "o", "k")
    with pytest.raises(ValueError, match="32 bytes"):
        binding_statement(b"\x01", b"\x02" * 32, "r", "o", "k")


def test_binding_refuses_a_document_without_a_valid_label() -> None:
    with pytest.raises(LabelError):
        bind(report(label_xml=b"<notalabel/>"), SIGNER)


# --- tampering ------------------------------------------------------------------------------


def test_one_changed_byte_of_content_is_named() -> None:
    package = changed(bind(report(), SIGNER), "content.json", b"Company", b"Compamy")
    assert "content.json does not match its digest" in refused(package)


def test_one_changed_byte_of_the_label_is_named() -> None:
    package = changed(bind(report(), SIGNER), "label.xml", b"SECRET", b"SECRE7")
    assert "label.xml does not match its digest" in refused(package)


LABEL_DIGEST = hashlib.sha256(report().label_xml).hexdigest().encode()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b'reportId="0193', b'reportId="0194'),
        (b'Origin="gbr.liaison"', b'Origin="fra.liaison"'),
        (LABEL_DIGEST, bytes(reversed(LABEL_DIGEST))),
    ],
    ids=["report id", "origin", "digest"],
)
def test_a_changed_binding_field_breaks_the_signature(old: bytes, new: bytes) -> None:
    package = changed(bind(report(), SIGNER), "binding.xml", old, new)
    assert "the signature by key" in refused(package)


def test_anything_unsigned_added_to_the_binding_is_refused() -> None:
    package = changed(
        bind(report(), SIGNER), "binding.xml", b"<mb:MetadataBinding>", b"<mb:MetadataBinding> "
    )
    assert "binding.xml holds more than its signed fields" in refused(package)


def test_a_forged_signature_is_refused() -> None:
    package = bind(report(), SIGNER)
    binding = members_of(package)["binding.xml"]
    signature = binding.split(b'">')[-1].split(b"</")[0]
    forged = base64.b64encode(bytes(64))
    assert "signature by key" in refused(changed(package, "binding.xml", signature, forged))


def test_a_trusted_signer_still_cannot_bind_a_malformed_label_or_another_report() -> None:
    package = bind(report(), SIGNER)
    hostile = resigned(package, SIGNER, **{"label.xml": BILLION_LAUGHS})
    assert "label.xml is not a STANAG 4774 label" in refused(hostile)
    other = resigned(package, SIGNER, **{"content.json": to_json(report(report_id="other"))})
    assert "content.json is not report" in refused(other)
    assert verify_package(resigned(package, SIGNER), TRUSTED).valid  # the helper is sound


# --- whose key -------------------------------------------------------------------------------


def test_another_nodes_package_is_refused_until_its_key_is_trusted() -> None:
    package = bind(report(), NodeSigner("fra.liaison", OTHER))
    problems = refused(package)
    assert f"signed by key {key_id(OTHER.public_key())} (fra.liaison)" in problems
    assert "not trusted" in problems
    both = {**TRUSTED, key_id(OTHER.public_key()): OTHER.public_key()}
    verdict = verify_package(package, both)
    assert verdict.valid
    assert verdict.origin == "fra.liaison"


def test_a_key_id_pointing_at_another_trusted_key_is_refused() -> None:
    package = bind(report(), NodeSigner("fra.liaison", OTHER))
    impostor = changed(
        package,
        "binding.xml",
        key_id(OTHER.public_key()).encode(),
        key_id(KEY.public_key()).encode(),
    )
    assert "does not match binding.xml" in refused(impostor)


# --- the archive itself ---------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"not a zip", b"PK\x03\x04broken", b"%PDF-1.7\n"])
def test_non_zip_input_is_refused(data: bytes) -> None:
    assert "not a ZIP archive" in refused(data)


@pytest.mark.parametrize("name", ["content.json", "label.xml", "binding.xml"])
def test_a_missing_member_is_named(name: str) -> None:
    members = members_of(bind(report(), SIGNER))
    del members[name]
    assert f"missing member {name}" in refused(zip_of(members))


def test_an_extra_member_is_named() -> None:
    members = {**members_of(bind(report(), SIGNER)), "../evil.sh": b"rm -rf /"}
    assert "unexpected member '../evil.sh'" in refused(zip_of(members))


def test_a_duplicated_member_is_named() -> None:
    package = bind(report(), SIGNER)
    buffer = io.BytesIO(package)
    with (
        pytest.warns(UserWarning, match="Duplicate name"),
        zipfile.ZipFile(buffer, "a") as archive,
    ):
        archive.writestr("content.json", b"{}")
    assert "member 'content.json' appears more than once" in refused(buffer.getvalue())


def _with_entry(info: zipfile.ZipInfo, data: bytes) -> bytes:
    members = members_of(bind(report(), SIGNER))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            if name != info.filename:
                archive.writestr(name, content)
        archive.writestr(info, data)
    return buffer.getvalue()


def test_a_symbolic_link_member_is_refused() -> None:
    info = zipfile.ZipInfo("label.xml")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    assert "member 'label.xml' is a symbolic link" in refused(_with_entry(info, b"/etc/passwd"))


def test_a_directory_member_is_refused() -> None:
    assert "is a directory" in refused(_with_entry(zipfile.ZipInfo("label.xml/"), b""))
    info = zipfile.ZipInfo("label.xml")
    info.external_attr = (stat.S_IFDIR | 0o755) << 16
    assert "member 'label.xml' is a directory" in refused(_with_entry(info, b""))


def test_a_zip_bomb_is_refused_before_it_is_inflated() -> None:
    bomb = zipfile.ZipInfo("content.json")
    bomb.compress_type = zipfile.ZIP_DEFLATED
    problems = refused(_with_entry(bomb, bytes(MAX_UNCOMPRESSED_BYTES + 1)))
    assert "over the limit" in problems
    assert "inflate" in problems


def test_a_member_larger_than_its_header_says_is_not_inflated_past_it() -> None:
    members = {**members_of(bind(report(), SIGNER)), "content.json": bytes(1 << 20)}
    package = bytearray(zip_of(members))
    local = package.index(b"PK\x03\x04")  # content.json comes first
    central = package.index(b"PK\x01\x02")
    struct.pack_into("<I", package, local + 22, 10)
    struct.pack_into("<I", package, central + 24, 10)
    assert "member content.json cannot be read" in refused(bytes(package))


def test_too_many_entries_are_refused() -> None:
    members = {f"m{i}": b"" for i in range(MAX_ENTRIES + 1)}
    assert f"over the limit of {MAX_ENTRIES}" in refused(zip_of(members))


def test_a_huge_directory_is_refused_before_zipfile_reads_it() -> None:
    members = {f"m{i}": b"" for i in range(MAX_DIRECTORY_BYTES // 40)}
    assert "ZIP directory is" in refused(zip_of(members))


def test_zip64_is_refused() -> None:
    # A ZIP64 locator before the end record would let zipfile take the directory size from a
    # ZIP64 record instead of the one checked.
    package = bind(report(), SIGNER)
    end = package.rindex(b"PK\x05\x06")
    locator = b"PK\x06\x07" + bytes(16)
    assert "ZIP64" in refused(package[:end] + locator + package[end:])


def test_a_damaged_member_is_named() -> None:
    package = bind(report(), SIGNER)
    content = members_of(package)["content.json"]
    # Stored, so that flipping a byte of the archive flips a byte of the member (bad CRC).
    stored = io.BytesIO()
    with zipfile.ZipFile(stored, "w") as archive:
        for name, data in members_of(package).items():
            archive.writestr(name, data)
    damaged = bytearray(stored.getvalue())
    damaged[damaged.index(content) + 10] ^= 0x01
    assert "member content.json cannot be read" in refused(bytes(damaged))


@pytest.mark.parametrize(
    "binding",
    [
        BILLION_LAUGHS,
        b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://example.invalid/x.dtd"><x/>',
        b"<a>" * 100 + b"</a>" * 100,
        b"<unclosed>",
        b"<other/>",
    ],
    ids=["entities", "external dtd", "deep", "malformed", "foreign root"],
)
def test_hostile_or_foreign_binding_xml_is_refused(binding: bytes) -> None:
    members = {**members_of(bind(report(), SIGNER)), "binding.xml": binding}
    assert refused(zip_of(members)).startswith("binding.xml: ")


def test_content_json_is_canonical_and_leaves_the_label_out() -> None:
    data = to_json(report())
    content = json.loads(data)
    assert list(content) == sorted(content)
    assert "label_xml" not in content
    assert "détachement".encode() in data  # UTF-8, not \u escapes
    assert (
        data
        == json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )
    assert content["portions"][1] == {"mark": "NR//REL GBR", "text": FRENCH}


def test_an_export_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        report(exported_at="2026-11-24T15:30:00")
