"""Building the structure: alliances, organizations, liaison offices, departments, posts, areas.

Who may write: administrators set up the frame (alliances, organizations, offices), because it
carries node-wide choices (the policy an alliance's information uses, an office's default label).
Administrators and officers shape the inside of an office (departments, posts, areas of
responsibility), the everyday work of an office's chief. Until accounts are linked to the people
who hold posts, an officer may do so in any office they can see.

Every record an action refers to (a parent, a host, a superior post) must be one the actor can
see, or it is NotFound exactly as a missing one: writes cannot be used to probe for records.
Every label a record gets goes through `prepare_label` (valid, and no write-up).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from itertools import pairwise
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from liaison.actions.policies import label_or_office_default, prepare_label
from liaison.actions.recording import record
from liaison.actions.sight import seen, visible_row
from liaison.domain import geo
from liaison.domain.accounts import Principal, Role
from liaison.domain.errors import Conflict, Invalid, NotFound, Stale
from liaison.domain.languages import LanguageProfile, normalize_language
from liaison.domain.nations import normalize_nation
from liaison.domain.ranks import RankCode, RankRange
from liaison.security import Label
from liaison.store.labels import authority_of
from liaison.store.models import (
    Alliance,
    AllianceMember,
    Area,
    Department,
    Office,
    Organization,
    Post,
)

ALLIANCE_KINDS = ("alliance", "coalition", "peacekeeping_mission", "exercise")
ORGANIZATION_KINDS = (
    "headquarters",
    "unit",
    "ministry",
    "agency",
    "ngo",
    "local_authority",
    "international_organization",
)
MAX_NAME = 200  # the width of every name and title column


class Member(NamedTuple):
    """A nation's membership of an alliance, from `joined_on` until `left_on` (both included)."""

    nation: str
    joined_on: date
    left_on: date | None = None


class LanguageRequirement(NamedTuple):
    """A language a post's holder needs, at least at `minimum` (a STANAG 6001 profile)."""

    language: str
    minimum: str


# --- alliances --------------------------------------------------------------------------------


def do_create_alliance(
    session: Session,
    actor: Principal,
    *,
    name: str,
    kind: str,
    policy: str,
    label: Label,
    members: Sequence[Member | tuple[str, date, date | None]] = (),
    origin: str,
) -> Alliance:
    actor.require(Role.ADMIN)
    title = _name(name, "name")
    _choice(kind, ALLIANCE_KINDS, "kind")
    policy_name = _known_policy(session, policy)
    memberships = _memberships([Member(*member) for member in members])
    stored = prepare_label(session, actor, label)
    alliance = Alliance(
        name=title,
        kind=kind,
        policy=policy_name,
        label_id=stored.id,
        origin=origin,
        created_by=actor.user_id,
    )
    try:
        with session.begin_nested():  # another administrator may take the name concurrently
            session.add(alliance)
            session.flush()
    except IntegrityError:
        raise Conflict(f"an alliance named {title!r} already exists") from None
    session.add_all(
        AllianceMember(
            alliance_id=alliance.id, nation=m.nation, joined_on=m.joined_on, left_on=m.left_on
        )
        for m in memberships
    )
    _record(session, actor, "alliance.create", alliance.id, stored.id, {"kind": kind})
    return alliance


def _known_policy(session: Session, policy: str) -> str:
    authority = authority_of(session)
    authority.refresh(session, at_once=False)
    known = authority.registry.get(policy)
    if known is None:
        raise Invalid(f"unknown policy {policy!r}: not installed on this node", field="policy")
    return known.name


def _memberships(members: list[Member]) -> list[Member]:
    """Nations normalized; each period starts before it ends; one nation's periods are apart."""
    checked = []
    for member in members:
        nation = _nation(member.nation, "members")
        if member.left_on is not None and member.left_on < member.joined_on:
            raise Invalid(
                f"{nation} cannot leave on {member.left_on} before joining on {member.joined_on}",
                field="members",
            )
        checked.append(member._replace(nation=nation))
    checked.sort(key=lambda m: (m.nation, m.joined_on))
    for earlier, later in pairwise(checked):
        if earlier.nation == later.nation and (
            earlier.left_on is None or earlier.left_on >= later.joined_on
        ):
            raise Invalid(
                f"{later.nation}'s memberships from {earlier.joined_on} and from "
                f"{later.joined_on} overlap",
                field="members",
            )
    return checked


# --- organizations ----------------------------------------------------------------------------


