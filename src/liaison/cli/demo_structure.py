"""Demo organization and people (issue 4, item 12): a fictional multinational corps
headquarters in an exercise, with the liaison offices of seven nations, built through the
real actions so that every record is labelled, validated and audited as a user's would be.

Everything here is invented. The exercise, the corps and every person are fictional; the
national headquarters that send the offices are named as such headquarters are named.

Labels, so that the demo shows what a clearance decides:

- the structure (exercise, organizations, offices, posts, areas) is NATO UNCLASSIFIED,
  releasable to NATO and to the EU: the partner nation, Austria, has no "Releasable To" value
  of its own in the NATO policy, and its people read through their EU membership;
- people's records are NATO RESTRICTED releasable to NATO (the Austrian office's records also
  to the EU, so that its own people read them);
- a British post, its holder and an area are NATO SECRET releasable to GBR only, and an American
  post and its holder NATO SECRET releasable to USA only: a French officer sees no trace of them.

Dates are relative to the day of seeding, so some clearances and qualifications always expire
within the next 30 days and one clearance has just expired.
"""

from __future__ import annotations

import dataclasses
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.actions.organization import (
    Member,
    do_add_department,
    do_create_alliance,
    do_create_area,
    do_create_office,
    do_create_organization,
    do_create_post,
)
from liaison.actions.people import (
    do_accredit,
    do_add_qualification,
    do_assign,
    do_create_person,
    do_link_user,
    do_set_language,
    do_set_person_clearance,
)
from liaison.domain.accounts import SYSTEM, Principal, Role
from liaison.domain.clearances import NationalClearance
from liaison.security import Clearance, Label, LabelCategory, TagKind
from liaison.store.models import Alliance, Person, User

EXERCISE = "Exercise AMBER BASTION 26"
CORPS = "Multinational Corps Vistula"
RELEASABLE = "Releasable To"


def nato(classification: str, *releasable: str) -> Label:
    categories = (LabelCategory(RELEASABLE, TagKind.PERMISSIVE, frozenset(releasable)),)
    return Label("NATO", classification, categories if releasable else ())


STRUCTURE = nato("UNCLASSIFIED", "NATO", "EU")
PEOPLE = nato("RESTRICTED", "NATO")
PARTNER_PEOPLE = nato("RESTRICTED", "NATO", "EU")
GBR_SECRET = nato("SECRET", "GBR")
USA_SECRET = nato("SECRET", "USA")
# What a post's holder must be able to read.
NEEDS_SECRET = nato("SECRET", "NATO")
NEEDS_CONFIDENTIAL = nato("CONFIDENTIAL", "NATO")
NEEDS_RESTRICTED = nato("RESTRICTED", "NATO")
PARTNER_NEEDS = nato("CONFIDENTIAL", "EU")

# Seeding acts as the node (SYSTEM: the operator on the host is trusted), given for this run
# only a clearance that covers exactly the labels written here, since no one may write a label
# they could not read. No account holds this clearance, so nobody can sign in with it, and the
# demo accounts keep the clearances their linked people give them.
SEEDER: Principal = dataclasses.replace(
    SYSTEM,
    roles=frozenset({Role.ADMIN, Role.OFFICER, Role.SECURITY_OFFICER}),
    clearance=Clearance(
        "NATO",
        frozenset({"UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"}),
        {RELEASABLE: frozenset({"NATO", "EU", "GBR", "USA"})},
    ),
)

# --- nations ------------------------------------------------------------------------------------

