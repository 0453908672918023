"""People: officers' records, national clearances, languages, qualifications, assignments,
accreditations, and the link between a user account and the person it belongs to.

Who may write: administrators and officers keep people's records (an office keeps its own);
security officers set national clearances; administrators link accounts to people.

A person's record is labelled (personal data); its languages, qualifications, assignments and
accreditations are parts of it, seen exactly when it is. Every record an action refers to (the
person, a post, an office, a host organization) must be one the actor can see, or it is
NotFound exactly as a missing one.

A linked user's access decisions use the clearance derived from the person
(`domain.clearances`). Whatever changes it (the clearance, the nation, the link) also emits
`user.updated` for that user, so the credential cache drops the account's cached principal and
the change holds from the user's next request.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from liaison.actions.policies import label_or_office_default, prepare_label
from liaison.actions.recording import record
from liaison.actions.sight import seen, visible_row
from liaison.domain.accounts import Principal, Role
from liaison.domain.clearances import NationalClearance, check_national
from liaison.domain.errors import Conflict, Invalid, NotFound, Stale
from liaison.domain.languages import LanguageProfile, normalize_language
from liaison.domain.nations import normalize_nation
from liaison.domain.ranks import RankCode
from liaison.events import outbox
from liaison.security import Label
from liaison.store.labels import authority_of
from liaison.store.models import (
    Accreditation,
    Assignment,
    Office,
    Organization,
    Person,
    PersonLanguage,
    Post,
    Qualification,
    User,
)

# Column widths (store.models.people), checked here so a long value is refused, not truncated.
WIDTHS = {
    "family_name": 100,
    "given_names": 200,
    "rank_title": 100,
    "service": 64,
    "email": 254,
    "phone": 40,
    "course": 200,
    "issuer": 200,
}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9 ().-]{3,40}")


# --- the record itself ------------------------------------------------------------------------


def do_create_person(
    session: Session,
    actor: Principal,
    *,
    family_name: str,
    given_names: str,
    rank_code: str,
    rank_title: str,
    service: str,
    nation: str,
    email: str | None = None,
    phone: str | None = None,
    office_id: uuid.UUID | None = None,
    label: Label | None = None,
    origin: str,
) -> Person:
    """A person kept by `office_id`, labelled `label` or else with the office's default label."""
    actor.require_any(Role.ADMIN, Role.OFFICER)
    person = Person(
        family_name=_text(family_name, "family_name"),
        given_names=_text(given_names, "given_names"),
        rank_code=_rank(rank_code),
        rank_title=_text(rank_title, "rank_title"),
        service=_text(service, "service"),
        nation=_nation(nation),
        email=_email(email),
        phone=_phone(phone),
        office_id=office_id,
        origin=origin,
        created_by=actor.user_id,
    )
    if office_id is not None:
        seen(session, actor, Office, office_id, "office")
        stored = label_or_office_default(session, actor, label, office_id)
    elif label is not None:
        stored = prepare_label(session, actor, label)
    else:
        raise Invalid("give the office that keeps the record, or a label", field="label")
    person.label_id = stored.id
    session.add(person)
    session.flush()
    _record(session, actor, "person.create", person, event="person.created")
    return person


def do_update_person(
    session: Session,
    actor: Principal,
    person_id: uuid.UUID,
    *,
    expected_version: int | None = None,
    family_name: str | None = None,
    given_names: str | None = None,
    rank_code: str | None = None,
    rank_title: str | None = None,
    service: str | None = None,
    nation: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    label: Label | None = None,
) -> Person:
    """Change what is given (None: unchanged; "" clears email and phone).

    `expected_version` (the API's If-Match) refuses an edit based on an older version.
    """
    actor.require_any(Role.ADMIN, Role.OFFICER)
    person = _person(session, actor, person_id, lock=True)
    if expected_version is not None and expected_version != person.version:
        raise Stale(f"person changed since version {expected_version}; reload and retry")
    wanted: dict[str, object] = {}
    for field, value in (
        ("family_name", family_name),
        ("given_names", given_names),
        ("rank_title", rank_title),
        ("service", service),
    ):
        if value is not None:
            wanted[field] = _text(value, field)
    if rank_code is not None:
        wanted["rank_code"] = _rank(rank_code)
    if nation is not None:
        wanted["nation"] = _nation(nation)
    if email is not None:
        wanted["email"] = _email(email)
    if phone is not None:
        wanted["phone"] = _phone(phone)
    if label is not None:
        wanted["label_id"] = prepare_label(session, actor, label).id
    changed = sorted(field for field, value in wanted.items() if getattr(person, field) != value)
    if not changed:
        return person
    for field in changed:
        setattr(person, field, wanted[field])
    _flush(session)
    _record(session, actor, "person.update", person, changed=changed)
    if "nation" in changed:  # the nation is the linked user's releasability
        _clearance_changed(session, actor, person)
    return person