def do_create_organization(
    session: Session,
    actor: Principal,
    *,
    name: str,
    kind: str,
    nation: str | None,
    label: Label,
    parent_id: uuid.UUID | None = None,
    alliance_id: uuid.UUID | None = None,
    location: tuple[float, float] | str | None = None,
    time_zone: str | None = None,
    origin: str,
) -> Organization:
    """`nation` None: an international body. `location`: (latitude, longitude) or MGRS."""
    actor.require(Role.ADMIN)
    title = _name(name, "name")
    _choice(kind, ORGANIZATION_KINDS, "kind")
    nation_code = _nation(nation, "nation") if nation is not None else None
    position = _position(location)
    zone = _time_zone(time_zone)
    if parent_id is not None:
        seen(session, actor, Organization, parent_id, "parent organization")
    if alliance_id is not None:
        seen(session, actor, Alliance, alliance_id, "alliance")
    stored = prepare_label(session, actor, label)
    organization = Organization(
        name=title,
        kind=kind,
        nation=nation_code,
        parent_id=parent_id,
        alliance_id=alliance_id,
        latitude=position.lat if position else None,
        longitude=position.lon if position else None,
        time_zone=zone,
        label_id=stored.id,
        origin=origin,
        created_by=actor.user_id,
    )
    session.add(organization)
    session.flush()
    _record(session, actor, "organization.create", organization.id, stored.id, {"kind": kind})
    return organization


def do_move_organization(
    session: Session,
    actor: Principal,
    organization_id: uuid.UUID,
    new_parent_id: uuid.UUID | None,
    *,
    expected_version: int | None = None,
) -> Organization:
    """Put an organization under another (or at the top, with None); cycles are refused."""
    actor.require(Role.ADMIN)
    organization = seen(session, actor, Organization, organization_id, "organization", lock=True)
    _check_version(organization, expected_version)
    if new_parent_id is not None:
        parent = seen(session, actor, Organization, new_parent_id, "parent organization")
        if _reaches(session, Organization.parent_id, parent.id, organization.id):
            same = parent.id == organization.id
            raise Invalid(
                "cycle: " + _cycle(organization.name, parent.name, "move under", same=same),
                field="parent_id",
            )
    organization.parent_id = new_parent_id
    session.flush()
    _record(session, actor, "organization.move", organization.id, organization.label_id)
    return organization


# --- offices and departments ------------------------------------------------------------------


def do_create_office(
    session: Session,
    actor: Principal,
    *,
    name: str,
    sending_org_id: uuid.UUID,
    host_org_id: uuid.UUID,
    label: Label,
    default_label: Label | None = None,
    location: tuple[float, float] | str | None = None,
    time_zone: str | None = None,
    origin: str,
) -> Office:
    """`default_label` is what the office's posts and areas get unless told otherwise; by
    default the office's own label."""
    actor.require(Role.ADMIN)
    title = _name(name, "name")
    position = _position(location)
    zone = _time_zone(time_zone)
    if sending_org_id == host_org_id:
        raise Invalid("an office's sending and host organizations must differ", field="host_org_id")
    seen(session, actor, Organization, sending_org_id, "sending organization")
    seen(session, actor, Organization, host_org_id, "host organization")
    stored = prepare_label(session, actor, label)
    default = prepare_label(session, actor, default_label) if default_label else stored
    office = Office(
        name=title,
        sending_org_id=sending_org_id,
        host_org_id=host_org_id,
        latitude=position.lat if position else None,
        longitude=position.lon if position else None,
        time_zone=zone,
        default_label_id=default.id,
        label_id=stored.id,
        origin=origin,
        created_by=actor.user_id,
    )
    session.add(office)
    session.flush()
    _record(session, actor, "office.create", office.id, stored.id)
    return office


def do_add_department(
    session: Session, actor: Principal, office_id: uuid.UUID, name: str, *, origin: str
) -> Department:
    """A department is part of its office: seen when the office is, under the office's label."""
    actor.require_any(Role.ADMIN, Role.OFFICER)
    title = _name(name, "name")
    office = seen(session, actor, Office, office_id, "office")
    department = Department(
        office_id=office.id, name=title, origin=origin, created_by=actor.user_id
    )
    try:
        with session.begin_nested():  # the unique (office, name) decides between concurrent adds
            session.add(department)
            session.flush()
    except IntegrityError:
        raise Conflict(f"the office already has a department named {title!r}") from None
    payload = {"office_id": str(office.id)}
    _record(session, actor, "department.create", department.id, office.label_id, payload)
    return department


# --- posts ------------------------------------------------------------------------------------


