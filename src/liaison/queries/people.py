"""Reading people: records, lists, candidates for a post ranked by fit, and what expires soon.

Every read starts from `visible()` on the person's label, in SQL: a person the viewer may not
see is absent from lists, rankings and counts, and NotFound when asked for. Languages,
qualifications, assignments and accreditations are parts of the person's record; an assignment
to a post (or an accreditation to an organization) the viewer may not see is left out of the
record, though it still makes the person unavailable in a ranking (without naming the post).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal, TypeVar, cast

from sqlalchemy import Date, ScalarSelect, func, literal, select
from sqlalchemy.orm import Session

from liaison.domain.accounts import Principal
from liaison.domain.clearances import Derived, NationalClearance, derive_clearance
from liaison.domain.errors import Invalid, NotFound
from liaison.domain.languages import LanguageProfile
from liaison.domain.nations import normalize_nation
from liaison.domain.ranks import RANK_CODES, RankCode, RankRange
from liaison.queries.organization import get_post
from liaison.queries.pagination import Page, check_limit, decode_cursor, encode_cursor
from liaison.queries.visibility import visible
from liaison.security import Label, PolicyRegistry, label_from_json
from liaison.store.labels import authority_of
from liaison.store.models import (
    Accreditation,
    Assignment,
    Organization,
    Person,
    PersonLanguage,
    Post,
    Qualification,
    StoredLabel,
    User,
)
from liaison.store.types import utcnow

_T = TypeVar("_T")

MAX_WITHIN_DAYS = 3660  # ten years: further ahead is not "expiring"


# --- records ----------------------------------------------------------------------------------


def get_person(session: Session, viewer: Principal, person_id: uuid.UUID) -> Person:
    query = visible(
        session, select(Person).where(Person.id == person_id), viewer, Person.label_id.expression
    )
    person = session.scalars(query).one_or_none()
    if person is None:
        raise NotFound("no such person")
    return person


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person with the parts of their record, and the clearance derived for today."""

    person: Person
    languages: list[PersonLanguage]
    qualifications: list[Qualification]
    assignments: list[Assignment]
    accreditations: list[Accreditation]
    clearance: Derived


def get_person_record(
    session: Session, viewer: Principal, person_id: uuid.UUID, *, today: date | None = None
) -> PersonRecord:
    person = get_person(session, viewer, person_id)
    languages = select(PersonLanguage).where(PersonLanguage.person_id == person.id)
    qualifications = select(Qualification).where(Qualification.person_id == person.id)
    assignments = (
        select(Assignment)
        .join(Post, Post.id == Assignment.post_id)
        .where(Assignment.person_id == person.id)
        .order_by(Assignment.starts_on, Assignment.id)
    )
    accreditations = (
        select(Accreditation)
        .join(Organization, Organization.id == Accreditation.host_org_id)
        .where(Accreditation.person_id == person.id)
        .order_by(Accreditation.starts_on, Accreditation.id)
    )
    return PersonRecord(
        person,
        list(session.scalars(languages.order_by(PersonLanguage.language))),
        list(
            session.scalars(qualifications.order_by(Qualification.completed_on, Qualification.id))
        ),
        list(session.scalars(visible(session, assignments, viewer, Post.label_id.expression))),
        list(
            session.scalars(
                visible(session, accreditations, viewer, Organization.label_id.expression)
            )
        ),
        derived_clearance(session, person, today or utcnow().date()),
    )


def derived_clearance(session: Session, person: Person, today: date) -> Derived:
    """The clearance `person` holds under the node's policy on `today`, with its notes."""
    national = _national(
        person.clearance_policy,
        person.clearance_level,
        person.clearance_special,
        person.clearance_issued,
        person.clearance_expires,
    )
    return derive_clearance(person.nation, national, today=today, registry=_registry(session))


def list_people(
    session: Session,
    viewer: Principal,
    *,
    cursor: str | None = None,
    limit: int = 50,
    nation: str | None = None,
    office_id: uuid.UUID | None = None,
) -> Page[Person]:
    """The visible people in id (creation) order, a page at a time."""
    query = select(Person).order_by(Person.id).limit(check_limit(limit) + 1)
    if nation is not None:
        try:
            query = query.where(Person.nation == normalize_nation(nation))
        except ValueError as error:
            raise Invalid(str(error), field="nation") from None
    if office_id is not None:
        query = query.where(Person.office_id == office_id)
    after = decode_cursor(cursor)
    if after is not None:
        try:
            query = query.where(Person.id > uuid.UUID(str(after)))
        except ValueError:
            raise Invalid("malformed cursor", "cursor") from None
    people = list(session.scalars(visible(session, query, viewer, Person.label_id.expression)))
    more = len(people) > limit
    people = people[:limit]
    return Page(people, encode_cursor(str(people[-1].id)) if more else None)


