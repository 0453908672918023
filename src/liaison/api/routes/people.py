"""People over the API: records, clearances, languages, qualifications, assignments, candidates
for a post and what expires soon. People the caller may not see are not found, and leave no
trace in lists, candidates or expiry reports."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from fastapi import APIRouter, Header, HTTPException, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from liaison.actions.people import (
    do_add_qualification,
    do_assign,
    do_create_person,
    do_set_language,
    do_set_person_clearance,
    do_update_person,
)
from liaison.api.etags import etag
from liaison.api.etags import if_match as if_match_version
from liaison.api.routes.organization import LabelJson, Labelled, label_in, label_out
from liaison.domain.clearances import NationalClearance
from liaison.http.deps import Caller, NodeDep, ReadSession
from liaison.queries import people
from liaison.store.models import Person
from liaison.store.types import utcnow

router = APIRouter(prefix="/people", tags=["people"])


class PersonOut(Labelled):
    id: uuid.UUID
    family_name: str
    given_names: str
    rank_code: str
    rank_title: str
    service: str
    nation: str
    email: str | None
    phone: str | None
    office_id: uuid.UUID | None
    clearance_policy: str | None
    clearance_level: str | None
    clearance_special: list[str]
    clearance_issued: date | None
    clearance_expires: date | None
    version: int


def person_out(session: Session, row: Person) -> PersonOut:
    label, marking = label_out(session, row.label_id)
    return PersonOut(
        id=row.id,
        family_name=row.family_name,
        given_names=row.given_names,
        rank_code=row.rank_code,
        rank_title=row.rank_title,
        service=row.service,
        nation=row.nation,
        email=row.email,
        phone=row.phone,
        office_id=row.office_id,
        clearance_policy=row.clearance_policy,
        clearance_level=row.clearance_level,
        clearance_special=sorted(row.clearance_special or []),
        clearance_issued=row.clearance_issued,
        clearance_expires=row.clearance_expires,
        version=row.version,
        label=label,
        marking=marking,
    )


class LanguageOut(BaseModel):
    language: str
    profile: str


class QualificationOut(BaseModel):
    id: uuid.UUID
    course: str
    issuer: str
    completed_on: date
    expires_on: date | None


class AssignmentOut(BaseModel):
    id: uuid.UUID
    post_id: uuid.UUID
    starts_on: date
    ends_on: date | None


class PersonRecordOut(PersonOut):
    languages: list[LanguageOut]
    qualifications: list[QualificationOut]
    assignments: list[AssignmentOut]
    cleared: bool  # whether the derived clearance is in force today
    clearance_notes: list[str]


class PeoplePage(BaseModel):
    items: list[PersonOut]
    next_cursor: str | None


# --- listing and reading ----------------------------------------------------------------------


@router.get("")
def list_people(
    caller: Caller,
    session: ReadSession,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50),
    nation: str | None = Query(default=None, max_length=3),
    office_id: uuid.UUID | None = None,
) -> PeoplePage:
    page = people.list_people(
        session, caller, cursor=cursor, limit=limit, nation=nation, office_id=office_id
    )
    return PeoplePage(
        items=[person_out(session, row) for row in page.items], next_cursor=page.next_cursor
    )


class ExpiringOut(BaseModel):
    person: PersonOut
    kind: Literal["clearance", "qualification"]
    what: str
    expires_on: date
    qualification_id: uuid.UUID | None


@router.get("/expiring")
def expiring(
    caller: Caller, session: ReadSession, within_days: int = Query(default=30)
) -> list[ExpiringOut]:
    found = people.expiring(session, caller, within_days=within_days, today=utcnow().date())
    return [
        ExpiringOut(
            person=person_out(session, item.person),
            kind=item.kind,
            what=item.what,
            expires_on=item.expires_on,
            qualification_id=item.qualification_id,
        )
        for item in found
    ]


@router.get("/{person_id}")
def get_person(
    person_id: uuid.UUID, caller: Caller, session: ReadSession, response: Response
) -> PersonRecordOut:
    record = people.get_person_record(session, caller, person_id)
    base = person_out(session, record.person)
    response.headers["ETag"] = etag(base.version)
    return PersonRecordOut(
        **base.model_dump(),
        languages=[LanguageOut(language=x.language, profile=x.profile) for x in record.languages],
        qualifications=[
            QualificationOut(
                id=q.id,
                course=q.course,
                issuer=q.issuer,
                completed_on=q.completed_on,
                expires_on=q.expires_on,
            )
            for q in record.qualifications
        ],
        assignments=[
            AssignmentOut(id=a.id, post_id=a.post_id, starts_on=a.starts_on, ends_on=a.ends_on)
            for a in record.assignments
        ],
        cleared=record.clearance.clearance is not None,
        clearance_notes=list(record.clearance.notes),
    )


# --- writing ----------------------------------------------------------------------------------


class NewPerson(BaseModel):
    family_name: str = Field(min_length=1, max_length=100)
    given_names: str = Field(min_length=1, max_length=200)
    rank_code: str = Field(max_length=8)
    rank_title: str = Field(max_length=100)
    service: str = Field(max_length=64)
    nation: str = Field(min_length=2, max_length=3)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    office_id: uuid.UUID | None = None
    label: LabelJson | None = Field(default=None, max_length=10)


@router.post("", status_code=201)
def create_person(body: NewPerson, caller: Caller, node: NodeDep, response: Response) -> PersonOut:
    with node.db.writing() as session:
        row = do_create_person(
            session,
            caller,
            family_name=body.family_name,
            given_names=body.given_names,
            rank_code=body.rank_code,
            rank_title=body.rank_title,
            service=body.service,
            nation=body.nation,
            email=body.email,
            phone=body.phone,
            office_id=body.office_id,
            label=label_in(body.label),
            origin=node.settings.node_name,
        )
        created = person_out(session, row)
    response.headers["ETag"] = etag(created.version)
    return created


class PersonChange(BaseModel):
    family_name: str | None = Field(default=None, min_length=1, max_length=100)
    given_names: str | None = Field(default=None, min_length=1, max_length=200)
    rank_code: str | None = Field(default=None, max_length=8)
    rank_title: str | None = Field(default=None, max_length=100)
    service: str | None = Field(default=None, max_length=64)
    nation: str | None = Field(default=None, min_length=2, max_length=3)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    label: LabelJson | None = Field(default=None, max_length=10)


@router.patch("/{person_id}")
def update_person(
    person_id: uuid.UUID,
    body: PersonChange,
    caller: Caller,
    node: NodeDep,
    response: Response,
    if_match: str | None = Header(default=None, max_length=64),
) -> PersonOut:
    with node.db.writing() as session:
        row = do_update_person(
            session,
            caller,
            person_id,
            expected_version=if_match_version(if_match),
            family_name=body.family_name,
            given_names=body.given_names,
            rank_code=body.rank_code,
            rank_title=body.rank_title,
            service=body.service,
            nation=body.nation,
            email=body.email,
            phone=body.phone,
            label=label_in(body.label),
        )
        session.flush()
        updated = person_out(session, row)
    response.headers["ETag"] = etag(updated.version)
    return updated


class ClearanceIn(BaseModel):
    """A national clearance, in the national policy's own names."""

    policy: str = Field(max_length=200)
    level: str = Field(max_length=200)
    special: list[str] = Field(default_factory=list, max_length=50)
    issued: date | None = None
    expires: date | None = None