def do_create_post(
    session: Session,
    actor: Principal,
    *,
    department_id: uuid.UUID,
    title: str,
    rank_min: str,
    rank_max: str,
    label: Label | None = None,
    required_clearance: Label | None = None,
    required_languages: Sequence[LanguageRequirement | tuple[str, str]] = (),
    required_qualifications: Sequence[str] = (),
    alliance_superior_id: uuid.UUID | None = None,
    national_superior_id: uuid.UUID | None = None,
    origin: str,
) -> Post:
    """A post in a department. `label` defaults to the office's default label;
    `required_clearance` is a label the holder's clearance must be able to read."""
    actor.require_any(Role.ADMIN, Role.OFFICER)
    post_title = _name(title, "title")
    ranks = _rank_range(rank_min, rank_max)
    languages = _language_requirements([LanguageRequirement(*r) for r in required_languages])
    qualifications = _qualifications(required_qualifications)
    department = _department(session, actor, department_id)
    for superior_id, line in (
        (alliance_superior_id, "alliance"),
        (national_superior_id, "national"),
    ):
        if superior_id is not None:
            seen(session, actor, Post, superior_id, f"{line} superior post")
    stored = label_or_office_default(session, actor, label, department.office_id)
    required = prepare_label(session, actor, required_clearance) if required_clearance else None
    post = Post(
        department_id=department.id,
        title=post_title,
        rank_min=str(ranks.lowest),
        rank_max=str(ranks.highest),
        required_label_id=required.id if required else None,
        required_languages=languages,
        required_qualifications=qualifications,
        alliance_superior_id=alliance_superior_id,
        national_superior_id=national_superior_id,
        label_id=stored.id,
        origin=origin,
        created_by=actor.user_id,
    )
    session.add(post)
    session.flush()
    payload = {"department_id": str(department.id)}
    _record(session, actor, "post.create", post.id, stored.id, payload)
    return post


def do_set_superiors(
    session: Session,
    actor: Principal,
    post_id: uuid.UUID,
    *,
    alliance_superior_id: uuid.UUID | None,
    national_superior_id: uuid.UUID | None,
    expected_version: int | None = None,
) -> Post:
    """Set both reporting lines of a post (None: the top of that line); cycles are refused."""
    actor.require_any(Role.ADMIN, Role.OFFICER)
    post = seen(session, actor, Post, post_id, "post", lock=True)
    _check_version(post, expected_version)
    lines = (
        (alliance_superior_id, Post.alliance_superior_id, "alliance"),
        (national_superior_id, Post.national_superior_id, "national"),
    )
    for superior_id, column, line in lines:
        if superior_id is None:
            continue
        superior = seen(session, actor, Post, superior_id, f"{line} superior post")
        if _reaches(session, column, superior.id, post.id):
            same = superior.id == post.id
            raise Invalid(
                f"cycle in the {line} line: "
                + _cycle(post.title, superior.title, "report to", same=same),
                field=f"{line}_superior_id",
            )
    post.alliance_superior_id = alliance_superior_id
    post.national_superior_id = national_superior_id
    session.flush()
    _record(session, actor, "post.set_superiors", post.id, post.label_id)
    return post


def _rank_range(rank_min: str, rank_max: str) -> RankRange:
    lowest = _rank(rank_min, "rank_min")
    highest = _rank(rank_max, "rank_max")
    try:
        return RankRange(lowest, highest)
    except ValueError as error:
        raise Invalid(str(error), field="rank_max") from None


def _rank(code: str, field: str) -> RankCode:
    try:
        return RankCode.parse(code)
    except ValueError as error:
        raise Invalid(str(error), field=field) from None


def _language_requirements(requirements: list[LanguageRequirement]) -> list[dict[str, str]]:
    stored: dict[str, str] = {}
    for requirement in requirements:
        try:
            language = normalize_language(requirement.language)
            minimum = LanguageProfile.parse(requirement.minimum)
        except ValueError as error:
            raise Invalid(str(error), field="required_languages") from None
        if language in stored:
            raise Invalid(f"language {language} is required twice", field="required_languages")
        stored[language] = minimum.slashed
    return [{"language": language, "minimum": minimum} for language, minimum in stored.items()]


def _qualifications(names: Sequence[str]) -> list[str]:
    """Stripped, blanks refused, duplicates dropped, order kept."""
    stripped = [name.strip() for name in names]
    if not all(stripped):
        raise Invalid("a required qualification has no name", field="required_qualifications")
    return list(dict.fromkeys(stripped))


def _department(session: Session, actor: Principal, department_id: uuid.UUID) -> Department:
    """A department the actor can see: one whose office they can see."""
    department = session.get(Department, department_id)
    if department is None or visible_row(session, actor, Office, department.office_id) is None:
        raise NotFound("no such department")
    return department


