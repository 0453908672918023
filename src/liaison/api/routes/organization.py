"""The structure over the API: nations, alliances, organizations, offices, posts and areas.

Every labelled record comes with its label (canonical JSON) and its rendered marking. Records
the caller may not see are reported as not found, and leave no trace in lists or charts.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

import pycountry
from fastapi import APIRouter, Header, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.actions.organization import (
    LanguageRequirement,
    Member,
    do_add_department,
    do_create_alliance,
    do_create_area,
    do_create_office,
    do_create_organization,
    do_create_post,
    do_set_superiors,
)
from liaison.api.etags import if_match as if_match_version
from liaison.domain import geo
from liaison.domain.accounts import Principal
from liaison.domain.errors import Forbidden, Invalid
from liaison.domain.nations import nation_name, policy_communities
from liaison.http.deps import Caller, NodeDep, ReadSession
from liaison.queries import organization as org
from liaison.queries import people
from liaison.queries.visibility import visible
from liaison.security import Label, LabelError, label_from_json, render_marking
from liaison.store.labels import authority_of
from liaison.store.models import Alliance, Area, Office, Organization, Post, StoredLabel
from liaison.store.types import utcnow

router = APIRouter(tags=["organization"])

LabelJson = dict[str, Any]


# --- labels -----------------------------------------------------------------------------------


class Labelled(BaseModel):
    label: LabelJson
    marking: str


def label_out(session: Session, label_id: int) -> tuple[LabelJson, str]:
    """The canonical JSON of a stored label and its marking under its policy."""
    stored = session.get(StoredLabel, label_id)
    if stored is None:  # the foreign key holds
        raise RuntimeError(f"label {label_id} is missing")
    label = label_from_json(stored.canonical)
    policy = authority_of(session).registry.get(label.policy)
    return stored.canonical, render_marking(policy, label) if policy is not None else ""


def label_in(data: LabelJson | None, field: str = "label") -> Label | None:
    if data is None:
        return None
    try:
        return label_from_json(data)
    except LabelError as error:
        raise Invalid(f"invalid label: {error}", field=field) from None


def required_label_in(data: LabelJson) -> Label:
    label = label_in(data)
    assert label is not None
    return label


def _labelled(session: Session, record: Any) -> dict[str, Any]:
    label, marking = label_out(session, record.label_id)
    return {"label": label, "marking": marking}


def _list(session: Session, viewer: Principal, model: Any, order: Any) -> list[Any]:
    query = select(model).order_by(order, model.id)
    return list(session.scalars(visible(session, query, viewer, model.label_id.expression)))


# --- nations ----------------------------------------------------------------------------------


class NationOut(BaseModel):
    code: str
    name: str


class CommunityOut(BaseModel):
    policy: str
    name: str


class NationsOut(BaseModel):
    nations: list[NationOut]
    communities: list[CommunityOut]


@router.get("/nations")
def list_nations(caller: Caller, session: ReadSession) -> NationsOut:
    nations = [NationOut(code=c.alpha_3, name=nation_name(c.alpha_3)) for c in pycountry.countries]
    communities = [
        CommunityOut(policy=policy.name, name=name)
        for policy in authority_of(session).registry
        for name in sorted(policy_communities(policy))
    ]
    return NationsOut(nations=sorted(nations, key=lambda n: n.code), communities=communities)


# --- alliances --------------------------------------------------------------------------------


class MemberIn(BaseModel):
    nation: str = Field(min_length=2, max_length=3)
    joined_on: date
    left_on: date | None = None


class NewAlliance(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(max_length=32)
    policy: str = Field(max_length=200)
    label: LabelJson = Field(max_length=10)
    members: list[MemberIn] = Field(default_factory=list, max_length=200)


class AllianceOut(Labelled):
    id: uuid.UUID
    name: str
    kind: str
    policy: str
    version: int


def _alliance(session: Session, row: Alliance) -> AllianceOut:
    fields = {"id": row.id, "name": row.name, "kind": row.kind, "policy": row.policy}
    return AllianceOut(**fields, version=row.version, **_labelled(session, row))


@router.get("/alliances")
def list_alliances(caller: Caller, session: ReadSession) -> list[AllianceOut]:
    return [_alliance(session, a) for a in _list(session, caller, Alliance, Alliance.name)]


@router.post("/alliances", status_code=201)
def create_alliance(body: NewAlliance, caller: Caller, node: NodeDep) -> AllianceOut:
    with node.db.writing() as session:
        row = do_create_alliance(
            session,
            caller,
            name=body.name,
            kind=body.kind,
            policy=body.policy,
            label=required_label_in(body.label),
            members=[Member(m.nation, m.joined_on, m.left_on) for m in body.members],
            origin=node.settings.node_name,
        )
        return _alliance(session, row)


@router.get("/alliances/{alliance_id}")
def get_alliance(alliance_id: uuid.UUID, caller: Caller, session: ReadSession) -> AllianceOut:
    return _alliance(session, org.get_alliance(session, caller, alliance_id))


# --- charts -----------------------------------------------------------------------------------


class _FromAttributes(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PostNodeOut(_FromAttributes):
    id: uuid.UUID
    title: str
    rank_min: str
    rank_max: str
    holder_id: uuid.UUID | None


class DepartmentNodeOut(_FromAttributes):
    id: uuid.UUID
    name: str
    posts: list[PostNodeOut]


class OfficeNodeOut(_FromAttributes):
    """An office in a chart: it sits under its organization, so no organization ids here
    (one of them may be hidden from the reader)."""

    id: uuid.UUID
    name: str
    departments: list[DepartmentNodeOut]


class OrganizationNodeOut(_FromAttributes):
    id: uuid.UUID
    name: str
    kind: str
    nation: str | None
    offices: list[OfficeNodeOut]
    children: list[OrganizationNodeOut]


class OrgChartOut(_FromAttributes):
    kind: Literal["alliance", "organization", "office"]
    id: uuid.UUID
    name: str
    organizations: list[OrganizationNodeOut]
    offices: list[OfficeNodeOut]


def _chart(session: Session, caller: Principal, root: uuid.UUID, on: date | None) -> OrgChartOut:
    return OrgChartOut.model_validate(org.org_chart(session, caller, root, on=on))


@router.get("/alliances/{alliance_id}/chart")
def alliance_chart(
    alliance_id: uuid.UUID, caller: Caller, session: ReadSession, on: date | None = None
) -> OrgChartOut:
    org.get_alliance(session, caller, alliance_id)
    return _chart(session, caller, alliance_id, on)


@router.get("/organizations/{organization_id}/chart")
def organization_chart(
    organization_id: uuid.UUID, caller: Caller, session: ReadSession, on: date | None = None
) -> OrgChartOut:
    org.get_organization(session, caller, organization_id)
    return _chart(session, caller, organization_id, on)


@router.get("/offices/{office_id}/chart")
def office_chart(
    office_id: uuid.UUID, caller: Caller, session: ReadSession, on: date | None = None
) -> OrgChartOut:
    org.get_office(session, caller, office_id)
    return _chart(session, caller, office_id, on)


# --- organizations ----------------------------------------------------------------------------


class Located(BaseModel):
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    mgrs: str | None = Field(default=None, max_length=32)
    time_zone: str | None = Field(default=None, max_length=64)

    def location(self) -> tuple[float, float] | str | None:
        if self.mgrs is not None:
            return self.mgrs
        if (self.latitude is None) != (self.longitude is None):
            raise Invalid("give both latitude and longitude, or neither", field="location")
        if self.latitude is not None and self.longitude is not None:
            return (self.latitude, self.longitude)
        return None


class NewOrganization(Located):
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(max_length=32)
    nation: str | None = Field(default=None, max_length=3)
    label: LabelJson = Field(max_length=10)
    parent_id: uuid.UUID | None = None
    alliance_id: uuid.UUID | None = None


class OrganizationOut(Labelled):
    id: uuid.UUID
    name: str
    kind: str
    nation: str | None
    parent_id: uuid.UUID | None
    alliance_id: uuid.UUID | None
    latitude: float | None
    longitude: float | None
    mgrs: str | None
    time_zone: str | None
    version: int


def _mgrs(latitude: float | None, longitude: float | None) -> str | None:
    if latitude is None or longitude is None:
        return None
    try:
        return geo.to_mgrs(geo.Position(latitude, longitude))
    except ValueError:
        return None  # near the poles MGRS gives way to UPS


def _organization(session: Session, caller: Principal, row: Organization) -> OrganizationOut:
    return OrganizationOut(
        id=row.id,
        name=row.name,
        kind=row.kind,
        nation=row.nation,
        parent_id=_shown(session, caller, Organization, row.parent_id),
        alliance_id=_shown(session, caller, Alliance, row.alliance_id),
        latitude=row.latitude,
        longitude=row.longitude,
        mgrs=_mgrs(row.latitude, row.longitude),
        time_zone=row.time_zone,
        version=row.version,
        **_labelled(session, row),
    )


@router.get("/organizations")
def list_organizations(caller: Caller, session: ReadSession) -> list[OrganizationOut]:
    rows = _list(session, caller, Organization, Organization.name)
    return [_organization(session, caller, row) for row in rows]


@router.post("/organizations", status_code=201)
def create_organization(body: NewOrganization, caller: Caller, node: NodeDep) -> OrganizationOut:
    with node.db.writing() as session:
        row = do_create_organization(
            session,
            caller,
            name=body.name,
            kind=body.kind,
            nation=body.nation,
            label=required_label_in(body.label),
            parent_id=body.parent_id,
            alliance_id=body.alliance_id,
            location=body.location(),
            time_zone=body.time_zone,
            origin=node.settings.node_name,
        )
        return _organization(session, caller, row)


@router.get("/organizations/{organization_id}")
def get_organization(
    organization_id: uuid.UUID, caller: Caller, session: ReadSession
) -> OrganizationOut:
    return _organization(session, caller, org.get_organization(session, caller, organization_id))


# --- offices and departments ------------------------------------------------------------------


class NewOffice(Located):
    name: str = Field(min_length=1, max_length=200)
    sending_org_id: uuid.UUID
    host_org_id: uuid.UUID
    label: LabelJson = Field(max_length=10)
    default_label: LabelJson | None = Field(default=None, max_length=10)


class DepartmentOut(BaseModel):
    id: uuid.UUID
    name: str


class OfficeOut(Labelled):
    id: uuid.UUID
    name: str
    sending_org_id: uuid.UUID | None  # None when the caller may not see that organization
    host_org_id: uuid.UUID | None
    latitude: float | None
    longitude: float | None
    mgrs: str | None
    time_zone: str | None
    default_label: LabelJson
    default_marking: str
    departments: list[DepartmentOut]
    version: int


def _office(session: Session, caller: Principal, row: Office) -> OfficeOut:
    default_label, default_marking = label_out(session, row.default_label_id)
    chart = org.org_chart(session, caller, row.id)
    departments = [
        DepartmentOut(id=d.id, name=d.name) for office in chart.offices for d in office.departments
    ]
    return OfficeOut(
        id=row.id,
        name=row.name,
        sending_org_id=_shown(session, caller, Organization, row.sending_org_id),
        host_org_id=_shown(session, caller, Organization, row.host_org_id),
        latitude=row.latitude,
        longitude=row.longitude,
        mgrs=_mgrs(row.latitude, row.longitude),
        time_zone=row.time_zone,
        default_label=default_label,
        default_marking=default_marking,
        departments=departments,
        version=row.version,
        **_labelled(session, row),
    )


@router.post("/offices", status_code=201)
def create_office(body: NewOffice, caller: Caller, node: NodeDep) -> OfficeOut:
    with node.db.writing() as session:
        row = do_create_office(
            session,
            caller,
            name=body.name,
            sending_org_id=body.sending_org_id,
            host_org_id=body.host_org_id,
            label=required_label_in(body.label),
            default_label=label_in(body.default_label, "default_label"),
            location=body.location(),
            time_zone=body.time_zone,
            origin=node.settings.node_name,
        )
        session.flush()
        return _office(session, caller, row)


@router.get("/offices/{office_id}")
def get_office(office_id: uuid.UUID, caller: Caller, session: ReadSession) -> OfficeOut:
    return _office(session, caller, org.get_office(session, caller, office_id))


class NewDepartment(BaseModel):
    name: str = Field(min_length=1, max_length=200)


@router.post("/offices/{office_id}/departments", status_code=201)
def add_department(
    office_id: uuid.UUID, body: NewDepartment, caller: Caller, node: NodeDep
) -> DepartmentOut:
    with node.db.writing() as session:
        row = do_add_department(
            session, caller, office_id, body.name, origin=node.settings.node_name
        )
        return DepartmentOut(id=row.id, name=row.name)


# --- posts ------------------------------------------------------------------------------------


class LanguageIn(BaseModel):
    language: str = Field(min_length=2, max_length=3)
    minimum: str = Field(max_length=16)


class NewPost(BaseModel):
    department_id: uuid.UUID
    title: str = Field(min_length=1, max_length=200)
    rank_min: str = Field(max_length=8)
    rank_max: str = Field(max_length=8)
    label: LabelJson | None = Field(default=None, max_length=10)
    required_clearance: LabelJson | None = Field(default=None, max_length=10)
    required_languages: list[LanguageIn] = Field(default_factory=list, max_length=20)
    required_qualifications: list[str] = Field(default_factory=list, max_length=20)
    alliance_superior_id: uuid.UUID | None = None
    national_superior_id: uuid.UUID | None = None


class PostOut(Labelled):
    id: uuid.UUID
    department_id: uuid.UUID
    title: str
    rank_min: str
    rank_max: str
    required_clearance: LabelJson | None
    required_clearance_marking: str | None
    required_languages: list[LanguageIn]
    required_qualifications: list[str]
    alliance_superior_id: uuid.UUID | None
    national_superior_id: uuid.UUID | None
    version: int


def post_out(session: Session, caller: Principal, row: Post) -> PostOut:
    required, required_marking = (
        label_out(session, row.required_label_id)
        if row.required_label_id is not None
        else (None, None)
    )
    return PostOut(
        id=row.id,
        department_id=row.department_id,
        title=row.title,
        rank_min=row.rank_min,
        rank_max=row.rank_max,
        required_clearance=required,
        required_clearance_marking=required_marking,
        required_languages=[LanguageIn(**item) for item in row.required_languages],
        required_qualifications=list(row.required_qualifications),
        alliance_superior_id=_shown(session, caller, Post, row.alliance_superior_id),
        national_superior_id=_shown(session, caller, Post, row.national_superior_id),
        version=row.version,
        **_labelled(session, row),
    )


def _shown(session: Session, caller: Principal, model: Any, record_id: uuid.UUID | None) -> Any:
    """`record_id` if the caller may see that record, else None: no reference to a hidden
    record leaves the API."""
    if record_id is None:
        return None
    query = select(model.id).where(model.id == record_id)
    found = session.scalars(visible(session, query, caller, model.label_id.expression)).first()
    return record_id if found is not None else None


@router.post("/posts", status_code=201)
def create_post(body: NewPost, caller: Caller, node: NodeDep) -> PostOut:
    with node.db.writing() as session:
        row = do_create_post(
            session,
            caller,
            department_id=body.department_id,
            title=body.title,
            rank_min=body.rank_min,
            rank_max=body.rank_max,
            label=label_in(body.label),
            required_clearance=label_in(body.required_clearance, "required_clearance"),
            required_languages=[
                LanguageRequirement(item.language, item.minimum) for item in body.required_languages
            ],
            required_qualifications=body.required_qualifications,
            alliance_superior_id=body.alliance_superior_id,
            national_superior_id=body.national_superior_id,
            origin=node.settings.node_name,
        )
        return post_out(session, caller, row)


class Superiors(BaseModel):
    alliance_superior_id: uuid.UUID | None = None
    national_superior_id: uuid.UUID | None = None


@router.put("/posts/{post_id}/superiors")
def set_superiors(
    post_id: uuid.UUID,
    body: Superiors,
    caller: Caller,
    node: NodeDep,
    if_match: str | None = Header(default=None, max_length=64),
) -> PostOut:
    """Set both reporting lines of a post; cycles are refused. A caller who cannot see one of
    its current superiors may not change them: they would overwrite what they were never shown."""
    with node.db.writing() as session:
        current = org.get_post(session, caller, post_id)
        for stored in (current.alliance_superior_id, current.national_superior_id):
            if stored is not None and _shown(session, caller, Post, stored) is None:
                raise Forbidden("you may not change the reporting lines of this post")
        row = do_set_superiors(
            session,
            caller,
            post_id,
            alliance_superior_id=body.alliance_superior_id,
            national_superior_id=body.national_superior_id,
            expected_version=if_match_version(if_match),
        )
        return post_out(session, caller, row)


@router.get("/posts/vacant")
def vacant_posts(caller: Caller, session: ReadSession, on: date | None = None) -> list[PostOut]:
    day = on or utcnow().date()
    return [post_out(session, caller, row) for row in org.vacancies(session, caller, on=day)]


@router.get("/posts/{post_id}")
def get_post(post_id: uuid.UUID, caller: Caller, session: ReadSession) -> PostOut:
    return post_out(session, caller, org.get_post(session, caller, post_id))


@router.get("/posts/{post_id}/chain")
def post_chain(
    post_id: uuid.UUID,
    caller: Caller,
    session: ReadSession,
    line: Literal["alliance", "national"] = "alliance",
) -> list[PostOut]:
    chain = org.chain_of_command(session, caller, post_id, line)
    return [post_out(session, caller, row) for row in chain]


@router.get("/posts/{post_id}/escalation")
def post_escalation(post_id: uuid.UUID, caller: Caller, session: ReadSession) -> list[PostOut]:
    path = org.escalation_path(session, caller, post_id)
    return [post_out(session, caller, row) for row in path]


class ReasonOut(BaseModel):
    criterion: str
    met: bool
    detail: str


class CandidateOut(Labelled):
    person_id: uuid.UUID
    family_name: str
    given_names: str
    rank_code: str
    rank_title: str
    nation: str
    score: int
    rank_distance: int
    reasons: list[ReasonOut]


@router.get("/posts/{post_id}/candidates")
def post_candidates(
    post_id: uuid.UUID,
    caller: Caller,
    session: ReadSession,
    on: date | None = None,
    limit: int = Query(default=50),
) -> list[CandidateOut]:
    day = on or utcnow().date()
    return [
        CandidateOut(
            person_id=found.person.id,
            family_name=found.person.family_name,
            given_names=found.person.given_names,
            rank_code=found.person.rank_code,
            rank_title=found.person.rank_title,
            nation=found.person.nation,
            score=found.score,
            rank_distance=found.rank_distance,
            reasons=[
                ReasonOut(criterion=str(r.criterion), met=r.met, detail=r.detail)
                for r in found.reasons
            ],
            **_labelled(session, found.person),
        )
        for found in people.candidates(session, caller, post_id, on=day, limit=limit)
    ]


# --- liaison officers -------------------------------------------------------------------------


class LiaisonOfficerOut(BaseModel):
    person_id: uuid.UUID
    family_name: str
    given_names: str
    rank_code: str
    rank_title: str
    nation: str
    person_label: LabelJson
    person_marking: str
    post: PostOut
    office_id: uuid.UUID
    office_name: str


@router.get("/organizations/{organization_id}/liaison-officers")
def liaison_officers(
    organization_id: uuid.UUID,
    caller: Caller,
    session: ReadSession,
    nation: str = Query(min_length=2, max_length=3),
    on: date | None = None,
) -> list[LiaisonOfficerOut]:
    found = org.liaison_officer(session, caller, nation, organization_id, on=on)
    answers = []
    for item in found:
        label, marking = label_out(session, item.person.label_id)
        answers.append(
            LiaisonOfficerOut(
                person_id=item.person.id,
                family_name=item.person.family_name,
                given_names=item.person.given_names,
                rank_code=item.person.rank_code,
                rank_title=item.person.rank_title,
                nation=item.person.nation,
                person_label=label,
                person_marking=marking,
                post=post_out(session, caller, item.post),
                office_id=item.office.id,
                office_name=item.office.name,
            )
        )
    return answers


# --- areas ------------------------------------------------------------------------------------


class NewArea(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    geometry: dict[str, Any] = Field(max_length=10)
    office_id: uuid.UUID | None = None
    post_id: uuid.UUID | None = None
    label: LabelJson | None = Field(default=None, max_length=10)


class AreaOut(Labelled):
    id: uuid.UUID
    name: str
    office_id: uuid.UUID | None
    post_id: uuid.UUID | None
    geometry: dict[str, Any]
    version: int


class CoverageOut(BaseModel):
    area: AreaOut
    responsible_kind: Literal["office", "post"]
    responsible_id: uuid.UUID
    responsible_name: str


def _area(session: Session, row: Area) -> AreaOut:
    return AreaOut(
        id=row.id,
        name=row.name,
        office_id=row.office_id,
        post_id=row.post_id,
        geometry=row.geometry,
        version=row.version,
        **_labelled(session, row),
    )


@router.post("/areas", status_code=201)
def create_area(body: NewArea, caller: Caller, node: NodeDep) -> AreaOut:
    with node.db.writing() as session:
        row = do_create_area(
            session,
            caller,
            name=body.name,
            geometry=body.geometry,
            office_id=body.office_id,
            post_id=body.post_id,
            label=label_in(body.label),
            origin=node.settings.node_name,
        )
        return _area(session, row)


@router.get("/areas/covering")
def areas_covering(
    caller: Caller,
    session: ReadSession,
    lat: float | None = None,
    lon: float | None = None,
    mgrs: str | None = Query(default=None, max_length=32),
) -> list[CoverageOut]:
    try:
        if mgrs is not None:
            position = geo.from_mgrs(mgrs)
        elif lat is not None and lon is not None:
            position = geo.Position(lat, lon)
        else:
            raise Invalid("give lat and lon, or mgrs", field="lat")
    except ValueError as error:
        raise Invalid(str(error), field="mgrs" if mgrs is not None else "lat") from None
    answers = []
    for found in org.who_covers(session, caller, position):
        responsible = found.responsible
        if isinstance(responsible, Office):
            kind: Literal["office", "post"] = "office"
            name = responsible.name
        else:
            kind, name = "post", responsible.title
        answers.append(
            CoverageOut(
                area=_area(session, found.area),
                responsible_kind=kind,
                responsible_id=responsible.id,
                responsible_name=name,
            )
        )
    return answers
