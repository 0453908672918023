"""Demo reports (issue 5): a few days of the AMBER BASTION 26 exercise as the liaison offices
reported it, written through the real actions by the demo accounts themselves, so that every
report is labelled, rolled up, audited and distributed as a user's would be.

What the demo shows:

- every kind of report, in English and (the French office's) in French;
- portions under different labels; the overall label is their rollup, and "Releasable To"
  values intersect, so a portion is either without releasability (NATO UNCLASSIFIED, open to
  all) or carries exactly the releasability of the report's other portions;
- every state: drafts, reports waiting in a releasing officer's queue, released ones (one
  released to France but still waiting for the United States), one returned with comments,
  and a tear line made from a UK-only intelligence report for the French office;
- acknowledgements: one report whose acknowledgement was due yesterday (overdue for some
  readers) and others already acknowledged.

Everything is invented. Dates are hours before the moment of seeding.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison.actions.release import TearLinePortion, do_release, do_return, do_sanitize
from liaison.actions.reports import (
    Location,
    NewPortion,
    do_acknowledge,
    do_create_report,
    do_submit_report,
)
from liaison.cli.demo_structure import NATIONS, nato
from liaison.domain.accounts import Principal
from liaison.domain.reports import Audience, AudienceKind, ReportKind
from liaison.security import Label
from liaison.store.models import Office, Report, User
from liaison.store.types import utcnow

OPEN = nato("UNCLASSIFIED")  # no releasability: rolls up into any other portion's
RESTRICTED = nato("RESTRICTED", "NATO")
SECRET_GBR = nato("SECRET", "GBR")
SECRET_GBR_FRA = nato("SECRET", "GBR", "FRA")
SECRET_GBR_FRA_USA = nato("SECRET", "GBR", "FRA", "USA")
SECRET_USA_GBR = nato("SECRET", "USA", "GBR")
CONFIDENTIAL_FRA = nato("CONFIDENTIAL", "FRA")

# Who releases each author nation's reports (France has no releasing officer in the demo, so
# its reports stay within France or stay drafts).
RELEASING = {"GBR": "gbr.fdo", "USA": "usa.fdo"}
TEAR_LINE_TITLE = "Tear line: enemy reserve movement east of Drawsko"
TEAR_LINE_OF = "INTREP: reserve movement east of Drawsko (UK Eyes Only)"


@dataclass(frozen=True)
class Spec:
    """One demo report and what happens to it after it is written.

    `recipients` are "nation:FRA", "community:NATO" or "office:FRA" (that nation's office).
    `then` is "draft", "submit" (to the queue, or released at once if national only),
    "release" (everything), "release:FRA" (to that nation only) or "return".
    """

    author: str
    kind: ReportKind
    title: str
    hours_ago: int
    portions: tuple[tuple[str, Label | None], ...]
    fields: dict[str, str] = field(default_factory=dict)
    recipients: tuple[str, ...] = ()
    then: str = "release"
    ack_due_hours: int | None = None  # hours from now: negative is overdue
    acknowledged_by: tuple[str, ...] = ()
    location: tuple[float, float] | None = None
    comments: str = ""


def _sitrep(day: int, own: str, enemy: str, assessment: str) -> dict[str, str]:
    return {
        "period": f"D-{day} 0600Z to D-{day - 1} 0600Z",
        "own_forces": own,
        "opposing_forces": enemy,
        "logistics": "Class I and III stocks above 80 per cent.",
        "personnel": "No change.",
        "assessment": assessment,
    }


SPECS: tuple[Spec, ...] = (
    # --- the British office -------------------------------------------------------------------
    Spec("gbr.lno", ReportKind.SITREP, "UK LO daily SITREP, D-5", 120,
         (("1 UK Armoured Brigade completed its move into the Western Pomerania sector.", OPEN),
          ("Liaison with the corps G3 cell established; reporting lines tested.", RESTRICTED)),
         _sitrep(5, "Move complete.", "No contact.", "Ready for the exercise phase."),
         ("community:NATO",), acknowledged_by=("fra.lno",)),
    Spec("gbr.lno", ReportKind.SITREP, "UK LO daily SITREP, D-4", 96,
         (("Brigade battle group exercised a river crossing near Drawsko.", OPEN),
          ("Two bridging vehicles unserviceable; repair expected within 48 hours.", RESTRICTED)),
         _sitrep(4, "Crossing rehearsed.", "OPFOR reconnaissance seen.", "No impact."),
         ("community:NATO",), acknowledged_by=("fra.lno", "usa.fdo")),
    Spec("gbr.lno", ReportKind.SITREP, "UK LO daily SITREP, D-3", 72,
         (("Battle group holds the line of the river; OPFOR probes repelled.", OPEN),
          ("Fuel resupply delayed by road closures on the S10.", RESTRICTED)),
         _sitrep(3, "Holding.", "OPFOR probing in company strength.", "Fuel is the risk."),
         ("community:NATO",), ack_due_hours=-24, acknowledged_by=("usa.fdo",)),
    Spec("gbr.lno", ReportKind.SITREP, "UK LO daily SITREP, D-2", 48,
         (("OPFOR armour massing north of the training area.", OPEN),
          ("Corps reserve warned for a counter-attack task.", RESTRICTED)),
         _sitrep(2, "Defending.", "Armour massing.", "Counter-attack likely by D+1."),
         ("community:NATO",)),
    Spec("gbr.lno", ReportKind.SITREP, "UK LO daily SITREP, D-1", 24,
         (("Counter-attack rehearsal complete; brigade at one hour's notice.", OPEN),
          ("Casualty evacuation chain tested end to end.", RESTRICTED)),
         _sitrep(1, "Ready.", "Armour static.", "No change to the plan."),
         ("community:NATO",), then="submit"),
    Spec("gbr.lno", ReportKind.INTREP, "INTREP: OPFOR bridging equipment near Czaplinek", 60,
         (("A HUMINT source reports pontoon bridging stored in a farm east of Czaplinek.",
           SECRET_GBR_FRA),
          ("Imagery of the farm has been requested.", OPEN)),
         {"subject": "OPFOR bridging", "source_reliability": "B", "credibility": "2"},
         ("nation:FRA",), acknowledged_by=("fra.lno",), location=(53.558, 16.176)),
    Spec("gbr.lno", ReportKind.INTREP, TEAR_LINE_OF, 54,
         (("A UK-controlled source places the OPFOR reserve tank battalion at Kalisz Pomorski.",
           SECRET_GBR),
          ("Movement east is expected within 24 hours.", SECRET_GBR)),
         {"subject": "OPFOR reserve", "source_reliability": "A", "credibility": "2"},
         ("nation:GBR",), then="submit", location=(53.307, 15.905)),
    Spec("gbr.lno", ReportKind.INTREP, "INTREP: jamming of corps command nets", 30,
         (("Intermittent jamming of corps HF nets from a site south of Walcz.",
           SECRET_GBR_FRA_USA),
          ("Frequency changes were ordered at 0400Z.", OPEN)),
         {"subject": "Electronic warfare", "source_reliability": "C", "credibility": "3"},
         ("nation:FRA", "nation:USA"), then="release:FRA"),
    Spec("gbr.lno", ReportKind.SPOTREP, "SPOTREP: OPFOR helicopters over Mirosławiec", 40,
         (("Two OPFOR attack helicopters flew low west to east over Mirosławiec.", RESTRICTED),),
         {"observer": "UK LO vehicle patrol", "what": "2 x attack helicopters",
          "where": "Mirosławiec", "when": "0915Z", "action_taken": "Reported to corps G2"},
         ("community:NATO",), location=(53.341, 16.082)),
    Spec("gbr.lno", ReportKind.INCREP, "INCREP: road traffic accident on the S10", 36,
         (("A UK support vehicle left the road in icy conditions; the driver is unhurt.",
           RESTRICTED),),
         {"incident_type": "Road traffic accident", "when": "0630Z", "where": "S10 near Walcz",
          "casualties": "None", "damage": "Vehicle recovered", "action_taken": "Police informed"},
         ("nation:FRA",), then="return",
         comments="Add the vehicle registration and the recovery unit, then resubmit."),
    Spec("gbr.lno", ReportKind.SALUTE, "SALUTE: OPFOR reconnaissance troop at Złocieniec", 20,
         (("Reconnaissance troop with four wheeled vehicles observed in a wood line.",
           SECRET_GBR_FRA_USA),
          ("Observed by a UK patrol.", OPEN)),
         {"size": "Troop (4 vehicles)", "activity": "Observing the main supply route",
          "location": "Wood line 2 km north of Złocieniec", "unit": "OPFOR divisional recce",
          "time": "1420Z", "equipment": "Wheeled reconnaissance vehicles"},
         ("nation:FRA", "nation:USA"), then="submit", location=(53.553, 16.012)),
    Spec("gbr.lno", ReportKind.MEDEVAC, "MEDEVAC request: two casualties at Drawsko range", 28,
         (("Two exercise casualties, one urgent, at the range control tower.", RESTRICTED),),
         {"line1_location": "33U WV 86400 38900", "line2_frequency": "45.750 MHz, HOTEL 21",
          "line3_precedence": "1A, 1B", "line4_equipment": "A", "line5_patients": "1L, 1A",
          "line6_security": "N", "line7_marking": "C", "line8_nationality": "A",
          "line9_contamination": "N"},
         ("community:NATO",), ack_due_hours=48, location=(53.533, 15.808)),
    Spec("gbr.lno", ReportKind.FREETEXT, "Note for the French office: liaison visit", 16,
         (("The UK SNLO will visit the French office on D+1 at 1000Z.", SECRET_GBR_FRA),
          ("Agenda: fuel sharing and the counter-attack plan.", OPEN)),
         recipients=("office:FRA",), acknowledged_by=("fra.lno",)),
    Spec("gbr.lno", ReportKind.FREETEXT, "UK office internal: shift roster", 12,
         (("Night shift: Capt Fitzgerald; day shift: Maj Hughes.", RESTRICTED),),
         recipients=("office:GBR",), then="submit"),
    Spec("gbr.lno", ReportKind.FREETEXT, "Draft: handover notes for the relief in place", 6,
         (("Handover to the relieving UK liaison team planned for D+5.", RESTRICTED),),
         recipients=("community:NATO",), then="draft"),
    Spec("gbr.lno", ReportKind.INTREP, "Draft INTREP: OPFOR logistics node", 3,
         (("Possible OPFOR fuel point in the forest west of Kalisz Pomorski.", SECRET_GBR),),
         {"subject": "OPFOR logistics", "source_reliability": "D", "credibility": "4"},
         then="draft"),
    # --- the French office, in French -----------------------------------------------------------
    Spec("fra.lno", ReportKind.SITREP, "SITREP quotidien du détachement français, J-3", 70,
         (("Le groupement tactique a rejoint sa zone de déploiement en Kujawy.", OPEN),
          ("Deux véhicules de l'avant blindés en panne, réparation en cours.", CONFIDENTIAL_FRA)),
         {"period": "J-3 0600Z à J-2 0600Z", "own_forces": "Déploiement terminé.",
          "assessment": "Prêts pour la phase d'exercice."},
         ("nation:FRA",)),
    Spec("fra.lno", ReportKind.SITREP, "SITREP quotidien du détachement français, J-2", 46,
         (("Reconnaissance des itinéraires vers Toruń effectuée.", OPEN),
          ("Ravitaillement en carburant assuré par la base de soutien.", CONFIDENTIAL_FRA)),
         {"period": "J-2 0600Z à J-1 0600Z", "own_forces": "En position.",
          "logistics": "Carburant suffisant pour 72 heures."},
         ("office:FRA",)),
    Spec("fra.lno", ReportKind.SPOTREP, "SPOTREP : drone ennemi au-dessus de Chełmno", 34,
         (("Un drone de reconnaissance ennemi a survolé le pont de Chełmno.", CONFIDENTIAL_FRA),),
         {"observer": "Patrouille du détachement", "what": "1 drone de reconnaissance",
          "where": "Pont de Chełmno", "when": "1105Z"},
         ("nation:FRA",), location=(53.348, 18.424)),
    Spec("fra.lno", ReportKind.INCREP, "INCREP : incendie dans le camp de Toruń", 26,
         (("Départ de feu dans une tente de stockage, maîtrisé en 20 minutes.", OPEN),),
         {"incident_type": "Incendie", "when": "2210Z", "where": "Camp de Toruń",
          "casualties": "Aucune", "damage": "Une tente détruite"},
         ("nation:FRA",)),
    Spec("fra.lno", ReportKind.SALUTE, "SALUTE : section ennemie près de Grudziądz", 14,
         (("Une section d'infanterie ennemie creuse des positions sur la rive est.",
           CONFIDENTIAL_FRA),),
         {"size": "Section", "activity": "Organisation du terrain", "location": "Rive est",
          "unit": "Inconnue", "time": "0800Z", "equipment": "Armement léger"},
         ("nation:FRA",), then="draft"),
    Spec("fra.lno", ReportKind.FREETEXT, "Brouillon : compte rendu de la réunion de coordination",
         8, (("Points à traiter avec le bureau britannique : partage du carburant.", OPEN),),
         then="draft"),
    # --- the American element -------------------------------------------------------------------
    Spec("usa.lno", ReportKind.SITREP, "US LE daily SITREP, D-3", 68,
         (("US aviation task force arrived at the forward operating base.", OPEN),
          ("Aircraft availability at 85 per cent.", RESTRICTED)),
         _sitrep(3, "Aviation task force in place.", "No contact.", "Fully mission capable."),
         ("community:NATO",), acknowledged_by=("gbr.lno",)),
    Spec("usa.lno", ReportKind.SALUTE, "SALUTE: OPFOR air defence battery near Wałcz", 44,
         (("Short-range air defence battery deployed on high ground south-west of Wałcz.",
           SECRET_USA_GBR),
          ("Seen from a US reconnaissance flight.", OPEN)),
         {"size": "Battery (4 launchers)", "activity": "Deployed, radar emitting",
          "location": "Hill 152 south-west of Wałcz", "unit": "OPFOR air defence regiment",
          "time": "1310Z", "equipment": "Short-range SAM launchers"},
         ("nation:GBR",), acknowledged_by=("gbr.lno",), location=(53.252, 16.398)),
    Spec("usa.lno", ReportKind.MEDEVAC, "MEDEVAC request: aviation mechanic injured", 32,
         (("One aviation mechanic with a hand injury at the forward operating base.",
           RESTRICTED),),
         {"line1_location": "33U XV 12300 45600", "line2_frequency": "38.900 MHz, DUSTOFF 6",
          "line3_precedence": "1C", "line4_equipment": "A", "line5_patients": "1A",
          "line6_security": "N", "line7_marking": "B", "line8_nationality": "A"},
         ("community:NATO",)),
    Spec("usa.lno", ReportKind.INTREP, "INTREP: OPFOR air activity pattern", 18,
         (("OPFOR helicopters fly at dawn along the Drawa valley.", RESTRICTED),),
         {"subject": "OPFOR aviation", "source_reliability": "B", "credibility": "3"},
         ("community:NATO",), then="submit"),
    Spec("usa.lno", ReportKind.INCREP, "INCREP: vehicle fire at the fuel point", 10,
         (("A fuel truck caught fire; extinguished by the crew.", OPEN),),
         {"incident_type": "Vehicle fire", "when": "0240Z", "where": "US fuel point",
          "casualties": "None", "damage": "Fuel truck written off"},
         ("nation:USA",)),
    Spec("usa.lno", ReportKind.FREETEXT, "Draft: US LE notes for the corps commander", 4,
         (("Proposed aviation support to the counter-attack.", RESTRICTED),),
         then="draft"),
)  # fmt: skip


def seed_reports(session: Session, origin: str) -> int:
    """Write the demo reports once (none if any report exists, so that seeding again, or a
    node in use, is left alone); return how many were written, tear line included."""
    if session.scalar(select(func.count()).select_from(Report)):
        return 0
    names = {*(spec.author for spec in SPECS), *RELEASING.values(), "fra.lno"}
    principals = _principals(session, names)
    if len(principals) != len(names):
        return 0  # a demo account is missing: nobody to write as
    offices = _offices(session)
    now = utcnow().replace(second=0, microsecond=0)
    written: dict[str, uuid.UUID] = {}
    for spec in SPECS:
        written[spec.title] = _write(session, spec, principals, offices, now, origin)
    _tear_line(session, principals["gbr.fdo"], written[TEAR_LINE_OF], now, origin)
    return len(written) + 1


def _principals(session: Session, usernames: set[str]) -> dict[str, Principal]:
    users = session.scalars(select(User).where(User.username.in_(usernames)))
    return {user.username: user.principal() for user in users}


def _offices(session: Session) -> dict[str, uuid.UUID]:
    by_name = dict(session.execute(select(Office.name, Office.id)).all())
    return {nation.code: by_name[nation.office] for nation in NATIONS}


def _audience(entry: str, offices: dict[str, uuid.UUID]) -> Audience:
    kind, value = entry.split(":")
    if kind == "office":
        return Audience(AudienceKind.OFFICE, str(offices[value]))
    return Audience(AudienceKind(kind), value)


def _write(
    session: Session,
    spec: Spec,
    principals: dict[str, Principal],
    offices: dict[str, uuid.UUID],
    now: datetime,
    origin: str,
) -> uuid.UUID:
    author = principals[spec.author]
    report = do_create_report(
        session,
        author,
        kind=spec.kind,
        title=spec.title,
        office_id=offices[author.nation],
        dtg=now - timedelta(hours=spec.hours_ago),
        portions=[NewPortion(text, label) for text, label in spec.portions],
        fields=spec.fields,
        locations=[Location(*spec.location)] if spec.location else (),
        recipients=[_audience(entry, offices) for entry in spec.recipients],
        ack_by=None if spec.ack_due_hours is None else now + timedelta(hours=spec.ack_due_hours),
        origin=origin,
    )
    if spec.then == "draft":
        return report.id
    do_submit_report(session, author, report.id)
    officer = principals.get(RELEASING.get(author.nation, ""))
    if report.state == "submitted" and officer is not None:
        if spec.then == "release":
            do_release(session, officer, report.id, reason="Releasable as written.")
        elif spec.then.startswith("release:"):
            target = Audience(AudienceKind.NATION, spec.then.split(":")[1])
            do_release(session, officer, report.id, targets=[target], reason="Time-critical.")
        elif spec.then == "return":
            do_return(session, officer, report.id, comments=spec.comments)
    for reader in spec.acknowledged_by:
        do_acknowledge(session, principals[reader], report.id)
    return report.id


def _tear_line(
    session: Session, officer: Principal, original: uuid.UUID, now: datetime, origin: str
) -> None:
    """The UK-only INTREP, sanitized for the French office: the fact kept, the source gone."""
    do_sanitize(
        session,
        officer,
        original,
        title=TEAR_LINE_TITLE,
        portions=[
            TearLinePortion(
                SECRET_GBR_FRA, text="The OPFOR reserve tank battalion is near Kalisz Pomorski."
            ),
            TearLinePortion(SECRET_GBR_FRA, from_position=2),
        ],
        recipients=[Audience(AudienceKind.NATION, "FRA")],
        fields={"subject": "OPFOR reserve", "source_reliability": "F", "credibility": "2"},
        dtg=now - timedelta(hours=50),
        reason="Source removed; the French office holds the sector the reserve may enter.",
        origin=origin,
    )