RANK_TITLES: dict[str, dict[str, str]] = {
    "GBR": {
        "OF-6": "Brigadier", "OF-5": "Colonel", "OF-4": "Lieutenant Colonel", "OF-3": "Major",
        "OF-2": "Captain", "OF-1": "Lieutenant", "OR-9": "Warrant Officer Class 1",
        "OR-8": "Warrant Officer Class 2", "OR-7": "Staff Sergeant", "OR-6": "Sergeant",
    },
    "FRA": {
        "OF-6": "Général de brigade", "OF-5": "Colonel", "OF-4": "Lieutenant-colonel",
        "OF-3": "Commandant", "OF-2": "Capitaine", "OF-1": "Lieutenant", "OR-9": "Major",
        "OR-8": "Adjudant-chef", "OR-7": "Adjudant", "OR-6": "Sergent-chef",
    },
    "DEU": {
        "OF-6": "Brigadegeneral", "OF-5": "Oberst", "OF-4": "Oberstleutnant", "OF-3": "Major",
        "OF-2": "Hauptmann", "OF-1": "Oberleutnant", "OR-9": "Oberstabsfeldwebel",
        "OR-8": "Stabsfeldwebel", "OR-7": "Hauptfeldwebel", "OR-6": "Oberfeldwebel",
    },
    "USA": {
        "OF-6": "Brigadier General", "OF-5": "Colonel", "OF-4": "Lieutenant Colonel",
        "OF-3": "Major", "OF-2": "Captain", "OF-1": "First Lieutenant",
        "OR-9": "Sergeant Major", "OR-8": "Master Sergeant", "OR-7": "Sergeant First Class",
        "OR-6": "Staff Sergeant",
    },
    "POL": {
        "OF-6": "generał brygady", "OF-5": "pułkownik", "OF-4": "podpułkownik", "OF-3": "major",
        "OF-2": "kapitan", "OF-1": "porucznik", "OR-9": "starszy chorąży sztabowy",
        "OR-8": "starszy chorąży", "OR-7": "młodszy chorąży", "OR-6": "starszy sierżant",
    },
    "ITA": {
        "OF-6": "Generale di brigata", "OF-5": "Colonnello", "OF-4": "Tenente colonnello",
        "OF-3": "Maggiore", "OF-2": "Capitano", "OF-1": "Tenente", "OR-9": "Primo luogotenente",
        "OR-8": "Primo maresciallo", "OR-7": "Maresciallo capo", "OR-6": "Maresciallo ordinario",
    },
    "AUT": {
        "OF-6": "Brigadier", "OF-5": "Oberst", "OF-4": "Oberstleutnant", "OF-3": "Major",
        "OF-2": "Hauptmann", "OF-1": "Oberleutnant", "OR-9": "Vizeleutnant",
        "OR-8": "Offiziersstellvertreter", "OR-7": "Oberstabswachtmeister",
        "OR-6": "Stabswachtmeister",
    },
}  # fmt: skip


@dataclass(frozen=True)
class Nation:
    code: str
    sender: str  # the national headquarters or ministry that sends the office
    sender_kind: str
    location: tuple[float, float]
    time_zone: str
    office: str
    service: str
    domain: str  # for e-mail addresses
    language: str | None = None  # a working language beside English a post may need


NATIONS = (
    Nation("GBR", "Headquarters Field Army", "headquarters", (51.2089, -1.4895),
           "Europe/London", "UK Liaison Office", "British Army", "army.mod.uk"),
    Nation("FRA", "État-major de l'armée de Terre", "headquarters", (48.8356, 2.2786),
           "Europe/Paris", "Détachement de liaison français", "Armée de Terre",
           "def.gouv.fr", "fra"),
    Nation("DEU", "Kommando Heer", "headquarters", (52.5790, 13.8870), "Europe/Berlin",
           "Deutsches Verbindungskommando", "Heer", "bundeswehr.org", "deu"),
    Nation("USA", "U.S. Army Europe and Africa", "headquarters", (50.0490, 8.3250),
           "Europe/Berlin", "U.S. Liaison Element", "U.S. Army", "army.mil"),
    Nation("POL", "Dowództwo Generalne Rodzajów Sił Zbrojnych", "headquarters",
           (52.2100, 21.0350), "Europe/Warsaw", "Polski Zespół Łącznikowy", "Wojska Lądowe",
           "ron.mil.pl", "pol"),
    Nation("ITA", "Comando delle Forze Operative Terrestri", "headquarters", (41.8680, 12.4700),
           "Europe/Rome", "Cellula di collegamento italiana", "Esercito Italiano",
           "esercito.difesa.it"),
    Nation("AUT", "Bundesministerium für Landesverteidigung", "ministry", (48.1986, 16.3700),
           "Europe/Vienna", "Österreichisches Verbindungselement", "Bundesheer", "bmlv.gv.at",
           "deu"),
)  # fmt: skip
PARTNER = "AUT"  # not in NATO: its people hold no NATO releasability