# --- candidates for a post --------------------------------------------------------------------

Criterion = Literal["rank", "clearance", "language", "qualification", "availability"]

# What each criterion is worth. A clearance the post's label needs cannot be waived, so it
# weighs most; a rank a few steps off still earns part of its points (RANK_STEP fewer a step).
WEIGHTS: dict[Criterion, int] = {
    "clearance": 30,
    "rank": 20,
    "language": 20,
    "qualification": 15,
    "availability": 15,
}
RANK_STEP = 5


@dataclass(frozen=True, slots=True)
class Reason:
    criterion: Criterion
    met: bool
    detail: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """A person with a score from 0 to 100, every reason behind it, and how many rank steps
    they are from the post's range."""

    person: Person
    score: int
    reasons: tuple[Reason, ...]
    rank_distance: int


def candidates(
    session: Session, viewer: Principal, post_id: uuid.UUID, *, on: date, limit: int = 50
) -> list[Candidate]:
    """The visible people ranked by fit for the post on `on`, best first, each with reasons.

    Rank: within the post's range, or how many steps from it (STANAG 2116 order). Clearance:
    the person's derived clearance on `on` can read the post's required label. Languages:
    each required STANAG 6001 minimum met, skill by skill. Qualifications: each required
    course held (completed, not expired) on `on`. Availability: no assignment to another post
    covers `on`. Equal scores go to the nearer rank, then by name.
    """
    check_limit(limit)
    post = get_post(session, viewer, post_id)
    judge = _Judge(post, _required_label(session, post), _registry(session), on)
    # One statement: each person with what the post asks of them, in correlated subqueries
    # (indexed lookups), so the visible filter is applied once and each row is read once.
    languages = [_profile(language) for language, _ in judge.languages]
    courses = [_held_until(course, on) for course in judge.courses]
    query = select(
        Person.id,
        Person.family_name,
        Person.given_names,
        Person.rank_code,
        Person.nation,
        Person.clearance_policy,
        Person.clearance_level,
        Person.clearance_special,
        Person.clearance_issued,
        Person.clearance_expires,
        _busy_until(post.id, on),
        *languages,
        *courses,
    )
    scored = []
    for row in session.execute(visible(session, query, viewer, Person.label_id.expression)):
        busy_until, *held = cast(Sequence[Any], row[10:])
        score, distance, reasons = judge.fit(
            row.rank_code,
            row.nation,
            row[5:10],
            held[: len(languages)],
            held[len(languages) :],
            busy_until,
        )
        scored.append((-score, distance, row.family_name, row.given_names, row.id, reasons))
    scored.sort()
    best = scored[:limit]
    loaded = {
        person.id: person
        for person in session.scalars(select(Person).where(Person.id.in_([s[4] for s in best])))
    }
    return [
        Candidate(loaded[person_id], -negative, reasons, distance)
        for negative, distance, _, _, person_id, reasons in best
    ]


# In the candidates statement: a course without expiry, or an assignment without an end.
_NO_END = date.max


def _profile(language: str) -> ScalarSelect[str]:
    """The person's profile in `language`, or NULL."""
    return (
        select(PersonLanguage.profile)
        .where(PersonLanguage.person_id == Person.id, PersonLanguage.language == language)
        .scalar_subquery()
    )


def _held_until(course: str, on: date) -> ScalarSelect[date]:
    """When the person's longest-lasting `course` valid on `on` expires (_NO_END: never);
    NULL when they hold none.

    Course names match exactly (both are stored trimmed): case folding differs between
    SQLite, PostgreSQL and Python beyond ASCII, and a ranking must not depend on the engine.
    """
    return (
        select(func.max(func.coalesce(Qualification.expires_on, literal(_NO_END, Date))))
        .where(
            Qualification.person_id == Person.id,
            Qualification.course == course,
            Qualification.completed_on <= on,
            Qualification.expires_on.is_(None) | (Qualification.expires_on >= on),
        )
        .scalar_subquery()
    )


def _busy_until(post_id: uuid.UUID, on: date) -> ScalarSelect[date]:
    """The last day of the person's assignment to another post covering `on` (_NO_END:
    open-ended); NULL when they have none."""
    return (
        select(func.max(func.coalesce(Assignment.ends_on, literal(_NO_END, Date))))
        .where(
            Assignment.person_id == Person.id,
            Assignment.post_id != post_id,
            Assignment.starts_on <= on,
            Assignment.ends_on.is_(None) | (Assignment.ends_on >= on),
        )
        .scalar_subquery()
    )


