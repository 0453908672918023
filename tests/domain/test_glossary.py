"""Glossary import (CSV, TBX) and finding its terms in messages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.domain.glossary import (
    MAX_CSV_BYTES,
    MAX_CSV_ROWS,
    GlossaryEntry,
    GlossaryError,
    GlossaryIndex,
    find_terms,
    parse_glossary_csv,
    parse_tbx,
)

MSR = GlossaryEntry(
    {
        "en": ("main supply route", "MSR"),
        "fr": ("itinéraire principal de ravitaillement",),
        "de": ("Hauptversorgungsstraße",),
    },
    definition="The route designated for the bulk of traffic in support of operations.",
)
SUPPLY_ROUTE = GlossaryEntry({"en": ("supply route",), "fr": ("itinéraire de ravitaillement",)})
COTE = GlossaryEntry({"fr": ("côte",)}, definition="coast")
COTE_HEIGHT = GlossaryEntry({"fr": ("cote",)}, definition="spot height")
GLOSSARY = [MSR, SUPPLY_ROUTE, COTE, COTE_HEIGHT]


# --- CSV -------------------------------------------------------------------------------------


def test_csv_with_several_terms_per_cell() -> None:
    data = (
        "en,fr,de,definition,note\n"
        "main supply route; MSR ,itinéraire principal de ravitaillement,Hauptversorgungsstraße,"
        '"The route for the bulk of traffic.",doctrine\n'
        "\n"
        "checkpoint;CP,point de contrôle,,,\n"
    ).encode()
    entries = parse_glossary_csv(data)
    assert entries[0].terms == {
        "en": ("main supply route", "MSR"),
        "fr": ("itinéraire principal de ravitaillement",),
        "de": ("Hauptversorgungsstraße",),
    }
    assert entries[0].definition == "The route for the bulk of traffic."
    assert entries[0].note == "doctrine"
    assert entries[1] == GlossaryEntry({"en": ("checkpoint", "CP"), "fr": ("point de contrôle",)})


def test_csv_with_a_bom_and_three_letter_codes() -> None:
    data = "\ufeffeng,fra,ger\r\nconvoy,convoi,Konvoi\r\n".encode()
    [entry] = parse_glossary_csv(data)
    assert entry.terms == {"en": ("convoy",), "fr": ("convoi",), "de": ("Konvoi",)}


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_returned() -> None:
    data = (
        f'en,fr\nconvoy,convoi\n"multi\nline",ligne\n,\na,b,c\n;;,;\n{"x" * 300},y\nok,\x07bell\n'
    ).encode()
    with pytest.raises(GlossaryError) as caught:
        parse_glossary_csv(data)
    lines = [problem.split(":")[0] for problem in caught.value.problems]
    assert lines == ["line 6", "line 7", "line 8", "line 9"]
    assert "3 cells" in caught.value.problems[0]
    assert "no term" in caught.value.problems[1]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"en,klingon\nconvoy,x\n", "column 2: 'klingon'"),
        (b"definition,note\nx,y\n", "no language column"),
        (b"en;fr\nconvoy;convoi\n", "separated by ';'"),
        (b"en,fr\n\xff\xfe,x\n", "not UTF-8"),
    ],
)
def test_unreadable_csv_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(GlossaryError, match=reason):
        parse_glossary_csv(data)


def test_csv_size_and_row_caps() -> None:
    with pytest.raises(GlossaryError, match="over the limit"):
        parse_glossary_csv(b"en\n" + b"a\n" * MAX_CSV_BYTES)
    rows = b"en\n" + b"convoy\n" * (MAX_CSV_ROWS + 1)
    with pytest.raises(GlossaryError, match="more than 20000 rows"):
        parse_glossary_csv(rows)
    assert len(parse_glossary_csv(b"en\n" + b"convoy\n" * MAX_CSV_ROWS)) == MAX_CSV_ROWS


# --- TBX -------------------------------------------------------------------------------------

TBX_V3 = """<?xml version="1.0" encoding="UTF-8"?>
<tbx xmlns="urn:iso:std:iso:30042:ed-2" type="TBX-Basic" style="dca" xml:lang="en">
  <tbxHeader><fileDesc><sourceDesc><p>Liaison test termbase</p></sourceDesc></fileDesc></tbxHeader>
  <text><body>
    <conceptEntry id="c1">
      <descrip type="definition">The route for the bulk of traffic in support of operations.
      </descrip>
      <note>ATP-3.2.1</note>
      <langSec xml:lang="en">
        <termSec><term>main supply route</term></termSec>
        <termSec><term>MSR</term></termSec>
      </langSec>
      <langSec xml:lang="fr-FR">
        <termSec><term>itinéraire principal de ravitaillement</term></termSec>
      </langSec>
    </conceptEntry>
    <conceptEntry id="c2">
      <langSec xml:lang="de">
        <descripGrp><descrip type="definition">Ort der Kontrolle</descrip></descripGrp>
        <termSec><term>Kontrollpunkt</term></termSec>
      </langSec>
      <langSec xml:lang="en"><termSec><term>check<hi>point</hi></term></termSec></langSec>
    </conceptEntry>
  </body></text>