DEPARTMENTS = ("Operations Coordination", "Intelligence", "Communications", "Logistics")

# --- posts ----------------------------------------------------------------------------------------

LNO_COURSE = "NATO Liaison Officer Course"
STAFF_COURSE = "NATO Staff Officer Orientation Course"
INTEL_COURSE = "NATO Intelligence Analyst Course"
CIS_COURSE = "NATO CIS Security Course"
LOG_COURSE = "NATO Logistics Staff Officer Course"
FDO_COURSE = "Foreign Disclosure Officer Certification"
SECURITY_COURSE = "NATO Security Officer Course"


@dataclass(frozen=True)
class PostSpec:
    key: str
    department: str
    title: str
    ranks: tuple[str, str]
    needs: Label
    languages: tuple[tuple[str, str], ...] = (("eng", "3/3/3/3"),)
    courses: tuple[str, ...] = ()
    national_superior: str | None = "snlo"  # None: the top of the national line
    alliance_superior: str = "dcos_ops"  # a corps staff post, or another post of the office
    label: Label | None = None  # None: the structure label


OFFICE_POSTS = (
    PostSpec("snlo", "Operations Coordination", "Senior National Liaison Officer",
             ("OF-5", "OF-5"), NEEDS_SECRET, (("eng", "3/3/3/3"),), (LNO_COURSE,),
             national_superior=None, alliance_superior="cos"),
    PostSpec("ops", "Operations Coordination", "Operations Liaison Officer", ("OF-3", "OF-4"),
             NEEDS_SECRET, (("eng", "3/3/3/3"),), (STAFF_COURSE, LNO_COURSE)),
    PostSpec("super", "Operations Coordination", "Office Superintendent", ("OR-7", "OR-9"),
             NEEDS_RESTRICTED, (("eng", "2/2/2/2"),), alliance_superior="snlo"),
    PostSpec("intel", "Intelligence", "Intelligence Liaison Officer", ("OF-2", "OF-3"),
             NEEDS_SECRET, (("eng", "3/3/3/3"),), (INTEL_COURSE,), alliance_superior="acos_int"),
    PostSpec("cis", "Communications", "CIS Liaison NCO", ("OR-6", "OR-8"), NEEDS_CONFIDENTIAL,
             (("eng", "2/2/2/2"),), (CIS_COURSE,), alliance_superior="ops"),
    PostSpec("log", "Logistics", "Logistics Liaison Officer", ("OF-1", "OF-3"),
             NEEDS_CONFIDENTIAL, (("eng", "3/2/3/2"),), (LOG_COURSE,),
             alliance_superior="acos_log"),
)  # fmt: skip

EXTRA_POSTS: dict[str, tuple[PostSpec, ...]] = {
    "GBR": (
        PostSpec("eyes", "Intelligence", "SO2 Intelligence (UK Eyes Only)", ("OF-3", "OF-4"),
                 GBR_SECRET, courses=(INTEL_COURSE,), alliance_superior="snlo",
                 label=GBR_SECRET),
    ),
    "USA": (
        PostSpec("fdo", "Operations Coordination", "Foreign Disclosure Officer",
                 ("OF-3", "OF-4"), NEEDS_SECRET, courses=(FDO_COURSE,),
                 alliance_superior="snlo"),
        PostSpec("special", "Intelligence", "Special Liaison Officer (US Only)",
                 ("OF-3", "OF-4"), USA_SECRET, alliance_superior="snlo", label=USA_SECRET),
    ),
    "DEU": (
        PostSpec("security", "Operations Coordination", "Security Officer", ("OF-3", "OF-4"),
                 NEEDS_SECRET, courses=(SECURITY_COURSE,), alliance_superior="snlo"),
    ),
}  # fmt: skip

# The corps staff, at the top of the alliance line.
STAFF_POSTS = (
    # key, title, rank range, alliance superior
    ("cos", "Chief of Staff", ("OF-6", "OF-7"), None),
    ("dcos_ops", "Deputy Chief of Staff Operations", ("OF-6", "OF-6"), "cos"),
    ("acos_int", "ACOS G2 Intelligence", ("OF-5", "OF-5"), "dcos_ops"),
    ("acos_log", "ACOS G4 Logistics", ("OF-5", "OF-5"), "cos"),
)

