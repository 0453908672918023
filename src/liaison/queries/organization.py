"""Reading the structure: records, org charts, chains of command, liaison officers, vacancies,
and who covers a point.

Everything is filtered by `visible()` in SQL. A chart is the full chart with every subtree under
a record the viewer may not see removed: nothing below a hidden node is reached, so no gap or
orphan hints at it. A department is seen with its office. An assignment is part of its person's
record: a post whose holder the viewer may not see shows no holder, and counts as vacant.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, TypeVar

from sqlalchemy import ColumnElement, Select, exists, literal, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from liaison.domain import geo
from liaison.domain.accounts import Principal
from liaison.domain.errors import Invalid, NotFound
from liaison.domain.nations import normalize_nation
from liaison.queries.visibility import visible
from liaison.store.models import (
    Alliance,
    Area,
    Assignment,
    Department,
    Office,
    Organization,
    Person,
    Post,
)
from liaison.store.types import utcnow

Line = Literal["alliance", "national"]
Shown = TypeVar("Shown", Alliance, Organization, Office, Post, Area)
Owner = TypeVar("Owner", Office, Post)
Query = TypeVar("Query", bound="Select[*tuple[Any, ...]]")

# Deeper than any real hierarchy: it stops a walk should a replica ever hold a cycle.
MAX_DEPTH = 64


# --- single records ---------------------------------------------------------------------------


def get_alliance(session: Session, viewer: Principal, alliance_id: uuid.UUID) -> Alliance:
    return _get(session, viewer, Alliance, alliance_id, "alliance")


def get_organization(
    session: Session, viewer: Principal, organization_id: uuid.UUID
) -> Organization:
    return _get(session, viewer, Organization, organization_id, "organization")


def list_offices(session: Session, viewer: Principal) -> list[Office]:
    """The offices the viewer sees, by name."""
    return list(
        session.scalars(_visible(session, select(Office).order_by(Office.name), viewer, Office))
    )


def get_office(session: Session, viewer: Principal, office_id: uuid.UUID) -> Office:
    return _get(session, viewer, Office, office_id, "office")


def get_post(session: Session, viewer: Principal, post_id: uuid.UUID) -> Post:
    return _get(session, viewer, Post, post_id, "post")


def get_area(session: Session, viewer: Principal, area_id: uuid.UUID) -> Area:
    return _get(session, viewer, Area, area_id, "area")


def _get(
    session: Session,
    viewer: Principal,
    model: type[Shown],
    record_id: uuid.UUID,
    what: str,
) -> Shown:
    found = _find(session, viewer, model, record_id)
    if found is None:
        raise NotFound(f"no such {what}")
    return found


def _find(
    session: Session, viewer: Principal, model: type[Shown], record_id: uuid.UUID
) -> Shown | None:
    query = _visible(session, select(model).where(model.id == record_id), viewer, model)
    return session.scalars(query).one_or_none()


def _visible(session: Session, query: Query, viewer: Principal, model: Any) -> Query:
    """`visible()` on a mapped class, or an alias of one."""
    return visible(session, query, viewer, model.label_id.expression)


# --- org chart --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PostNode:
    id: uuid.UUID
    title: str
    rank_min: str
    rank_max: str
    holder_id: uuid.UUID | None  # the person holding it on the chart's date, if visible


@dataclass(frozen=True, slots=True)
class DepartmentNode:
    id: uuid.UUID
    name: str
    posts: tuple[PostNode, ...]


@dataclass(frozen=True, slots=True)
class OfficeNode:
    id: uuid.UUID
    name: str
    sending_org_id: uuid.UUID
    host_org_id: uuid.UUID
    departments: tuple[DepartmentNode, ...]


@dataclass(frozen=True, slots=True)
class OrganizationNode:
    id: uuid.UUID
    name: str
    kind: str
    nation: str | None
    offices: tuple[OfficeNode, ...]
    children: tuple[OrganizationNode, ...]


@dataclass(frozen=True, slots=True)
class OrgChart:
    """The chart under an alliance (its organizations), an organization, or an office."""

    kind: Literal["alliance", "organization", "office"]
    id: uuid.UUID
    name: str
    organizations: tuple[OrganizationNode, ...]
    offices: tuple[OfficeNode, ...]  # an office chart's one office; else under organizations


def org_chart(
    session: Session, viewer: Principal, root: uuid.UUID, *, on: date | None = None
) -> OrgChart:
    """The visible chart under `root` (an alliance, organization or office id), with the
    holders of posts on `on` (today, UTC, by default).

    An office sits under its host organization when the chart holds it, else under its sending
    organization: an alliance chart shows the liaison offices at each headquarters, a national
    chart the offices it sends.
    """
    day = on or utcnow().date()
    office = _find(session, viewer, Office, root)
    if office is not None:
        offices = _office_nodes(session, viewer, [office], day)
        return OrgChart("office", office.id, office.name, (), tuple(offices.values()))
    alliance = _find(session, viewer, Alliance, root)
    if alliance is not None:
        # Its top organizations: those whose parent is not in the alliance too.
        in_alliance = Organization.alliance_id == alliance.id
        members = select(Organization.id).where(in_alliance)
        organizations = _organization_tree(
            session,
            viewer,
            in_alliance,
            or_(Organization.parent_id.is_(None), Organization.parent_id.not_in(members)),
        )
        nodes = _organization_nodes(session, viewer, organizations, day)
        return OrgChart("alliance", alliance.id, alliance.name, nodes, ())
    organization = get_organization(session, viewer, root)
    organizations = _organization_tree(session, viewer, Organization.id == organization.id)
    nodes = _organization_nodes(session, viewer, organizations, day)
    return OrgChart("organization", organization.id, organization.name, nodes, ())


def _organization_tree(
    session: Session, viewer: Principal, *top: ColumnElement[bool]
) -> list[Organization]:
    """The visible organizations matching `top`, and their visible descendants."""
    base = _visible(
        session,
        select(Organization.id, literal(0).label("depth")).where(*top),
        viewer,
        Organization,
    )
    tree = base.cte("org_tree", recursive=True)
    children = select(Organization.id, tree.c.depth + 1).join(
        tree, Organization.parent_id == tree.c.id
    )
    tree = tree.union_all(
        _visible(session, children.where(tree.c.depth < MAX_DEPTH), viewer, Organization)
    )
    # Every member of the tree passed `visible()` on its way in.
    query = select(Organization).where(Organization.id.in_(select(tree.c.id)))
    return list(session.scalars(query.order_by(Organization.name, Organization.id)))


def _organization_nodes(
    session: Session, viewer: Principal, organizations: list[Organization], day: date
) -> tuple[OrganizationNode, ...]:
    """The tops of the tree `organizations` forms, each with its offices and children."""
    ids = {organization.id for organization in organizations}
    offices = session.scalars(
        _visible(
            session,
            select(Office)
            .where(or_(Office.host_org_id.in_(ids), Office.sending_org_id.in_(ids)))
            .order_by(Office.name, Office.id),
            viewer,
            Office,
        )
    ).all()
    office_nodes = _office_nodes(session, viewer, offices, day)
    offices_under: defaultdict[uuid.UUID, list[OfficeNode]] = defaultdict(list)
    for office in offices:
        place = office.host_org_id if office.host_org_id in ids else office.sending_org_id
        offices_under[place].append(office_nodes[office.id])
    children: defaultdict[uuid.UUID | None, list[Organization]] = defaultdict(list)
    for organization in organizations:
        parent = organization.parent_id if organization.parent_id in ids else None
        children[parent].append(organization)

    def node(organization: Organization) -> OrganizationNode:
        return OrganizationNode(
            organization.id,
            organization.name,
            organization.kind,
            organization.nation,
            tuple(offices_under[organization.id]),
            tuple(node(child) for child in children[organization.id]),
        )

    return tuple(node(top) for top in children[None])


def _office_nodes(
    session: Session, viewer: Principal, offices: Iterable[Office], day: date
) -> dict[uuid.UUID, OfficeNode]:
    """Each office with its departments, their visible posts, and the posts' visible holders."""
    office_ids = [office.id for office in offices]
    departments = session.scalars(
        select(Department)
        .where(Department.office_id.in_(office_ids))
        .order_by(Department.name, Department.id)
    ).all()
    in_offices = Department.office_id.in_(office_ids)
    # Only the columns a chart shows, as plain rows (no ORM loading): a chart may hold
    # thousands of posts, and building objects for them would cost more than the query.
    posts = (
        session.connection()
        .execute(
            _visible(
                session,
                select(Post.id, Post.department_id, Post.title, Post.rank_min, Post.rank_max)
                .join(Department)
                .where(in_offices)
                .order_by(Post.title, Post.id),
                viewer,
                Post,
            )
        )
        .all()
    )
    holders = _holders(session, viewer, in_offices, day)
    posts_in: defaultdict[uuid.UUID, list[PostNode]] = defaultdict(list)
    for post in posts:
        posts_in[post.department_id].append(
            PostNode(post.id, post.title, post.rank_min, post.rank_max, holders.get(post.id))
        )
    departments_in: defaultdict[uuid.UUID, list[DepartmentNode]] = defaultdict(list)
    for department in departments:
        departments_in[department.office_id].append(
            DepartmentNode(department.id, department.name, tuple(posts_in[department.id]))
        )
    return {
        office.id: OfficeNode(
            office.id,
            office.name,
            office.sending_org_id,
            office.host_org_id,
            tuple(departments_in[office.id]),
        )
        for office in offices
    }


