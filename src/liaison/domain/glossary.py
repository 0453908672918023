"""Terminology glossaries: import (CSV, TBX) and finding their terms in a message.

Officers of several nations read each other's messages in a second language; a glossary lets the
reader see what "MSR" or "itinéraire principal de ravitaillement" means without leaving the
message. Glossaries arrive as files from outside, so both importers are bounded and refuse a bad
file whole, with every problem named, rather than importing part of it.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from xml.etree.ElementTree import Element

import pycountry

from liaison.security.safexml import XML_LANG, parse_untrusted

MAX_CSV_BYTES = 2 * 1024 * 1024
MAX_CSV_ROWS = 20_000
MAX_TBX_BYTES = 8 * 1024 * 1024
MAX_TBX_ENTRIES = 20_000
MAX_TBX_DEPTH = 32
MAX_TERM_CHARS = 200
TERM_SEPARATOR = ";"
_SHOWN_PROBLEMS = 20

_TOKEN = re.compile(r"\w+|[^\w\s]")


class GlossaryError(ValueError):
    """A glossary file that cannot be imported; `problems` lists every reason found."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems) or (message,)


@dataclass(frozen=True)
class GlossaryEntry:
    """One concept: its terms by ISO 639-1 language code, and what it means."""

    terms: Mapping[str, tuple[str, ...]] = field(hash=False)
    definition: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        # A frozen entry must not change through the dict its caller still holds.
        object.__setattr__(self, "terms", MappingProxyType(dict(self.terms)))


@dataclass(frozen=True)
class TermMatch:
    """A glossary term found in a text: `text[start:end]` is the occurrence of `term`."""

    term: str
    language: str
    start: int
    end: int
    entry: GlossaryEntry


def language_code(code: str) -> str | None:
    """The ISO 639-1 code of `code` ("fr", "fra", "fre", "fr-CA"), or None if it has none."""
    primary = code.strip().replace("_", "-").split("-", 1)[0].lower()
    found = None
    if len(primary) == 2:
        found = pycountry.languages.get(alpha_2=primary)
    elif len(primary) == 3:
        found = pycountry.languages.get(alpha_3=primary) or pycountry.languages.get(
            bibliographic=primary
        )
    alpha_2 = getattr(found, "alpha_2", None)
    return alpha_2 if isinstance(alpha_2, str) else None


# --- CSV -----------------------------------------------------------------------------------