class _Judge:
    """Scores people against one post on one day.

    People share a few ranks, clearances, language profiles and expiry dates, so each distinct
    one is judged once and its reason reused: ranking thousands costs little more than
    reading them.
    """

    def __init__(self, post: Post, required: Label | None, registry: PolicyRegistry, on: date):
        self.ranks = RankRange(RankCode.parse(post.rank_min), RankCode.parse(post.rank_max))
        self.required = required
        self.registry = registry
        self.on = on
        self.languages = [
            (requirement["language"], LanguageProfile.parse(requirement["minimum"]))
            for requirement in post.required_languages
        ]
        self.courses = list(post.required_qualifications)
        self.possible = WEIGHTS["rank"] + WEIGHTS["clearance"] + WEIGHTS["availability"]
        self.possible += WEIGHTS["language"] if self.languages else 0
        self.possible += WEIGHTS["qualification"] if self.courses else 0
        self._memo: dict[tuple[Any, ...], object] = {}

    def fit(
        self,
        rank_code: str,
        nation: str,
        clearance: Sequence[Any],
        profiles: Sequence[str | None],
        courses_until: Sequence[date | None],
        busy_until: date | None,
    ) -> tuple[int, int, tuple[Reason, ...]]:
        """(score out of 100, rank distance, reasons) for one person.

        `clearance` is the person's stored clearance columns (policy, level, special, issued,
        expires); `profiles` and `courses_until` follow the post's required languages and
        courses (None: not held). Keys are plain values, as they are hashed for every person.
        """
        policy, level, special, issued, expires = clearance
        distance, rank = self._once(("rank", rank_code), self._rank)
        if (issued is None or issued <= self.on) and (expires is None or self.on <= expires):
            issued = expires = None  # valid on the day: the dates change nothing, so share a key
        clearance_key = ("clearance", nation, policy, level, tuple(special), issued, expires)
        judged = [rank, self._once(clearance_key, self._clearance)]
        for index, profile in enumerate(profiles):
            judged.append(self._once(("language", index, profile), self._language))
        for course, until in zip(self.courses, courses_until, strict=True):
            judged.append(self._once(("qualification", course, until), self._course))
        judged.append(self._once(("availability", busy_until), self._availability))
        earned = sum(points for _, points in judged)
        return round(100 * earned / self.possible), distance, tuple(r for r, _ in judged)

    def _once(self, key: tuple[Any, ...], judge: Callable[[tuple[Any, ...]], _T]) -> _T:
        if key not in self._memo:
            self._memo[key] = judge(key)
        return cast(_T, self._memo[key])

    def _rank(self, key: tuple[Any, ...]) -> tuple[int, tuple[Reason, float]]:
        _, code = key
        distance = _rank_distance(self.ranks, RankCode.parse(code))
        if not distance:
            return 0, (Reason("rank", True, f"{code} is within {self.ranks}"), WEIGHTS["rank"])
        steps = f"{distance} step{'s' if distance > 1 else ''}"
        points = max(0, WEIGHTS["rank"] - RANK_STEP * distance)
        return distance, (Reason("rank", False, f"{code} is {steps} from {self.ranks}"), points)

    def _clearance(self, key: tuple[Any, ...]) -> tuple[Reason, float]:
        _, nation, policy, level, special, issued, expires = key
        national = _national(policy, level, list(special), issued, expires)
        derived = derive_clearance(nation, national, today=self.on, registry=self.registry)
        points = WEIGHTS["clearance"]
        if derived.clearance is None:
            why = derived.notes[0]
            if self.required is None:
                return Reason("clearance", True, f"none required ({why})"), points
            return Reason("clearance", False, why), 0
        if self.required is None:
            return Reason("clearance", True, "none required"), points
        decision = self.registry.decide(self.required, derived.clearance)
        if decision.granted:
            return Reason("clearance", True, "can read the post's required label"), points
        detail = f"cannot read the post's required label: {decision.reason}"
        return Reason("clearance", False, detail), 0

    def _language(self, key: tuple[Any, ...]) -> tuple[Reason, float]:
        _, index, profile = key
        language, minimum = self.languages[index]
        share = WEIGHTS["language"] / len(self.languages)
        if profile is None:
            detail = f"{language}: no profile recorded (needs {minimum.slashed})"
            return Reason("language", False, detail), 0
        held = LanguageProfile.parse(profile)
        short = held.shortfalls(minimum)
        if short:
            detail = f"{language}: {held.slashed} below {minimum.slashed} in {', '.join(short)}"
            return Reason("language", False, detail), 0
        return Reason(
            "language", True, f"{language}: {held.slashed} meets {minimum.slashed}"
        ), share

    def _course(self, key: tuple[Any, ...]) -> tuple[Reason, float]:
        _, course, expires_on = key
        if expires_on is None:
            return Reason("qualification", False, f"{course}: not held"), 0
        until = "no expiry" if expires_on == _NO_END else f"until {expires_on.isoformat()}"
        share = WEIGHTS["qualification"] / len(self.courses)
        return Reason("qualification", True, f"{course}: held ({until})"), share

    def _availability(self, key: tuple[Any, ...]) -> tuple[Reason, float]:
        _, busy_until = key
        if busy_until is None:
            reason = Reason("availability", True, "no other assignment on that day")
            return reason, WEIGHTS["availability"]
        until = "open-ended" if busy_until == _NO_END else busy_until.isoformat()
        return Reason("availability", False, f"assigned to another post until {until}"), 0