def _holders(
    session: Session, viewer: Principal, in_offices: ColumnElement[bool], day: date
) -> dict[uuid.UUID, uuid.UUID]:
    """Post id → the visible person assigned to it on `day`."""
    query = (
        select(Assignment.post_id, Assignment.person_id)
        .join(Person, Person.id == Assignment.person_id)
        .join(Post, Post.id == Assignment.post_id)
        .join(Department, Department.id == Post.department_id)
        .where(in_offices, _covers(day))
        .order_by(Assignment.starts_on)
    )
    rows = session.connection().execute(_visible(session, query, viewer, Person))
    return dict(rows.all())


def _covers(day: date) -> ColumnElement[bool]:
    """The assignment runs on `day` (both ends included)."""
    return (Assignment.starts_on <= day) & (
        Assignment.ends_on.is_(None) | (Assignment.ends_on >= day)
    )


# --- reporting lines --------------------------------------------------------------------------


def chain_of_command(
    session: Session, viewer: Principal, post_id: uuid.UUID, line: Line = "alliance"
) -> list[Post]:
    """The superiors of a post along one line, nearest first, up to the top or to the first
    superior the viewer may not see (nothing above it is shown either)."""
    start = get_post(session, viewer, post_id)
    superior = _superior_column(line)
    base = select(Post.id, superior.label("up"), literal(0).label("depth")).where(
        Post.id == start.id
    )
    chain = base.cte("chain", recursive=True)
    step = (
        select(Post.id, superior, chain.c.depth + 1)
        .join(chain, Post.id == chain.c.up)
        .where(chain.c.depth < MAX_DEPTH)
    )
    chain = chain.union_all(_visible(session, step, viewer, Post))
    # The start was found through `visible()`, every later link passed it on its way in.
    query = select(Post).join(chain, Post.id == chain.c.id).where(chain.c.depth > 0)
    return list(session.scalars(query.order_by(chain.c.depth)))