# --- areas of responsibility ------------------------------------------------------------------


def do_create_area(
    session: Session,
    actor: Principal,
    *,
    name: str,
    geometry: dict[str, Any],
    office_id: uuid.UUID | None = None,
    post_id: uuid.UUID | None = None,
    label: Label | None = None,
    origin: str,
) -> Area:
    """An area (GeoJSON Polygon or MultiPolygon) given to an office or to a post, not both.

    `label` defaults to the default label of the office (or of the post's office)."""
    actor.require_any(Role.ADMIN, Role.OFFICER)
    title = _name(name, "name")
    if (office_id is None) == (post_id is None):
        raise Invalid("an area belongs to an office or to a post: give exactly one", "office_id")
    try:
        shape = geo.parse_area(geometry)
    except ValueError as error:
        raise Invalid(str(error), field="geometry") from None
    if post_id is not None:
        post = seen(session, actor, Post, post_id, "post")
        owner_office_id = _office_of(session, post)
    else:
        assert office_id is not None
        owner_office_id = seen(session, actor, Office, office_id, "office").id
    stored = label_or_office_default(session, actor, label, owner_office_id)
    west, south, east, north = shape.bounds
    area = Area(
        name=title,
        office_id=office_id,
        post_id=post_id,
        geometry=shape.to_geojson(),
        min_latitude=south,
        max_latitude=north,
        min_longitude=west,
        max_longitude=east,
        label_id=stored.id,
        origin=origin,
        created_by=actor.user_id,
    )
    session.add(area)
    session.flush()
    _record(session, actor, "area.create", area.id, stored.id)
    return area


def _office_of(session: Session, post: Post) -> uuid.UUID:
    office_id = session.scalar(
        select(Department.office_id).where(Department.id == post.department_id)
    )
    assert office_id is not None  # a foreign key
    return office_id


# --- shared checks ----------------------------------------------------------------------------


def _name(text: str, field: str) -> str:
    stripped = text.strip()
    if not stripped:
        raise Invalid(f"{field} is empty", field=field)
    if len(stripped) > MAX_NAME:
        raise Invalid(f"{field} is longer than {MAX_NAME} characters", field=field)
    return stripped


def _choice(value: str, allowed: tuple[str, ...], field: str) -> None:
    if value not in allowed:
        raise Invalid(f"unknown {field} {value!r}: expected one of {', '.join(allowed)}", field)


def _nation(code: str, field: str) -> str:
    try:
        return normalize_nation(code)
    except ValueError as error:
        raise Invalid(str(error), field=field) from None


def _position(location: tuple[float, float] | str | None) -> geo.Position | None:
    try:
        if isinstance(location, str):
            return geo.from_mgrs(location)
        return geo.Position(*location) if location is not None else None
    except ValueError as error:
        raise Invalid(str(error), field="location") from None


def _time_zone(name: str | None) -> str | None:
    try:
        return geo.parse_time_zone(name).key if name is not None else None
    except ValueError as error:
        raise Invalid(str(error), field="time_zone") from None


def _reaches(
    session: Session,
    up: InstrumentedAttribute[uuid.UUID | None],
    start: uuid.UUID,
    target: uuid.UUID,
) -> bool:
    """Whether walking up the `up` column from `start` meets `target`.

    Each row walked is locked, so two concurrent changes cannot each close half of a cycle:
    the second waits for the first and then sees its change (or the database reports a
    deadlock and one of them fails).
    """
    table = up.class_
    current: uuid.UUID | None = start
    walked: set[uuid.UUID] = set()
    while current is not None and current not in walked:
        if current == target:
            return True
        walked.add(current)
        current = session.scalar(select(up).where(table.id == current).with_for_update())
    return False


def _cycle(name: str, above: str, verb: str, *, same: bool) -> str:
    if same:
        return f"{name!r} cannot {verb} itself"
    return f"{name!r} cannot {verb} {above!r}, which is already below it"


def _check_version(row: Organization | Post, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != row.version:
        raise Stale(f"changed since version {expected_version}; reload and retry")


def _record(
    session: Session,
    actor: Principal,
    action: str,
    object_id: uuid.UUID,
    label_id: int,
    payload: dict[str, str] | None = None,
) -> None:
    """Names and titles may be protected, so the trail holds ids, kinds and the label only."""
    object_type, verb = action.split(".")
    past = {"create": "created", "move": "moved", "set_superiors": "updated"}[verb]
    record(
        session,
        actor,
        action,
        object_type=object_type,
        object_id=object_id,
        label_id=str(label_id),
        event=f"{object_type}.{past}",
        payload=payload,
    )
