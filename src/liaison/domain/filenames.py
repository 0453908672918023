"""Attachment names and content types, as a hostile uploader cannot choose them.

The name an uploader sends is shown to other readers and offered back on download, so it must not
carry a path, hide its real extension, or name a Windows device. The type the uploader declares is
never believed: what is served is what the bytes are.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

import filetype  # type: ignore[import-untyped]

# How much of a file's beginning `detect_content_type` needs; the store keeps this much aside.
ATTACHMENT_SNIFF_BYTES = 8192

MAX_FILENAME_BYTES = 200  # well under the 255-byte limit of common file systems
_MAX_EXTENSION_BYTES = 16  # a longer "extension" is part of the name, and may be cut
_FALLBACK_NAME = "attachment"

# Unicode's Bidi_Control characters: overrides, embeddings, isolates and marks. They can make
# "invoice\u202egpj.exe" display as "invoiceexe.jpg".
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Control characters, lone surrogates (which cannot be encoded), and line/paragraph separators.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_EDGE_DOTS_AND_SPACES = re.compile(r"^[\s.]+|[\s.]+$")
# Windows opens a device for these whatever the extension (superscript digits included).
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"{device}{digit}" for device in ("COM", "LPT") for digit in "123456789\u00b9\u00b2\u00b3"}
)

_TEXT = "text/plain; charset=utf-8"
_BINARY = "application/octet-stream"


def safe_filename(name: str) -> str:
    """The name to store and show for an uploaded file called `name`; never raises.

    Keeps the last path component (of either separator), drops invisible and control characters,
    leading dots (no hidden files, no `..`) and trailing dots and spaces, renames Windows devices,
    NFC-normalises, and cuts to MAX_FILENAME_BYTES of UTF-8 while keeping the extension.
    """
    base = re.split(r"[/\\]", name)[-1]
    kept = "".join(
        char
        for char in base
        if char not in _BIDI_CONTROLS and unicodedata.category(char) not in _DROPPED_CATEGORIES
    )
    cleaned = _EDGE_DOTS_AND_SPACES.sub("", unicodedata.normalize("NFC", kept))
    if cleaned.split(".", 1)[0].rstrip().upper() in _WINDOWS_DEVICES:
        cleaned = f"_{cleaned}"
    return _truncate(cleaned) or _FALLBACK_NAME


def _truncate(name: str) -> str:
    encoded = name.encode()
    if len(encoded) <= MAX_FILENAME_BYTES:
        return name
    stem, dot, extension = name.rpartition(".")
    suffix = f"{dot}{extension}".encode()
    if not dot or len(suffix) > _MAX_EXTENSION_BYTES:
        stem, suffix = name, b""
    # Cut on a character boundary: `ignore` drops a multibyte character split by the slice.
    cut = stem.encode()[: MAX_FILENAME_BYTES - len(suffix)].decode(errors="ignore")
    return _EDGE_DOTS_AND_SPACES.sub("", cut) + suffix.decode()


def detect_content_type(head: bytes) -> str:
    """The content type of a file from its first bytes (up to ATTACHMENT_SNIFF_BYTES).

    A known signature wins; otherwise the head is UTF-8 text or opaque binary. The uploader's
    declared type is never asked: trusting it would let an HTML page declared as image/png be
    served as an image.
    """
    kind = filetype.guess(head)
    if kind is not None:
        mime: str = kind.mime
        return mime
    if b"\0" in head:
        return _BINARY
    try:
        # Not `final`: the head may end inside a multibyte character that the file completes.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return _BINARY
    return _TEXT