def escalation_path(session: Session, viewer: Principal, post_id: uuid.UUID) -> list[Post]:
    """Whom a post escalates to: the alliance line, then the national line, each post once."""
    path = chain_of_command(session, viewer, post_id, "alliance")
    path += chain_of_command(session, viewer, post_id, "national")
    return list({post.id: post for post in path}.values())  # a key keeps its first place


def _superior_column(line: Line) -> Any:
    if line == "alliance":
        return Post.alliance_superior_id
    if line == "national":
        return Post.national_superior_id
    raise Invalid(f"unknown reporting line {line!r}: expected alliance or national", "line")


# --- answers officers need --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LiaisonOfficer:
    """A person in a post of a liaison office, as `liaison_officer` finds them."""

    person: Person
    post: Post
    office: Office


def liaison_officer(
    session: Session,
    viewer: Principal,
    nation: str,
    organization_id: uuid.UUID,
    *,
    on: date | None = None,
) -> list[LiaisonOfficer]:
    """The people assigned on `on` (today, UTC, by default) to posts of the offices that
    `nation`'s organizations keep at the organization `organization_id`."""
    try:
        nation_code = normalize_nation(nation)
    except ValueError as error:
        raise Invalid(str(error), field="nation") from None
    host = get_organization(session, viewer, organization_id)
    sender = aliased(Organization)
    query = (
        select(Person, Post, Office)
        .join(Assignment, Assignment.person_id == Person.id)
        .join(Post, Post.id == Assignment.post_id)
        .join(Department, Department.id == Post.department_id)
        .join(Office, Office.id == Department.office_id)
        .join(sender, sender.id == Office.sending_org_id)
        .where(
            Office.host_org_id == host.id,
            sender.nation == nation_code,
            _covers(on or utcnow().date()),
        )
        .order_by(Person.family_name, Person.given_names, Person.id, Post.id)
    )
    for model in (Person, Post, Office, sender):
        query = _visible(session, query, viewer, model)
    return [LiaisonOfficer(*row) for row in session.execute(query)]