@router.put("/{person_id}/clearance")
def set_clearance(
    person_id: uuid.UUID, body: ClearanceIn, caller: Caller, node: NodeDep
) -> PersonOut:
    """Security officers record a person's national clearance; it takes effect on the next
    request of any user linked to the person."""
    clearance = NationalClearance(
        body.policy, body.level, frozenset(body.special), body.issued, body.expires
    )
    with node.db.writing() as session:
        row = do_set_person_clearance(session, caller, person_id, clearance)
        session.flush()
        return person_out(session, row)


class LanguageIn(BaseModel):
    profile: str = Field(max_length=16)


@router.put("/{person_id}/languages/{language}")
def set_language(
    person_id: uuid.UUID, language: str, body: LanguageIn, caller: Caller, node: NodeDep
) -> LanguageOut:
    if len(language) > 3:
        raise HTTPException(404, "no such language")
    with node.db.writing() as session:
        row = do_set_language(session, caller, person_id, language, body.profile)
        assert row is not None  # a profile was given
        return LanguageOut(language=row.language, profile=row.profile)


class NewQualification(BaseModel):
    course: str = Field(min_length=1, max_length=200)
    issuer: str = Field(min_length=1, max_length=200)
    completed_on: date
    expires_on: date | None = None


@router.post("/{person_id}/qualifications", status_code=201)
def add_qualification(
    person_id: uuid.UUID, body: NewQualification, caller: Caller, node: NodeDep
) -> QualificationOut:
    with node.db.writing() as session:
        row = do_add_qualification(
            session,
            caller,
            person_id,
            course=body.course,
            issuer=body.issuer,
            completed_on=body.completed_on,
            expires_on=body.expires_on,
            origin=node.settings.node_name,
        )
        return QualificationOut(
            id=row.id,
            course=row.course,
            issuer=row.issuer,
            completed_on=row.completed_on,
            expires_on=row.expires_on,
        )


class NewAssignment(BaseModel):
    post_id: uuid.UUID
    starts_on: date
    ends_on: date | None = None
    dual_hatted: bool = False


@router.post("/{person_id}/assignments", status_code=201)
def assign(
    person_id: uuid.UUID, body: NewAssignment, caller: Caller, node: NodeDep
) -> AssignmentOut:
    with node.db.writing() as session:
        row = do_assign(
            session,
            caller,
            person_id,
            body.post_id,
            starts_on=body.starts_on,
            ends_on=body.ends_on,
            dual_hatted=body.dual_hatted,
            origin=node.settings.node_name,
        )
        return AssignmentOut(
            id=row.id, post_id=row.post_id, starts_on=row.starts_on, ends_on=row.ends_on
        )