</tbx>
""".encode()

TBX_BASIC = b"""<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX-Basic" xml:lang="en-US">
  <martifHeader><fileDesc><sourceDesc><p>export</p></sourceDesc></fileDesc></martifHeader>
  <text><body>
    <termEntry id="t1">
      <descrip type="definition">A group of vehicles moving together under escort.</descrip>
      <langSet xml:lang="en"><tig><term>convoy</term></tig></langSet>
      <langSet xml:lang="fr"><ntig><termGrp><term>convoi</term></termGrp></ntig></langSet>
      <langSet xml:lang="deu"><tig><term>Konvoi</term></tig></langSet>
    </termEntry>
  </body></text>
</martif>
"""


def test_tbx_v3_namespaced() -> None:
    first, second = parse_tbx(TBX_V3)
    assert first.terms == {
        "en": ("main supply route", "MSR"),
        "fr": ("itinéraire principal de ravitaillement",),
    }
    assert first.definition.startswith("The route for the bulk")
    assert first.note == "ATP-3.2.1"
    assert second.terms == {"de": ("Kontrollpunkt",), "en": ("checkpoint",)}
    assert second.definition == "Ort der Kontrolle"


def test_tbx_basic_2008() -> None:
    [entry] = parse_tbx(TBX_BASIC)
    assert entry.terms == {"en": ("convoy",), "fr": ("convoi",), "de": ("Konvoi",)}
    assert entry.definition == "A group of vehicles moving together under escort."


def test_tbx_2008_namespaced() -> None:
    namespaced = TBX_BASIC.replace(b"<martif ", b'<martif xmlns="urn:iso:std:iso:30042:ed-1" ')
    assert parse_tbx(namespaced)[0].terms["fr"] == ("convoi",)


def test_tbx_problems_are_all_reported() -> None:
    bad = b"""<tbx><text><body>
      <conceptEntry id="a"><langSec xml:lang="xx"><termSec><term>t</term></termSec></langSec>
      </conceptEntry>
      <conceptEntry><langSec xml:lang="en"/></conceptEntry>
    </body></text></tbx>"""
    with pytest.raises(GlossaryError) as caught:
        parse_tbx(bad)
    assert caught.value.problems[0].startswith("concept entry 1 (id 'a'): ")
    assert caught.value.problems[1] == "concept entry 2: no term in any language"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE tbx [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<tbx><text><body><conceptEntry><langSec xml:lang="en">
<termSec><term>&lol3;</term></termSec></langSec></conceptEntry></body></text></tbx>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE tbx [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<tbx><text><body><conceptEntry><langSec xml:lang="en">
<termSec><term>&secret;</term></termSec></langSec></conceptEntry></body></text></tbx>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">
<martif><text><body/></text></martif>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD])
def test_hostile_xml_is_refused(data: bytes) -> None:
    with pytest.raises(GlossaryError, match="forbidden XML feature"):
        parse_tbx(data)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<glossary/>", "not a TBX file"),
        (b"<tbx><text>", "not well-formed"),
        (b"<tbx>" + b"<a>" * 100 + b"</a>" * 100 + b"</tbx>", "deeper than"),
        (b"<tbx>" + b" " * (8 * 1024 * 1024) + b"</tbx>", "over the limit"),
    ],
)
def test_unreadable_tbx_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(GlossaryError, match=reason):
        parse_tbx(data)


# --- finding terms -----------------------------------------------------------------------------


def spans(text: str, language: str | None = None) -> list[tuple[str, str, str]]:
    return [
        (text[m.start : m.end], m.term, m.language) for m in find_terms(text, GLOSSARY, language)
    ]


def test_multi_word_terms_win_over_the_shorter_terms_inside_them() -> None:
    text = "Convoy on the Main  Supply\nRoute; the supply route north is closed."
    assert spans(text, "en") == [
        ("Main  Supply\nRoute", "main supply route", "en"),
        ("supply route", "supply route", "en"),
    ]


def test_abbreviations_match_whole_words_only() -> None:
    assert spans("MSR TAMPA open, MSRs and XMSR not.", "en") == [("MSR", "MSR", "en")]
    assert spans("Avoid MSR-Tampa.")[0][:2] == ("MSR", "MSR")


def test_french_accents_are_significant_and_case_is_not() -> None:
    text = "La Côte est tenue ; cote 304 prise. ITINÉRAIRE PRINCIPAL DE RAVITAILLEMENT coupé."
    assert spans(text, "fr") == [
        ("Côte", "côte", "fr"),
        ("cote", "cote", "fr"),
        ("ITINÉRAIRE PRINCIPAL DE RAVITAILLEMENT", "itinéraire principal de ravitaillement", "fr"),
    ]


def test_decomposed_accents_and_sharp_s_match() -> None:
    text = "La co\u0302te. Die HAUPTVERSORGUNGSSTRASSE ist frei."
    assert spans(text) == [
        ("co\u0302te", "côte", "fr"),
        ("HAUPTVERSORGUNGSSTRASSE", "Hauptversorgungsstraße", "de"),
    ]


def test_language_filter_and_all_languages() -> None:
    text = "MSR et itinéraire de ravitaillement"
    assert spans(text, "fr") == [
        ("itinéraire de ravitaillement", "itinéraire de ravitaillement", "fr")
    ]
    assert [found[0] for found in spans(text, None)] == ["MSR", "itinéraire de ravitaillement"]
    assert spans(text, "fra") == spans(text, "fr")
    assert spans(text, "pl") == []
    with pytest.raises(ValueError, match="unknown language"):
        spans(text, "klingon")


def test_homonyms_are_reported_once_per_entry() -> None:
    other = GlossaryEntry({"en": ("MSR",)}, definition="minimum safe range")
    matches = find_terms("MSR", [MSR, other], None)
    assert [m.entry for m in matches] == [MSR, other]


def test_a_long_message_against_thousands_of_entries_finds_every_term() -> None:
    # Speed is not asserted here (shared machines, coverage): 16 KB against 5,000 entries takes
    # about 0.2 s on the development machine.
    entries = [
        GlossaryEntry({"en": (f"grid {n} sector", f"G{n}"), "fr": (f"secteur {n}",)})
        for n in range(5000)
    ]
    index = GlossaryIndex(entries)
    text = ("Patrol from grid 17 sector to G4242 via secteur 99, then rest. " * 260)[:16384]
    matches = index.find(text, None)
    assert {m.term for m in matches} == {"grid 17 sector", "G4242", "secteur 99"}
    assert len(matches) == 3 * text.count("then rest.")


@given(
    text=st.text(max_size=300),
    terms=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=5),
    language=st.sampled_from([None, "en", "fr"]),
)
def test_find_terms_never_raises_and_spans_are_in_the_text(
    text: str, terms: list[str], language: str | None
) -> None:
    entries = [*GLOSSARY, GlossaryEntry({"en": tuple(terms), "fr": tuple(terms)})]
    previous_start = 0
    for match in find_terms(text + " " + terms[0], entries, language):
        assert previous_start <= match.start < match.end <= len(text) + 1 + len(terms[0])
        previous_start = match.start
