"""Attachment names from hostile uploaders, and content types sniffed rather than believed."""

from __future__ import annotations

import io
import unicodedata
import zipfile
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.domain.filenames import (
    ATTACHMENT_SNIFF_BYTES,
    MAX_FILENAME_BYTES,
    detect_content_type,
    safe_filename,
)

TEXT = "text/plain; charset=utf-8"
BINARY = "application/octet-stream"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("/abs/x", "x"),
        ("C:\\Users\\me\\Desktop\\plan.docx", "plan.docx"),
        ("dir/sub\\mixed/name.txt", "name.txt"),
        ("dir/", "attachment"),
        ("..", "attachment"),
        ("...", "attachment"),
        (".", "attachment"),
        ("", "attachment"),
        ("   ", "attachment"),
        (". . .", "attachment"),
        (".bashrc", "bashrc"),
        ("..hidden.txt", "hidden.txt"),
        ("notes.txt.", "notes.txt"),
        ("notes.txt . .", "notes.txt"),
        ("  spaced name.txt  ", "spaced name.txt"),
        ("Ordre d'opération n°3.odt", "Ordre d'opération n°3.odt"),
    ],
)
def test_names_lose_paths_and_edge_dots(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("evil\x00.txt", "evil.txt"),
        ("a\nb\rc\td.txt", "abcd.txt"),
        ("bell\x07\x1b[31m.txt", "bell[31m.txt"),
        ("del\x7f\x85\x9b.txt", "del.txt"),  # DEL and C1 controls
        ("line\u2028para\u2029.txt", "linepara.txt"),
        ("\x00\x01\x02", "attachment"),
        ("lone\ud800surrogate.txt", "lonesurrogate.txt"),
    ],
)
def test_control_characters_are_dropped(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("invoice\u202egpj.exe", "invoicegpj.exe"),  # displays as "invoiceexe.jpg"
        ("\u202dreport.pdf\u202c", "report.pdf"),
        ("photo\u2067gnp.scr\u2069", "photognp.scr"),
        ("a\u202a\u202b\u2066\u2068\u200e\u200f\u061cb.txt", "ab.txt"),
        ("\u202e", "attachment"),
    ],
)
def test_bidi_controls_cannot_disguise_the_extension(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("Nul.tar.gz", "_Nul.tar.gz"),
        ("PRN", "_PRN"),
        ("aux.log", "_aux.log"),
        ("COM1", "_COM1"),
        ("lpt9.doc", "_lpt9.doc"),
        ("COM\u00b9.txt", "_COM\u00b9.txt"),
        ("CON .txt", "_CON .txt"),
        ("dir/CON.", "_CON"),
        ("CONSOLE.txt", "CONSOLE.txt"),
        ("COM0", "COM0"),
        ("COM10", "COM10"),
        ("LPT", "LPT"),
        ("my con.txt", "my con.txt"),
    ],
)
def test_windows_device_names_are_renamed(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_names_are_nfc_normalised() -> None:
    decomposed = "Re\u0301sume\u0301.pdf"
    assert safe_filename(decomposed) == "R\u00e9sum\u00e9.pdf"


def test_long_names_are_cut_to_the_byte_limit_keeping_the_extension() -> None:
    name = safe_filename("a" * 300 + ".pdf")
    assert name == "a" * (MAX_FILENAME_BYTES - 4) + ".pdf"


@pytest.mark.parametrize("char", ["\u00e9", "\u20ac", "\u6587", "\U0001f4c4"])  # 2, 3, 3, 4 bytes
def test_multibyte_names_are_cut_on_a_character_boundary(char: str) -> None:
    name = safe_filename(char * 300 + ".docx")
    assert name.endswith(".docx")
    assert len(name.encode()) <= MAX_FILENAME_BYTES
    assert len(name.encode()) > MAX_FILENAME_BYTES - len(char.encode()) - 1
    assert set(name.removesuffix(".docx")) == {char}


def test_a_huge_extension_is_cut_like_the_rest_of_the_name() -> None:
    name = safe_filename("x." + "y" * 300)
    assert name == "x." + "y" * (MAX_FILENAME_BYTES - 2)


def test_a_cut_does_not_leave_dots_or_spaces_before_the_extension_edge() -> None:
    name = safe_filename("a" * (MAX_FILENAME_BYTES - 6) + "  ...  " + "b" * 50)
    assert name == "a" * (MAX_FILENAME_BYTES - 6)


hostile_names = st.lists(
    st.one_of(
        st.text(max_size=20),
        st.sampled_from(["/", "\\", ".", "..", " ", "\x00", "\u202e", "\u2066", "\ud800"]),
        st.sampled_from(["CON", "lpt1", "e\u0301", "\U0001f4c4", ".pdf", "x" * 150]),
    ),
    max_size=30,
).map("".join)


@given(hostile_names)
def test_any_name_becomes_a_safe_one(name: str) -> None:
    safe = safe_filename(name)
    assert safe
    assert len(safe.encode()) <= MAX_FILENAME_BYTES
    assert "/" not in safe
    assert "\\" not in safe
    assert not safe.startswith(".")
    assert not safe.endswith((".", " "))
    assert unicodedata.is_normalized("NFC", safe)
    assert not any(unicodedata.category(char) in {"Cc", "Cs", "Zl", "Zp"} for char in safe)
    assert not any("\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069" for char in safe)
    assert safe.split(".", 1)[0].rstrip().upper() not in {"CON", "PRN", "AUX", "NUL"}


@given(hostile_names)
def test_a_safe_name_stays_as_it_is(name: str) -> None:
    safe = safe_filename(name)
    assert safe_filename(safe) == safe


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])  # 1x1, 8-bit greyscale
    pixels = zlib.compress(b"\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("orders.txt", "move at dawn")
    return buffer.getvalue()


PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (png(), "image/png"),
        (PDF, "application/pdf"),
        (zip_archive(), "application/zip"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
        ("Rapport de situation: RAS.\nÜbung läuft. 演习\n".encode(), TEXT),
        (HTML, TEXT),
        (b"", TEXT),
        (b"\x00\x01\x02\x03\xfe\xfd\xfc", BINARY),
        (b"text with a \x00 in it", BINARY),
        (b"latin-1 caf\xe9 is not UTF-8", BINARY),
    ],
)
def test_content_type_comes_from_the_bytes(head: bytes, expected: str) -> None:
    assert detect_content_type(head) == expected


def test_a_head_cut_inside_a_multibyte_character_is_still_text() -> None:
    body = ("\u00e9" * ATTACHMENT_SNIFF_BYTES).encode()
    assert detect_content_type(body[: ATTACHMENT_SNIFF_BYTES - 1]) == TEXT


@given(st.binary(max_size=ATTACHMENT_SNIFF_BYTES))
def test_detection_never_raises(head: bytes) -> None:
    assert detect_content_type(head)
