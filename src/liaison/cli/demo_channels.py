"""Demo channels (issue 6): the liaison offices of AMBER BASTION 26 talking, written through the
real actions by the demo accounts themselves, so that every channel and message is labelled,
bounded by its channel's ceiling, audited and streamed as a user's would be.

What the demo shows:

- a corps-wide net for every exercise nation (the Austrian partner reads through "EU"), a
  UK-FR bilateral channel and a topic channel whose members are offices;
- English and French side by side, each message on its own label: the channel's default,
  NATO SECRET releasable to GBR and FRA, and NATO SECRET for GBR only, which the French
  officer sharing the channel never sees;
- a thread with replies, a mention, an edited message, an IMMEDIATE that readers
  acknowledged and a FLASH that nobody has acknowledged yet (so it is chased);
- a glossary for the UK office, so that "MSR" or "itinéraire principal de ravitaillement" is
  explained in the message that uses it.

Everything is invented. Messages are posted at the moment of seeding.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison.actions.channels import (
    do_acknowledge_message,
    do_create_channel,
    do_edit_message,
    do_post_message,
)
from liaison.actions.glossary import do_import_glossary
from liaison.cli.demo_structure import NATIONS, nato
from liaison.domain.accounts import Principal
from liaison.domain.audience import Audience, AudienceKind
from liaison.domain.channels import ChannelKind, Precedence
from liaison.domain.glossary import GlossaryEntry
from liaison.security import Label
from liaison.store.models import Channel, Office, User

OPEN = nato("UNCLASSIFIED")  # no releasability: open to every reader of the channel
CORPS_LABEL = nato("UNCLASSIFIED", "NATO", "EU")  # the partner's people read through the EU
CORPS_DEFAULT = nato("RESTRICTED", "NATO", "EU")
CORPS_CEILING = nato("SECRET", "NATO", "EU")
BILATERAL_LABEL = nato("UNCLASSIFIED", "GBR", "FRA")
BILATERAL_DEFAULT = nato("RESTRICTED", "GBR", "FRA")
SECRET_GBR_FRA = nato("SECRET", "GBR", "FRA")
SECRET_GBR = nato("SECRET", "GBR")
TOPIC_CEILING = nato("SECRET", "NATO")

CORPS_NET = "AMBER BASTION 26 corps liaison net"
BILATERAL = "UK-FR bilateral liaison"
TOPIC = "Fuel and the main supply route"


@dataclass(frozen=True)
class ChannelSpec:
    """One demo channel; `members` are "nation:FRA" or "office:FRA" (that nation's office),
    `office` the nation whose office owns it (None: a corps-wide channel, labelled only)."""

    name: str
    kind: ChannelKind
    creator: str
    label: Label
    ceiling: Label
    default: Label
    members: tuple[str, ...]
    office: str | None = None
    description: str = ""


CHANNELS: tuple[ChannelSpec, ...] = (
    ChannelSpec(
        CORPS_NET, ChannelKind.ALLIANCE, "gbr.lno", CORPS_LABEL, CORPS_CEILING, CORPS_DEFAULT,
        tuple(f"nation:{nation.code}" for nation in NATIONS),
        description="Every liaison office of the exercise and the corps staff.",
    ),
    ChannelSpec(
        BILATERAL, ChannelKind.ACTIVITY, "gbr.lno", BILATERAL_LABEL, SECRET_GBR_FRA,
        BILATERAL_DEFAULT, ("nation:GBR", "nation:FRA"), office="GBR",
        description="Coordination between the UK office and the French detachment.",
    ),
    ChannelSpec(
        TOPIC, ChannelKind.TOPIC, "gbr.lno", CORPS_LABEL, TOPIC_CEILING, OPEN,
        ("office:GBR", "office:FRA", "office:USA"), office="GBR",
        description="Fuel states, road closures and convoys on the corps MSR.",
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Post:
    """One demo message. `key` names it for a later reply (`reply_to`); `edited_to` is what
    its author changed it to; `acknowledged_by` are the readers who acknowledged it."""

    channel: str
    author: str
    body: str
    label: Label | None = None  # None: the channel's default
    key: str = ""
    reply_to: str | None = None
    precedence: Precedence = Precedence.ROUTINE
    ack_required: bool = False
    acknowledged_by: tuple[str, ...] = ()
    edited_to: str | None = None


POSTS: tuple[Post, ...] = (
    # --- the corps net ------------------------------------------------------------------------
    Post(CORPS_NET, "gbr.lno",
         "Good morning all. Corps battle rhythm update at 0800Z; liaison officers please dial in."),
    Post(CORPS_NET, "fra.lno",
         "Bien reçu. Le détachement français sera présent à la mise à jour de 0800Z."),
    Post(CORPS_NET, "usa.fdo",
         "US LE will join. The aviation task force briefing is at 1500Z in the main tent.",
         edited_to="US LE will join. The aviation task force briefing moves to 1600Z in the "
                   "main tent."),
    Post(CORPS_NET, "gbr.lno",
         "Fuel resupply on the MSR is delayed by road closures on the S10 near Walcz.",
         key="fuel"),
    Post(CORPS_NET, "fra.lno",
         "Le détachement français peut céder 20 000 litres de gazole au point de ravitaillement "
         "de Toruń.", reply_to="fuel"),
    Post(CORPS_NET, "usa.fdo",
         "Noted. US convoys will use the alternate route through Mirosławiec until the S10 "
         "reopens.", reply_to="fuel"),
    Post(CORPS_NET, "gbr.fdo",
         "UK only: 1 UK Armoured Brigade reserve stays at one hour's notice to move until D+2.",
         SECRET_GBR),
    Post(CORPS_NET, "gbr.fdo",
         "Corps orders group brought forward to 1400Z. Liaison officers acknowledge, please.",
         precedence=Precedence.IMMEDIATE, ack_required=True,
         acknowledged_by=("gbr.lno", "fra.lno", "usa.fdo")),
    # --- UK-FR bilateral ----------------------------------------------------------------------
    Post(BILATERAL, "gbr.lno",
         "A source reports OPFOR pontoon bridging stored in a farm east of Czaplinek. Imagery "
         "has been requested.", SECRET_GBR_FRA, key="bridging"),
    Post(BILATERAL, "fra.lno",
         "Merci. Nos drones peuvent survoler la ferme demain matin à l'aube.", SECRET_GBR_FRA,
         reply_to="bridging"),
    Post(BILATERAL, "gbr.lno",
         "UK eyes only: the source is UK-controlled; do not pass the sourcing to the French "
         "detachment.", SECRET_GBR),
    Post(BILATERAL, "gbr.lno",
         "@fra.lno pouvez-vous confirmer le partage de carburant sur l'itinéraire principal de "
         "ravitaillement pour J+1 ?"),
    Post(BILATERAL, "fra.lno",
         "Oui, confirmé : 20 000 litres disponibles à J+1, livraison au point de ravitaillement "
         "de Toruń."),
    Post(BILATERAL, "gbr.fdo",
         "The bridging INTREP goes to the French office today; the source detail stays UK only.",
         SECRET_GBR),
    # --- the topic channel --------------------------------------------------------------------
    Post(TOPIC, "usa.fdo",
         "MSR status: S10 closed between Walcz and Mirosławiec until 1800Z; use the alternate "
         "route."),
    Post(TOPIC, "fra.lno",
         "Itinéraire principal de ravitaillement : le pont de Chełmno est de nouveau ouvert "
         "aux convois."),
    Post(TOPIC, "gbr.lno",
         "UK fuel state at the forward operating base is 60 per cent; the next convoy leaves at "
         "2100Z.", SECRET_GBR_FRA),
    # --- last: the FLASH nobody has acknowledged yet -----------------------------------------
    Post(CORPS_NET, "gbr.lno",
         "FLASH: OPFOR armour crossing the Drawa at grid 33U WV 8640 3890, heading west. All "
         "liaison offices acknowledge immediately.",
         precedence=Precedence.FLASH, ack_required=True),
)  # fmt: skip


def _term(
    en: tuple[str, ...], fr: tuple[str, ...], de: tuple[str, ...], definition: str
) -> GlossaryEntry:
    return GlossaryEntry({"en": en, "fr": fr, "de": de}, definition)


GLOSSARY: tuple[GlossaryEntry, ...] = (
    _term(("main supply route", "MSR"), ("itinéraire principal de ravitaillement", "IPR"),
          ("Hauptversorgungsweg",),
          "The route designated within an area of operations on which the bulk of traffic "
          "flows in support of military operations."),
    _term(("alternate supply route", "ASR"), ("itinéraire de ravitaillement de dégagement",),
          ("Ausweichversorgungsweg",),
          "A route that replaces or relieves the main supply route when it is blocked."),
    _term(("forward operating base", "FOB"), ("base opérationnelle avancée", "BOA"),
          ("vorgeschobene Operationsbasis",),
          "A secured forward position used to support tactical operations."),
    _term(("line of departure", "LD"), ("ligne de débouché",), ("Angriffslinie",),
          "A line designated to coordinate the departure of attack elements."),
    _term(("rules of engagement", "ROE"), ("règles d'engagement", "ROE"), ("Einsatzregeln",),
          "Directives that define when and how force may be used."),
    _term(("casualty evacuation", "CASEVAC"), ("évacuation des blessés",),
          ("Verwundetentransport",),
          "Moving casualties, without medical care en route, to a treatment facility."),
    _term(("medical evacuation", "MEDEVAC"), ("évacuation sanitaire", "EVASAN"),
          ("medizinische Evakuierung", "MedEvac"),
          "Moving casualties under medical care to and between treatment facilities."),
    _term(("liaison officer", "LNO", "LO"), ("officier de liaison", "OL"),
          ("Verbindungsoffizier",),
          "An officer who keeps contact between two headquarters or units."),
    _term(("area of responsibility", "AOR"), ("zone de responsabilité",),
          ("Verantwortungsbereich",),
          "The area in which a commander is responsible for operations."),
    _term(("command post", "CP"), ("poste de commandement", "PC"), ("Gefechtsstand",),
          "The place from which a commander exercises command in the field."),
    _term(("assembly area",), ("zone de regroupement",), ("Verfügungsraum",),
          "An area where a force prepares or regroups before further action."),
    _term(("relief in place", "RIP"), ("relève sur position",), ("Ablösung",),
          "Replacing a unit in its position by an incoming unit that takes over its tasks."),
    _term(("counter-attack",), ("contre-attaque",), ("Gegenangriff",),
          "An attack against an enemy attacking force, to regain ground or destroy it."),
    _term(("opposing forces", "OPFOR"), ("forces adverses", "FORAD"), ("Feinddarstellung",),
          "The forces playing the enemy in an exercise."),
    _term(("supply point",), ("point de ravitaillement",), ("Versorgungspunkt",),
          "A place where supplies are issued to units."),
)  # fmt: skip


def seed_channels(session: Session, origin: str) -> int:
    """Write the demo channels, messages and the UK office's glossary once (nothing if any
    channel exists, so that seeding again, or a node in use, is left alone); return how many
    messages were posted."""
    if session.scalar(select(func.count()).select_from(Channel)):
        return 0
    names = {spec.creator for spec in CHANNELS} | {post.author for post in POSTS}
    names |= {reader for post in POSTS for reader in post.acknowledged_by}
    users = session.scalars(select(User).where(User.username.in_(names)))
    principals = {user.username: user.principal() for user in users}
    if len(principals) != len(names):
        return 0  # a demo account is missing: nobody to write as
    offices = _offices(session)
    channels = {
        spec.name: _channel(session, spec, principals[spec.creator], offices, origin)
        for spec in CHANNELS
    }
    posted: dict[str, uuid.UUID] = {}
    for post in POSTS:
        author = principals[post.author]
        message = do_post_message(
            session,
            author,
            channels[post.channel],
            body=post.body,
            label=post.label,
            precedence=post.precedence,
            ack_required=post.ack_required,
            thread_id=posted[post.reply_to] if post.reply_to else None,
            origin=origin,
        )
        if post.key:
            posted[post.key] = message.id
        if post.edited_to:
            do_edit_message(session, author, message.id, body=post.edited_to)
        for reader in post.acknowledged_by:
            do_acknowledge_message(session, principals[reader], message.id)
    do_import_glossary(session, principals["gbr.lno"], offices["GBR"], GLOSSARY, origin=origin)
    return len(POSTS)


def _offices(session: Session) -> dict[str, uuid.UUID]:
    by_name = dict(session.execute(select(Office.name, Office.id)).all())
    return {nation.code: by_name[nation.office] for nation in NATIONS}


def _channel(
    session: Session,
    spec: ChannelSpec,
    creator: Principal,
    offices: dict[str, uuid.UUID],
    origin: str,
) -> uuid.UUID:
    members = []
    for entry in spec.members:
        kind, value = entry.split(":")
        if kind == "office":
            members.append(Audience(AudienceKind.OFFICE, str(offices[value])))
        else:
            members.append(Audience(AudienceKind(kind), value))
    return do_create_channel(
        session,
        creator,
        name=spec.name,
        kind=spec.kind,
        ceiling=spec.ceiling,
        office_id=offices[spec.office] if spec.office else None,
        label=spec.label,
        default_label=spec.default,
        description=spec.description,
        members=members,
        origin=origin,
    ).id