# --- clearance --------------------------------------------------------------------------------


def do_set_person_clearance(
    session: Session,
    actor: Principal,
    person_id: uuid.UUID,
    clearance: NationalClearance | None,
) -> Person:
    """A security officer records (or, with None, withdraws) a person's national clearance.

    The level and every special category must be known to the national policy; a level the
    policy does not have ("above what it knows") is refused, naming it.
    """
    actor.require(Role.SECURITY_OFFICER)
    person = _person(session, actor, person_id, lock=True)
    if clearance is None:
        policy = level = None
        special: tuple[str, ...] = ()
    else:
        authority = authority_of(session)
        authority.refresh(session, at_once=False)  # policies installed since this process looked
        try:
            policy, level, special = check_national(
                authority.registry, clearance.policy, clearance.level, clearance.special
            )
        except ValueError as error:
            raise Invalid(str(error), field="clearance") from None
        if clearance.issued and clearance.expires and clearance.expires < clearance.issued:
            raise Invalid(
                f"the clearance expires ({clearance.expires}) before it is issued "
                f"({clearance.issued})",
                field="expires",
            )
    person.clearance_policy = policy
    person.clearance_level = level
    person.clearance_special = list(special)
    person.clearance_issued = clearance.issued if clearance else None
    person.clearance_expires = clearance.expires if clearance else None
    _flush(session)
    # The level and categories are protected personal data: the trail says only that it changed.
    _record(
        session,
        actor,
        "person.clearance",
        person,
        changed=["clearance"],
        reason="withdrawn" if clearance is None else "set",
    )
    _clearance_changed(session, actor, person)
    return person


# --- languages and qualifications -------------------------------------------------------------


def do_set_language(
    session: Session,
    actor: Principal,
    person_id: uuid.UUID,
    language: str,
    profile: str | None,
) -> PersonLanguage | None:
    """Record a language (ISO 639) with its STANAG 6001 profile, replacing any earlier one;
    None removes the language."""
    actor.require_any(Role.ADMIN, Role.OFFICER)
    try:
        code = normalize_language(language)
    except ValueError as error:
        raise Invalid(str(error), field="language") from None
    slp = None
    if profile is not None:
        try:
            slp = LanguageProfile.parse(profile)
        except ValueError as error:
            raise Invalid(str(error), field="profile") from None
    person = _person(session, actor, person_id)
    row = session.get(PersonLanguage, (person.id, code))
    if slp is None:
        if row is None:
            raise NotFound(f"no language {code} recorded")
        session.delete(row)
    elif row is None:
        row = PersonLanguage(person_id=person.id, language=code, profile=slp.slashed)
        session.add(row)
    else:
        row.profile = slp.slashed
    session.flush()
    _record(session, actor, "person.language", person, changed=["languages"])
    return row if slp is not None else None


def do_add_qualification(
    session: Session,
    actor: Principal,
    person_id: uuid.UUID,
    *,
    course: str,
    issuer: str,
    completed_on: date,
    expires_on: date | None = None,
    origin: str,
) -> Qualification:
    actor.require_any(Role.ADMIN, Role.OFFICER)
    if expires_on is not None and expires_on < completed_on:
        raise Invalid(
            f"the qualification expires ({expires_on}) before it was completed ({completed_on})",
            field="expires_on",
        )
    qualification = Qualification(
        course=_text(course, "course"),
        issuer=_text(issuer, "issuer"),
        completed_on=completed_on,
        expires_on=expires_on,
        origin=origin,
        created_by=actor.user_id,
    )
    person = _person(session, actor, person_id)
    qualification.person_id = person.id
    session.add(qualification)
    session.flush()
    _record(session, actor, "person.qualification", person, changed=["qualifications"])
    return qualification


# --- assignments and accreditations -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    """Days from `starts_on` through `ends_on` (both included; open-ended when None)."""

    starts_on: date
    ends_on: date | None

    def overlapping(self, model: type[Assignment | Accreditation]) -> ColumnElement[bool]:
        """SQL: the row's span shares at least one day with this one."""
        condition = model.ends_on.is_(None) | (model.ends_on >= self.starts_on)
        if self.ends_on is not None:
            condition = condition & (model.starts_on <= self.ends_on)
        return condition

    def __str__(self) -> str:
        end = self.ends_on.isoformat() if self.ends_on else "open-ended"
        return f"from {self.starts_on.isoformat()} until {end}"