def vacancies(session: Session, viewer: Principal, *, on: date) -> list[Post]:
    """The visible posts that no visible person holds on `on`."""
    held = _visible(
        session,
        select(Assignment.id)
        .join(Person, Person.id == Assignment.person_id)
        .where(Assignment.post_id == Post.id, _covers(on)),
        viewer,
        Person,
    )
    query = select(Post).where(~exists(held)).order_by(Post.title, Post.id)
    return list(session.scalars(_visible(session, query, viewer, Post)))


@dataclass(frozen=True, slots=True)
class Coverage:
    """An area that covers a point, and the office or post it is given to."""

    area: Area
    responsible: Office | Post


def who_covers(session: Session, viewer: Principal, position: geo.Position) -> list[Coverage]:
    """The visible offices and posts whose visible areas cover `position`.

    SQL keeps the areas whose bounding box holds the point; the exact test follows.
    """
    in_box = (
        (Area.min_latitude <= position.lat)
        & (Area.max_latitude >= position.lat)
        & (Area.min_longitude <= position.lon)
        & (Area.max_longitude >= position.lon)
    )
    boxed = _areas_of(session, viewer, Office, Area.office_id, in_box)
    boxed += _areas_of(session, viewer, Post, Area.post_id, in_box)
    return sorted(
        (c for c in boxed if geo.parse_area(c.area.geometry).covers(position)),
        key=lambda c: (c.area.name, str(c.area.id)),
    )


def _areas_of(
    session: Session,
    viewer: Principal,
    model: type[Owner],
    owner: InstrumentedAttribute[uuid.UUID | None],
    where: ColumnElement[bool],
) -> list[Coverage]:
    query = select(Area, model).join(model, model.id == owner).where(where)
    query = _visible(session, _visible(session, query, viewer, Area), viewer, model)
    return [Coverage(area, responsible) for area, responsible in session.execute(query)]