# --- people ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonSpec:
    nation: str
    family: str
    given: str
    rank: str
    post: str | None  # "NAT:key" for an office post, "staff:key" for the corps staff
    level: str | None = "SECRET"  # NATO level of the clearance (DEMO-GBR levels for GBR)
    expires: int = 900  # days from today; negative: expired
    languages: tuple[tuple[str, str], ...] = (("eng", "3/3/3/3"),)
    courses: tuple[tuple[str, int], ...] = ()  # course, days to expiry (0: no expiry)
    special: tuple[str, ...] = ()
    label: Label | None = None  # None: PEOPLE, or PARTNER_PEOPLE in the partner's office


PEOPLE_SPECS = (
    # Corps staff
    PersonSpec("DEU", "von Arnim", "Katharina", "OF-6", "staff:cos",
               languages=(("eng", "4/4/4/4"), ("deu", "5/5/5/5"), ("fra", "2/2/2/1"))),
    PersonSpec("USA", "Delgado", "Marcus", "OF-6", "staff:dcos_ops",
               languages=(("eng", "5/5/5/5"),), courses=((STAFF_COURSE, 0),)),
    PersonSpec("POL", "Wiśniewski", "Tomasz", "OF-5", "staff:acos_int",
               languages=(("eng", "3+/3/3+/3"), ("pol", "5/5/5/5"))),
    # GBR
    PersonSpec("GBR", "Pemberton", "Rupert", "OF-5", "GBR:snlo",
               languages=(("eng", "5/5/5/5"), ("fra", "3/3/3/2")), courses=((LNO_COURSE, 0),)),
    PersonSpec("GBR", "Hughes", "Eleanor", "OF-3", "GBR:ops",
               languages=(("eng", "5/5/5/5"), ("deu", "2+/2/2+/2")),
               courses=((STAFF_COURSE, 0), (LNO_COURSE, 21))),
    PersonSpec("GBR", "Okafor", "Daniel", "OR-8", "GBR:super", level="OFFICIAL",
               languages=(("eng", "5/5/5/5"),)),
    PersonSpec("GBR", "Fitzgerald", "Siobhan", "OF-2", "GBR:intel", expires=17,
               languages=(("eng", "5/5/5/5"), ("pol", "2/2/1+/1")), courses=((INTEL_COURSE, 0),)),
    PersonSpec("GBR", "Calloway", "James", "OR-6", "GBR:cis", courses=((CIS_COURSE, 12),)),
    PersonSpec("GBR", "Ashdown", "Victoria", "OF-4", "GBR:eyes", label=GBR_SECRET,
               courses=((INTEL_COURSE, 0),)),
    # FRA
    PersonSpec("FRA", "Lefèvre", "Anne-Sophie", "OF-5", "FRA:snlo",
               languages=(("fra", "5/5/5/5"), ("eng", "3+/3+/3+/3")), courses=((LNO_COURSE, 0),)),
    PersonSpec("FRA", "Marchand", "Julien", "OF-3", "FRA:ops",
               languages=(("fra", "5/5/5/5"), ("eng", "3/3/3/3"), ("deu", "2/2/2/2")),
               courses=((STAFF_COURSE, 0), (LNO_COURSE, 0))),
    PersonSpec("FRA", "Rousseau", "Nicolas", "OR-7", "FRA:super", level="CONFIDENTIAL",
               languages=(("fra", "5/5/5/5"), ("eng", "2/2/2/2"))),
    PersonSpec("FRA", "Benali", "Karim", "OF-1", "FRA:log", level="CONFIDENTIAL",
               languages=(("fra", "5/5/5/5"), ("eng", "3/2+/3/2")), courses=((LOG_COURSE, 26),)),
    PersonSpec("FRA", "Garnier", "Élodie", "OR-6", "FRA:cis", level="CONFIDENTIAL", expires=-9,
               languages=(("fra", "5/5/5/5"), ("eng", "2/2/2/2"))),
    # DEU
    PersonSpec("DEU", "Hoffmann", "Stefan", "OF-5", "DEU:snlo",
               languages=(("deu", "5/5/5/5"), ("eng", "4/4/4/3")), courses=((LNO_COURSE, 0),)),
    PersonSpec("DEU", "Brandt", "Markus", "OF-4", "DEU:security", level="TOP SECRET",
               special=("ATOMAL",), languages=(("deu", "5/5/5/5"), ("eng", "3/3/3/3")),
               courses=((SECURITY_COURSE, 0),)),
    PersonSpec("DEU", "Krüger", "Jana", "OF-3", "DEU:ops",
               languages=(("deu", "5/5/5/5"), ("eng", "3+/3/3/3"), ("pol", "3/2+/3/2")),
               courses=((STAFF_COURSE, 0), (LNO_COURSE, 0))),
    PersonSpec("DEU", "Schäfer", "Lukas", "OF-2", "DEU:intel", expires=28,
               languages=(("deu", "5/5/5/5"), ("eng", "3/3/3/3")), courses=((INTEL_COURSE, 0),)),
    PersonSpec("DEU", "Wagner", "Thomas", "OR-9", "DEU:super", level="CONFIDENTIAL",
               languages=(("deu", "5/5/5/5"), ("eng", "2/2/2/1+"))),
    PersonSpec("DEU", "Neumann", "Sabine", "OR-7", "DEU:cis", level="CONFIDENTIAL",
               languages=(("deu", "5/5/5/5"), ("eng", "2+/2/2/2")), courses=((CIS_COURSE, 0),)),
    # USA
    PersonSpec("USA", "Brooks", "Raymond", "OF-5", "USA:snlo",
               languages=(("eng", "5/5/5/5"), ("deu", "2/2/2/2")), courses=((LNO_COURSE, 0),)),
    PersonSpec("USA", "Whitaker", "Dana", "OF-4", "USA:fdo", languages=(("eng", "5/5/5/5"),),
               courses=((FDO_COURSE, 9),)),
    PersonSpec("USA", "Nguyen", "Kevin", "OF-3", "USA:ops",
               languages=(("eng", "5/5/5/5"), ("fra", "2/2/2/2")),
               courses=((STAFF_COURSE, 0), (LNO_COURSE, 0))),
    PersonSpec("USA", "Ramirez", "Teresa", "OR-8", "USA:super", level="CONFIDENTIAL",
               languages=(("eng", "5/5/5/5"), ("spa", "4/4/3/3"))),
    PersonSpec("USA", "Callahan", "Sean", "OF-3", "USA:special", label=USA_SECRET,
               languages=(("eng", "5/5/5/5"), ("pol", "3/3/2+/2"))),
    PersonSpec("USA", "Foster", "Brianna", "OF-2", "USA:log", level="CONFIDENTIAL", expires=6,
               languages=(("eng", "5/5/5/5"),), courses=((LOG_COURSE, 0),)),
    # POL
    PersonSpec("POL", "Kowalczyk", "Andrzej", "OF-5", "POL:snlo",
               languages=(("pol", "5/5/5/5"), ("eng", "3/3/3/3"), ("deu", "2/2/2/2")),
               courses=((LNO_COURSE, 0),)),
    PersonSpec("POL", "Nowak", "Magdalena", "OF-3", "POL:ops",
               languages=(("pol", "5/5/5/5"), ("eng", "3+/3/3/3")),
               courses=((STAFF_COURSE, 0), (LNO_COURSE, 14))),
    PersonSpec("POL", "Zieliński", "Piotr", "OF-2", "POL:intel",
               languages=(("pol", "5/5/5/5"), ("eng", "3/3/3/2+")), courses=((INTEL_COURSE, 0),)),
    PersonSpec("POL", "Lewandowski", "Marek", "OR-7", "POL:cis", level="CONFIDENTIAL",
               languages=(("pol", "5/5/5/5"), ("eng", "2/2/2/2")), courses=((CIS_COURSE, 0),)),
    PersonSpec("POL", "Dąbrowska", "Katarzyna", "OF-1", "POL:log", level="CONFIDENTIAL",
               languages=(("pol", "5/5/5/5"), ("eng", "3/3/3/3")), courses=((LOG_COURSE, 0),)),
    PersonSpec("POL", "Mazur", "Grzegorz", "OR-9", None, level="CONFIDENTIAL",
               languages=(("pol", "5/5/5/5"), ("eng", "2/2/1+/1+"))),
    # ITA
    PersonSpec("ITA", "Esposito", "Giuseppe", "OF-5", "ITA:snlo",
               languages=(("ita", "5/5/5/5"), ("eng", "3/3/3/3"), ("fra", "3/3/3/2")),
               courses=((LNO_COURSE, 0),)),
    PersonSpec("ITA", "Romano", "Chiara", "OF-3", "ITA:ops", expires=19,
               languages=(("ita", "5/5/5/5"), ("eng", "3/3/3/3")),
               courses=((STAFF_COURSE, 0), (LNO_COURSE, 0))),
    PersonSpec("ITA", "Ricci", "Davide", "OR-8", "ITA:super", level="CONFIDENTIAL",
               languages=(("ita", "5/5/5/5"), ("eng", "2/2/2/2"))),
    PersonSpec("ITA", "Greco", "Alessandro", "OF-2", "ITA:log", level="CONFIDENTIAL",
               languages=(("ita", "5/5/5/5"), ("eng", "3/2/3/2")), courses=((LOG_COURSE, 0),)),
    # AUT (partner)
    PersonSpec("AUT", "Huber", "Florian", "OF-4", "AUT:snlo", level="CONFIDENTIAL",
               languages=(("deu", "5/5/5/5"), ("eng", "3/3/3/3")), courses=((LNO_COURSE, 0),)),
    PersonSpec("AUT", "Gruber", "Verena", "OF-2", "AUT:ops", level="CONFIDENTIAL",
               languages=(("deu", "5/5/5/5"), ("eng", "3/3/3/3"), ("ita", "2/2/2/2")),
               courses=((STAFF_COURSE, 24),)),
    PersonSpec("AUT", "Pichler", "Martin", "OR-7", "AUT:cis", level="RESTRICTED",
               languages=(("deu", "5/5/5/5"), ("eng", "2/2/2/2"))),
)  # fmt: skip