def _rank_distance(ranks: RankRange, rank: RankCode) -> int:
    """Steps (in STANAG 2116 order, OR-9 → WO-1 → OF(D) → OF-1) from the nearest end."""
    if ranks.contains(rank):
        return 0
    nearest = ranks.lowest if rank < ranks.lowest else ranks.highest
    return abs(RANK_CODES.index(rank) - RANK_CODES.index(nearest))


def _required_label(session: Session, post: Post) -> Label | None:
    if post.required_label_id is None:
        return None
    canonical = session.scalar(
        select(StoredLabel.canonical).where(StoredLabel.id == post.required_label_id)
    )
    return label_from_json(canonical) if canonical is not None else None


# --- expiring clearances and qualifications ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expiring:
    """A clearance or qualification that ends within the window asked about."""

    person: Person
    kind: Literal["clearance", "qualification"]
    what: str
    expires_on: date
    qualification_id: uuid.UUID | None = None


def expiring(
    session: Session, viewer: Principal, *, within_days: int, today: date
) -> list[Expiring]:
    """Clearances and qualifications of visible people whose last day falls from `today`
    through `today + within_days`, soonest first."""
    if not 0 <= within_days <= MAX_WITHIN_DAYS:
        raise Invalid(f"within_days must be between 0 and {MAX_WITHIN_DAYS}", "within_days")
    until = today + timedelta(days=within_days)
    found: list[Expiring] = []
    for person in session.scalars(
        visible(
            session,
            select(Person).where(
                Person.clearance_expires >= today, Person.clearance_expires <= until
            ),
            viewer,
            Person.label_id.expression,
        )
    ):
        assert person.clearance_expires is not None  # the filter above
        what = f"{person.clearance_policy} {person.clearance_level}"
        found.append(Expiring(person, "clearance", what, person.clearance_expires))
    for person, qualification in session.execute(
        visible(
            session,
            select(Person, Qualification)
            .join(Qualification, Qualification.person_id == Person.id)
            .where(Qualification.expires_on >= today, Qualification.expires_on <= until),
            viewer,
            Person.label_id.expression,
        )
    ):
        assert qualification.expires_on is not None  # the filter above
        found.append(
            Expiring(
                person,
                "qualification",
                qualification.course,
                qualification.expires_on,
                qualification.id,
            )
        )
    found.sort(key=lambda e: (e.expires_on, e.person.family_name, e.person.given_names, e.what))
    return found


# --- helpers ----------------------------------------------------------------------------------


def _national(
    policy: str | None,
    level: str | None,
    special: list[str],
    issued: date | None,
    expires: date | None,
) -> NationalClearance | None:
    if policy is None or level is None:
        return None
    return NationalClearance(policy, level, frozenset(special), issued, expires)


def _registry(session: Session) -> PolicyRegistry:
    authority = authority_of(session)
    authority.refresh(session, at_once=False)  # policies installed since this process looked
    return authority.registry


def office_expiring(
    session: Session, viewer: Principal, *, within_days: int, today: date
) -> list[Expiring] | None:
    """The expiring clearances and qualifications of the people of the viewer's office (that
    of the person their account is linked to); None when they have no such office."""
    user = session.get(User, viewer.user_id)
    person = session.get(Person, user.person_id) if user and user.person_id else None
    if person is None or person.office_id is None:
        return None
    found = expiring(session, viewer, within_days=within_days, today=today)
    return [entry for entry in found if entry.person.office_id == person.office_id]