def do_assign(
    session: Session,
    actor: Principal,
    person_id: uuid.UUID,
    post_id: uuid.UUID,
    *,
    starts_on: date,
    ends_on: date | None = None,
    dual_hatted: bool = False,
    origin: str,
) -> Assignment:
    """Put a person in a post. A post has one holder at a time: an overlap is refused, naming
    the dates of the assignment it clashes with.

    A person holds one post at a time too, unless `dual_hatted` says the second post is held
    alongside the first (as liaison officers sometimes are): a person cannot be in two places
    by accident, and the exception is on the record. A rank outside the post's range is not
    refused (officers fill posts above or below their rank); `candidates` reports it.
    """
    actor.require_any(Role.ADMIN, Role.OFFICER)
    span = _span(starts_on, ends_on)
    # Locking the post and the person serialises concurrent assignments that could overlap.
    post = seen(session, actor, Post, post_id, "post", lock=True)
    person = _person(session, actor, person_id, lock=True)
    _check_overlaps(session, span, post.id, person.id, dual_hatted, exclude=None)
    assignment = Assignment(
        person_id=person.id,
        post_id=post.id,
        starts_on=span.starts_on,
        ends_on=span.ends_on,
        origin=origin,
        created_by=actor.user_id,
    )
    session.add(assignment)
    session.flush()
    _record(
        session,
        actor,
        "person.assign",
        person,
        changed=["assignments"],
        reason=f"post {post.id}" + (", dual-hatted" if dual_hatted else ""),
    )
    return assignment


def do_end_assignment(
    session: Session,
    actor: Principal,
    assignment_id: uuid.UUID,
    ends_on: date,
    *,
    dual_hatted: bool = False,
) -> Assignment:
    """Set (or move) an assignment's last day; a later end must not create an overlap."""
    actor.require_any(Role.ADMIN, Role.OFFICER)
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("no such assignment")
    person = visible_row(session, actor, Person, assignment.person_id, lock=True)
    if person is None:  # part of a record the actor may not see
        raise NotFound("no such assignment")
    seen(session, actor, Post, assignment.post_id, "post", lock=True)
    span = _span(assignment.starts_on, ends_on)
    _check_overlaps(
        session, span, assignment.post_id, person.id, dual_hatted, exclude=assignment.id
    )
    assignment.ends_on = ends_on
    _flush(session)
    _record(
        session,
        actor,
        "person.end_assignment",
        person,
        changed=["assignments"],
        reason=f"assignment {assignment.id}",
    )
    return assignment


def do_accredit(
    session: Session,
    actor: Principal,
    person_id: uuid.UUID,
    host_org_id: uuid.UUID,
    *,
    starts_on: date,
    ends_on: date | None = None,
    origin: str,
) -> Accreditation:
    """Accredit a person to a host organization; overlapping accreditations to the same host
    are one too many, and refused."""
    actor.require_any(Role.ADMIN, Role.OFFICER)
    span = _span(starts_on, ends_on)
    host = seen(session, actor, Organization, host_org_id, "host organization")
    person = _person(session, actor, person_id, lock=True)
    clash = session.execute(
        select(Accreditation.starts_on, Accreditation.ends_on).where(
            Accreditation.person_id == person.id,
            Accreditation.host_org_id == host.id,
            span.overlapping(Accreditation),
        )
    ).first()
    if clash is not None:
        raise Conflict(f"already accredited to that organization {Span(*clash)}")
    accreditation = Accreditation(
        person_id=person.id,
        host_org_id=host.id,
        starts_on=span.starts_on,
        ends_on=span.ends_on,
        origin=origin,
        created_by=actor.user_id,
    )
    session.add(accreditation)
    session.flush()
    _record(
        session,
        actor,
        "person.accredit",
        person,
        changed=["accreditations"],
        reason=f"organization {host.id}",
    )
    return accreditation


# --- users are people -------------------------------------------------------------------------