# The demo accounts and the people they belong to (their clearance comes from the person).
ACCOUNT_PEOPLE = {
    "gbr.lno": ("GBR", "Hughes", "Eleanor"),
    "fra.lno": ("FRA", "Marchand", "Julien"),
    "usa.fdo": ("USA", "Whitaker", "Dana"),
    "deu.security": ("DEU", "Brandt", "Markus"),
}

# --- areas of responsibility ----------------------------------------------------------------------


def _polygon(*points: tuple[float, float]) -> dict[str, Any]:
    """A GeoJSON polygon from (longitude, latitude) points, closed."""
    ring = [list(point) for point in (*points, points[0])]
    return {"type": "Polygon", "coordinates": [ring]}


AREAS = (
    # office, name, geometry, label (None: the structure label)
    ("GBR", "UK liaison sector: Western Pomerania",
     _polygon((14.2, 53.4), (15.9, 53.2), (16.8, 53.6), (16.6, 54.3), (14.6, 54.1)), None),
    ("FRA", "Secteur de liaison français : Kujawy",
     _polygon((17.6, 52.6), (19.1, 52.5), (19.4, 53.1), (18.6, 53.5), (17.7, 53.2)), None),
    ("POL", "Strefa odpowiedzialności: Warmia i Mazury",
     _polygon((19.5, 53.4), (22.0, 53.3), (22.6, 54.3), (19.8, 54.4)), None),
    ("GBR", "Reserve collection area",
     _polygon((15.2, 53.5), (15.9, 53.5), (15.9, 53.8), (15.2, 53.8)), GBR_SECRET),
)  # fmt: skip