def parse_glossary_csv(data: bytes) -> list[GlossaryEntry]:
    """Read a CSV glossary: a header of language codes plus optional `definition` and `note`.

    A cell may hold several terms separated by ";" (a term and its abbreviation, say). Each bad
    row is reported with its line number, all at once, so a file can be fixed in one pass.
    """
    if len(data) > MAX_CSV_BYTES:
        raise GlossaryError(f"the CSV file is {len(data)} bytes, over the limit of {MAX_CSV_BYTES}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GlossaryError(f"the CSV file is not UTF-8 (byte {exc.start})") from None
    records = _numbered_records(text)
    header = next(records, None)
    if header is None:
        raise GlossaryError("the CSV file is empty: expected a header row of language codes")
    columns = _csv_columns(header[1])
    problems: list[str] = []
    entries: list[GlossaryEntry] = []
    for line, row in records:
        if len(entries) + len(problems) >= MAX_CSV_ROWS:
            raise GlossaryError(f"the CSV file has more than {MAX_CSV_ROWS} rows")
        if not any(cell.strip() for cell in row):
            continue
        try:
            entries.append(_csv_entry(row, columns))
        except ValueError as exc:
            problems.append(f"line {line}: {exc}")
    _raise_if(problems, "the CSV file")
    return entries


def _numbered_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise GlossaryError(f"the CSV file is malformed at line {line}: {exc}") from None
        yield line, row
        line = reader.line_num + 1


def _csv_columns(header: list[str]) -> list[str | None]:
    """The language code of each column, "definition" or "note"; refuses a header it can't read."""
    if len(header) == 1 and TERM_SEPARATOR in header[0]:
        raise GlossaryError(
            "line 1: the header is a single column; the file seems separated by ';': "
            "save it as comma-separated CSV (UTF-8)"
        )
    columns: list[str | None] = []
    problems: list[str] = []
    for number, cell in enumerate(header, start=1):
        name = cell.strip().lower()
        if name in ("definition", "note"):
            columns.append(name)
        elif not name:
            columns.append(None)
        elif (code := language_code(name)) is not None:
            columns.append(code)
        else:
            problems.append(
                f"line 1, column {number}: {cell.strip()!r} is neither an ISO 639 language code "
                "(such as en or eng) nor 'definition' or 'note'"
            )
    if not problems and not any(c not in (None, "definition", "note") for c in columns):
        problems.append("line 1: the header names no language column (such as en, fr, de)")
    for name in ("definition", "note"):
        if columns.count(name) > 1:
            problems.append(f"line 1: the header has more than one {name!r} column")
    _raise_if(problems, "the CSV header")
    return columns


def _csv_entry(row: list[str], columns: list[str | None]) -> GlossaryEntry:
    if len(row) > len(columns):
        raise ValueError(f"{len(row)} cells, but the header has {len(columns)} columns")
    terms: dict[str, list[str]] = {}
    fields = {"definition": "", "note": ""}
    for column, cell in zip(columns, row, strict=False):
        if column in fields:
            fields[column] = cell.strip()
        elif column is not None:
            for raw in cell.split(TERM_SEPARATOR):
                _add_term(terms, column, raw)
        elif cell.strip():
            raise ValueError("a value under a column without a header")
    return _entry(terms, fields["definition"], fields["note"])


def _add_term(terms: dict[str, list[str]], language: str, raw: str) -> None:
    term = " ".join(raw.split())
    if not term:
        return
    if len(term) > MAX_TERM_CHARS:
        raise ValueError(f"a {language} term is over {MAX_TERM_CHARS} characters")
    if any(unicodedata.category(char) == "Cc" for char in term):
        raise ValueError(f"a {language} term holds a control character")
    known = terms.setdefault(language, [])
    if term not in known:
        known.append(term)


def _entry(terms: dict[str, list[str]], definition: str, note: str) -> GlossaryEntry:
    if not terms:
        raise ValueError("no term in any language")
    return GlossaryEntry(
        {code: tuple(found) for code, found in terms.items()}, definition=definition, note=note
    )


def _raise_if(problems: list[str], what: str) -> None:
    if not problems:
        return
    shown = "; ".join(problems[:_SHOWN_PROBLEMS])
    more = len(problems) - _SHOWN_PROBLEMS
    suffix = f"; and {more} more" if more > 0 else ""
    raise GlossaryError(f"{what} has {len(problems)} problem(s): {shown}{suffix}", problems)


# --- TBX (ISO 30042) -------------------------------------------------------------------------


def parse_tbx(data: bytes) -> list[GlossaryEntry]:
    """Read a TBX termbase: TBX v3 (`<tbx>`) or TBX 2008 / TBX-Basic (`<martif>`).

    Namespaces are ignored (TBX v3 puts its elements in one, TBX 2008 usually does not). The
    definition is the concept's own, else the first one a language section gives; notes are the
    concept's own. DTDs and entities are refused by `parse_untrusted`, as for any outside XML.
    """
    root = parse_untrusted(
        data,
        what="the TBX file",
        max_bytes=MAX_TBX_BYTES,
        max_depth=MAX_TBX_DEPTH,
        error=GlossaryError,
    )
    if _local(root.tag) not in ("tbx", "martif"):
        raise GlossaryError(
            f"not a TBX file: the root element is <{_local(root.tag)}>, not <tbx> or <martif>"
        )
    concepts = [e for e in root.iter() if _local(e.tag) in ("conceptEntry", "termEntry")]
    if len(concepts) > MAX_TBX_ENTRIES:
        raise GlossaryError(f"the TBX file has more than {MAX_TBX_ENTRIES} concept entries")
    problems: list[str] = []
    entries: list[GlossaryEntry] = []
    for number, concept in enumerate(concepts, start=1):
        try:
            entries.append(_tbx_entry(concept))
        except ValueError as exc:
            ident = concept.get("id")
            named = f" (id {ident!r})" if ident else ""
            problems.append(f"concept entry {number}{named}: {exc}")
    _raise_if(problems, "the TBX file")
    return entries


def _tbx_entry(concept: Element) -> GlossaryEntry:
    terms: dict[str, list[str]] = {}
    definitions = _definitions(concept)
    notes = [_text(child) for child in concept if _local(child.tag) == "note"]
    for section in concept:
        if _local(section.tag) not in ("langSec", "langSet"):
            continue
        declared = section.get(XML_LANG) or ""
        language = language_code(declared)
        if language is None:
            raise ValueError(f"a language section has no ISO 639 xml:lang (found {declared!r})")
        for term in section.iter():
            if _local(term.tag) == "term":
                _add_term(terms, language, _text(term))
        definitions.extend(_definitions(section))
    return _entry(terms, next(iter(definitions), ""), "\n".join(n for n in notes if n))


def _definitions(parent: Element) -> list[str]:
    """Definitions given at this level: directly, or inside a `descripGrp`."""
    found: list[str] = []
    for child in parent:
        grouped = list(child) if _local(child.tag) == "descripGrp" else [child]
        found.extend(
            _text(element)
            for element in grouped
            if _local(element.tag) == "descrip" and element.get("type") == "definition"
        )
    return [text for text in found if text]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(element: Element) -> str:
    return " ".join("".join(element.itertext()).split())


# --- finding terms -----------------------------------------------------------------------------

# (normalised term, its spelling in the glossary, its language, the entry's position)
_Candidate = tuple[str, str, str, int]


class GlossaryIndex:
    """The glossary's terms indexed by their first word, built once and searched per message.

    Matching ignores case (Unicode case folding) and differences of whitespace, but not accents:
    "côte" is not "cote". Terms match whole words only, and where terms overlap the longest one
    found first in the text wins, so "main supply route" hides "supply route".
    """

    def __init__(self, entries: Sequence[GlossaryEntry]) -> None:
        self._entries = tuple(entries)
        self._by_language: dict[str | None, dict[str, list[_Candidate]]] = {None: {}}
        seen: set[tuple[str | None, str, int]] = set()
        for position, entry in enumerate(self._entries):
            for language, terms in entry.terms.items():
                for term in terms:
                    normal = _normalise(term)[0].strip()
                    first = _TOKEN.match(normal)
                    if first is None:
                        continue
                    for scope in (language, None):
                        if (scope, normal, position) in seen:
                            continue
                        seen.add((scope, normal, position))
                        index = self._by_language.setdefault(scope, {})
                        index.setdefault(first.group(), []).append(
                            (normal, term, language, position)
                        )
        for index in self._by_language.values():
            for candidates in index.values():
                candidates.sort(key=lambda candidate: -len(candidate[0]))

    def find(self, text: str, language: str | None = None) -> list[TermMatch]:
        """The terms of `language` (any language when None) that occur in `text`, in order.

        A term spelled alike in several entries (homonyms) is reported once per entry.
        """
        if language is not None:
            code = language_code(language)
            if code is None:
                raise ValueError(f"unknown language code {language!r}: expected ISO 639")
            language = code
        index = self._by_language.get(language)
        if not index:
            return []
        normal, starts, ends = _normalise(text)
        matches: list[TermMatch] = []
        resume = 0
        for token in _TOKEN.finditer(normal):
            begin = token.start()
            if begin < resume:
                continue
            found = [
                candidate
                for candidate in index.get(token.group(), ())
                if normal.startswith(candidate[0], begin)
                and _ends_word(normal, begin + len(candidate[0]))
            ]
            if not found:
                continue
            longest = len(found[0][0])
            resume = begin + longest
            matches.extend(
                TermMatch(term, lang, starts[begin], ends[resume - 1], self._entries[position])
                for normal_term, term, lang, position in found
                if len(normal_term) == longest
            )
        return matches


def find_terms(
    text: str, entries: Sequence[GlossaryEntry], language: str | None
) -> list[TermMatch]:
    """The glossary terms in `text`; see `GlossaryIndex`, which to prefer for many messages."""
    return GlossaryIndex(entries).find(text, language)


def _ends_word(normal: str, end: int) -> bool:
    return end >= len(normal) or not (_is_word(normal[end - 1]) and _is_word(normal[end]))


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _normalise(text: str) -> tuple[str, list[int], list[int]]:
    """Case-folded, NFC, whitespace-collapsed `text`, and where each of its characters came from.

    Folding can lengthen the text ("ß" becomes "ss"), so each normalised character keeps the
    start and end of the characters it came from: a match's span is then exact in the original.
    """
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    length = len(text)
    while position < length:
        end = position + 1
        if text[position].isspace():
            while end < length and text[end].isspace():
                end += 1
            folded = " "
        else:
            while end < length and unicodedata.combining(text[end]):
                end += 1
            folded = unicodedata.normalize("NFC", text[position:end].casefold())
        pieces.append(folded)
        starts.extend([position] * len(folded))
        ends.extend([end] * len(folded))
        position = end
    return "".join(pieces), starts, ends