def do_link_user(
    session: Session, actor: Principal, user_id: uuid.UUID, person_id: uuid.UUID | None
) -> User:
    """Link an account to the person it belongs to (None: unlink). One person per account and
    one account per person. While linked, the account's own clearance is not used."""
    actor.require(Role.ADMIN)
    user = session.scalars(select(User).where(User.id == user_id).with_for_update()).one_or_none()
    if user is None:
        raise NotFound("no such user")
    if person_id is not None:
        person = _person(session, actor, person_id, lock=True)
        if user.person_id == person.id:
            return user
        if user.person_id is not None:
            raise Conflict(f"user {user.username!r} is already linked to a person: unlink first")
        holder = session.scalar(select(User.username).where(User.person_id == person.id))
        if holder is not None:
            raise Conflict(f"that person is already linked to user {holder!r}")
    elif user.person_id is None:
        return user
    user.person_id = person_id
    _flush(session)
    record(
        session,
        actor,
        "user.link_person",
        object_type="user",
        object_id=user.id,
        reason=f"person {person_id}" if person_id else "unlinked",
        event="user.updated",
        payload={"username": user.username, "changed": ["person", "clearance"]},
    )
    return user


# --- helpers ----------------------------------------------------------------------------------


def _check_overlaps(
    session: Session,
    span: Span,
    post_id: uuid.UUID,
    person_id: uuid.UUID,
    dual_hatted: bool,
    exclude: uuid.UUID | None,
) -> None:
    """Refuse a second holder of the post, or (unless dual-hatted) a second post at once.

    Every assignment counts, even one the actor may not see: the message gives its dates only.
    """
    overlapping = span.overlapping(Assignment)
    if exclude is not None:
        overlapping = overlapping & (Assignment.id != exclude)
    dates = select(Assignment.starts_on, Assignment.ends_on).order_by(Assignment.starts_on)
    held = session.execute(dates.where(Assignment.post_id == post_id, overlapping)).first()
    if held is not None:
        raise Conflict(f"overlapping assignment: the post is already held {Span(*held)}")
    if dual_hatted:
        return
    busy = session.execute(
        dates.where(Assignment.person_id == person_id, Assignment.post_id != post_id, overlapping)
    ).first()
    if busy is not None:
        raise Conflict(
            f"overlapping assignment: the person holds another post {Span(*busy)} "
            "(say dual-hatted if both are held at once)"
        )


def _clearance_changed(session: Session, actor: Principal, person: Person) -> None:
    """Tell the credential cache that the linked account's effective clearance changed."""
    user_id = session.scalar(select(User.id).where(User.person_id == person.id))
    if user_id is not None:
        outbox.emit(
            session,
            "user.updated",
            object_type="user",
            object_id=user_id,
            actor_id=actor.user_id,
            payload={"changed": ["clearance"]},
        )


def _record(
    session: Session,
    actor: Principal,
    action: str,
    person: Person,
    *,
    event: str = "person.updated",
    changed: list[str] | None = None,
    reason: str = "",
) -> None:
    """Names and details are protected: the trail holds ids, field names and the label only."""
    record(
        session,
        actor,
        action,
        object_type="person",
        object_id=person.id,
        label_id=str(person.label_id),
        reason=reason,
        event=event,
        payload={"changed": changed} if changed else None,
    )


def _person(
    session: Session, actor: Principal, person_id: uuid.UUID, *, lock: bool = False
) -> Person:
    return seen(session, actor, Person, person_id, "person", lock=lock)


def _flush(session: Session) -> None:
    """Flush, turning a concurrent edit (the version column moved) into Stale."""
    try:
        session.flush()
    except StaleDataError:
        raise Stale("changed by someone else meanwhile; reload and retry") from None


def _span(starts_on: date, ends_on: date | None) -> Span:
    if ends_on is not None and ends_on < starts_on:
        raise Invalid(f"it ends ({ends_on}) before it starts ({starts_on})", field="ends_on")
    return Span(starts_on, ends_on)


def _text(value: str, field: str) -> str:
    stripped = value.strip()
    if not stripped:
        raise Invalid(f"{field} is empty", field=field)
    if len(stripped) > WIDTHS[field]:
        raise Invalid(f"{field} is longer than {WIDTHS[field]} characters", field=field)
    return stripped


def _rank(code: str) -> str:
    try:
        return str(RankCode.parse(code))
    except ValueError as error:
        raise Invalid(str(error), field="rank_code") from None


def _nation(code: str) -> str:
    try:
        return normalize_nation(code)
    except ValueError as error:
        raise Invalid(str(error), field="nation") from None


def _email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    stripped = value.strip()
    if len(stripped) > WIDTHS["email"] or not _EMAIL.fullmatch(stripped):
        raise Invalid(f"not an e-mail address: {stripped!r}", field="email")
    return stripped


def _phone(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    stripped = value.strip()
    if not _PHONE.fullmatch(stripped):
        raise Invalid(
            f"not a telephone number: {stripped!r} (digits, spaces, + ( ) . -)", field="phone"
        )
    return stripped