CORPS_LOCATION = (53.0138, 18.5984)  # a barracks in Toruń, Poland
CORPS_TIME_ZONE = "Europe/Warsaw"


# --- seeding --------------------------------------------------------------------------------------


def seed_structure(session: Session, origin: str, *, today: date | None = None) -> bool:
    """Build the demo organization and people; False (nothing done) if the exercise exists."""
    if session.scalar(select(Alliance.id).where(Alliance.name == EXERCISE)) is not None:
        return False
    _Builder(session, origin, today or datetime.now(UTC).date()).build()
    return True


def link_demo_accounts(session: Session) -> list[str]:
    """Link each demo account not yet linked to its person; return the usernames linked."""
    linked = []
    for username, (nation, family, given) in ACCOUNT_PEOPLE.items():
        user = session.scalar(select(User).where(User.username == username))
        person_id = session.scalar(
            select(Person.id).where(
                Person.nation == nation, Person.family_name == family, Person.given_names == given
            )
        )
        if user is None or person_id is None or user.person_id is not None:
            continue
        do_link_user(session, SEEDER, user.id, person_id)
        linked.append(username)
    return linked


class _Builder:
    def __init__(self, session: Session, origin: str, today: date) -> None:
        self.session = session
        self.origin = origin
        self.today = today
        self.offices: dict[str, uuid.UUID] = {}
        self.posts: dict[str, uuid.UUID] = {}  # "NAT:key" and "staff:key"
        self.corps = uuid.UUID(int=0)  # set by build()

    def days(self, count: int) -> date:
        return self.today + timedelta(days=count)

    def build(self) -> None:
        exercise = do_create_alliance(
            self.session,
            SEEDER,
            name=EXERCISE,
            kind="exercise",
            policy="NATO",
            label=STRUCTURE,
            members=[Member(n.code, self.days(-45), self.days(75)) for n in NATIONS],
            origin=self.origin,
        ).id
        nato_command = self.organization(
            "Allied Land Command", "international_organization", None, location=(38.4467, 27.1437),
            time_zone="Europe/Istanbul",
        )  # fmt: skip
        corps = self.organization(
            CORPS,
            "headquarters",
            None,
            parent_id=nato_command,
            alliance_id=exercise,
            location=CORPS_LOCATION,
            time_zone=CORPS_TIME_ZONE,
        )
        self.organization(
            "Forward Command Post DRAWSKO", "unit", None, parent_id=corps, alliance_id=exercise,
            location=(53.5330, 15.8080), time_zone=CORPS_TIME_ZONE,
        )  # fmt: skip
        self.corps = corps
        self.staff(nato_command, corps)
        for nation in NATIONS:
            sender = self.organization(
                nation.sender,
                nation.sender_kind,
                nation.code,
                location=nation.location,
                time_zone=nation.time_zone,
            )
            self.office(nation, sender, corps)
        for spec in PEOPLE_SPECS:
            self.person(spec)
        for office, name, geometry, label in AREAS:
            do_create_area(
                self.session,
                SEEDER,
                name=name,
                geometry=geometry,
                office_id=self.offices[office],
                label=label or STRUCTURE,
                origin=self.origin,
            )

    def organization(self, name: str, kind: str, nation: str | None, **given: Any) -> uuid.UUID:
        return do_create_organization(
            self.session,
            SEEDER,
            name=name,
            kind=kind,
            nation=nation,
            label=STRUCTURE,
            origin=self.origin,
            **given,
        ).id

    def staff(self, sender: uuid.UUID, corps: uuid.UUID) -> None:
        office = self.new_office("Corps Staff", sender, corps, PEOPLE, "staff")
        departments = {
            name: do_add_department(self.session, SEEDER, office, name, origin=self.origin).id
            for name in ("Command Group", "G2 Intelligence", "G4 Logistics")
        }
        where = {"cos": "Command Group", "dcos_ops": "Command Group"}
        where |= {"acos_int": "G2 Intelligence", "acos_log": "G4 Logistics"}
        for key, title, (low, high), superior in STAFF_POSTS:
            self.posts[f"staff:{key}"] = do_create_post(
                self.session,
                SEEDER,
                department_id=departments[where[key]],
                title=title,
                rank_min=low,
                rank_max=high,
                label=STRUCTURE,
                required_clearance=NEEDS_SECRET,
                required_languages=[("eng", "3/3/3/3")],
                required_qualifications=[STAFF_COURSE],
                alliance_superior_id=self.posts[f"staff:{superior}"] if superior else None,
                origin=self.origin,
            ).id

    def new_office(
        self, name: str, sender: uuid.UUID, host: uuid.UUID, people: Label, key: str
    ) -> uuid.UUID:
        office = do_create_office(
            self.session,
            SEEDER,
            name=name,
            sending_org_id=sender,
            host_org_id=host,
            label=STRUCTURE,
            default_label=people,  # what the office keeps is its people's records
            location=CORPS_LOCATION,
            time_zone=CORPS_TIME_ZONE,
            origin=self.origin,
        ).id
        self.offices[key] = office
        return office

    def office(self, nation: Nation, sender: uuid.UUID, corps: uuid.UUID) -> None:
        partner = nation.code == PARTNER
        office = self.new_office(
            nation.office, sender, corps, PARTNER_PEOPLE if partner else PEOPLE, nation.code
        )
        departments = {
            name: do_add_department(self.session, SEEDER, office, name, origin=self.origin).id
            for name in DEPARTMENTS
        }
        for spec in (*OFFICE_POSTS, *EXTRA_POSTS.get(nation.code, ())):
            languages = list(spec.languages)
            if nation.language and spec.key in ("snlo", "ops"):
                languages.append((nation.language, "3/3/3/3"))  # the national working language
            low, high = spec.ranks
            if partner and spec.key == "snlo":
                low = "OF-4"  # a smaller element, led one rank lower
            self.posts[f"{nation.code}:{spec.key}"] = do_create_post(
                self.session,
                SEEDER,
                department_id=departments[spec.department],
                title=spec.title,
                rank_min=low,
                rank_max=high,
                label=spec.label or STRUCTURE,
                required_clearance=PARTNER_NEEDS if partner else spec.needs,
                required_languages=languages,
                required_qualifications=list(spec.courses),
                alliance_superior_id=self.superior(nation.code, spec.alliance_superior),
                national_superior_id=(
                    self.superior(nation.code, spec.national_superior)
                    if spec.national_superior
                    else None
                ),
                origin=self.origin,
            ).id

    def superior(self, nation: str, key: str) -> uuid.UUID:
        return self.posts.get(f"{nation}:{key}") or self.posts[f"staff:{key}"]

    def person(self, spec: PersonSpec) -> None:
        nation = next(n for n in NATIONS if n.code == spec.nation)
        office = "staff" if spec.post and spec.post.startswith("staff:") else spec.nation
        default = PARTNER_PEOPLE if spec.nation == PARTNER else PEOPLE
        given = spec.given.split("-")[0].lower()
        person = do_create_person(
            self.session,
            SEEDER,
            family_name=spec.family,
            given_names=spec.given,
            rank_code=spec.rank,
            rank_title=RANK_TITLES[spec.nation][spec.rank],
            service=nation.service,
            nation=spec.nation,
            email=f"{given}.{_ascii(spec.family)}@{nation.domain}",
            phone=f"+48 56 610 {4000 + PEOPLE_SPECS.index(spec)}",
            office_id=self.offices[office],
            label=spec.label or default,
            origin=self.origin,
        ).id
        if spec.level is not None:
            # British clearances are granted under the national policy and carried to NATO's.
            policy = "DEMO-GBR" if spec.nation == "GBR" else "NATO"
            issued = self.days(spec.expires - 5 * 365)
            clearance = NationalClearance(
                policy, spec.level, frozenset(spec.special), issued, self.days(spec.expires)
            )
            do_set_person_clearance(self.session, SEEDER, person, clearance)
        for language, profile in spec.languages:
            do_set_language(self.session, SEEDER, person, language, profile)
        for course, expires_in in spec.courses:
            do_add_qualification(
                self.session,
                SEEDER,
                person,
                course=course,
                issuer="NATO School Oberammergau",
                completed_on=self.days(expires_in - 3 * 365 if expires_in else -400),
                expires_on=self.days(expires_in) if expires_in else None,
                origin=self.origin,
            )
        if spec.post is not None:
            do_accredit(
                self.session,
                SEEDER,
                person,
                self.corps,
                starts_on=self.days(-210),
                ends_on=self.days(75),
                origin=self.origin,
            )
            do_assign(
                self.session,
                SEEDER,
                person,
                self.posts[spec.post],
                starts_on=self.days(-200 + 7 * (PEOPLE_SPECS.index(spec) % 20)),
                origin=self.origin,
            )


def _ascii(name: str) -> str:
    """An e-mail local part from a family name: lower case, letters only, no diacritics."""
    decomposed = unicodedata.normalize("NFKD", name.replace("ł", "l").replace("Ł", "L"))
    return "".join(c for c in decomposed.lower() if c.isascii() and c.isalpha())
