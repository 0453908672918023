"""liaison org: the organization chart a named user may see, as JSON, Graphviz dot or text."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

import typer

from liaison.cli.common import fail, open_node
from liaison.cli.people import AsUser, acting_principal
from liaison.queries.organization import (
    DepartmentNode,
    OfficeNode,
    OrganizationNode,
    OrgChart,
    PostNode,
    org_chart,
)

app = typer.Typer(help="Organizations, offices and posts.", no_args_is_help=True)
FORMATS = ("text", "json", "dot")


@app.command()
def chart(
    root: str = typer.Argument(..., help="an alliance, organization or office id"),
    username: str = AsUser,
    output_format: str = typer.Option("text", "--format", help="text, json or dot (Graphviz)"),
) -> None:
    """Print the chart under ROOT that the user may see: organizations, offices, departments
    and posts (with whether each is held today)."""
    if output_format not in FORMATS:
        raise fail(f"unknown format {output_format!r}: {', '.join(FORMATS)}")
    try:
        root_id = uuid.UUID(root)
    except ValueError:
        raise fail(f"not an id: {root!r}") from None
    with open_node() as node, node.db.reading() as session:
        viewer = acting_principal(session, username)
        found = org_chart(session, viewer, root_id)
    if output_format == "json":
        typer.echo(json.dumps(asdict(found), default=str, indent=2, ensure_ascii=False))
    elif output_format == "dot":
        typer.echo("\n".join(to_dot(found)))
    else:
        typer.echo("\n".join(to_text(found)))


# --- text -------------------------------------------------------------------------------------


def _post_text(post: PostNode) -> str:
    held = "held" if post.holder_id is not None else "vacant"
    return f"{post.title} ({post.rank_min} to {post.rank_max}, {held})"


def to_text(found: OrgChart) -> Iterator[str]:
    if found.kind == "organization":  # the chart's one top is the root itself
        for organization in found.organizations:
            yield from _organization_text(organization, 0)
        return
    yield f"{found.name} [{found.kind}]"
    for organization in found.organizations:
        yield from _organization_text(organization, 1)
    for office in found.offices:
        yield from _office_text(office, 1)


def _organization_text(organization: OrganizationNode, depth: int) -> Iterator[str]:
    nation = f", {organization.nation}" if organization.nation else ""
    yield f"{'  ' * depth}{organization.name} [{organization.kind}{nation}]"
    for office in organization.offices:
        yield from _office_text(office, depth + 1)
    for child in organization.children:
        yield from _organization_text(child, depth + 1)


def _office_text(office: OfficeNode, depth: int) -> Iterator[str]:
    yield f"{'  ' * depth}{office.name} [office]"
    for department in office.departments:
        yield f"{'  ' * (depth + 1)}{department.name} [department]"
        for post in department.posts:
            yield f"{'  ' * (depth + 2)}{_post_text(post)}"


# --- dot --------------------------------------------------------------------------------------


def quote(text: str) -> str:
    """A DOT quoted string: backslashes and quotes escaped, line breaks as spaces."""
    cleaned = " ".join(text.splitlines())
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _node_id(kind: str, id: uuid.UUID) -> str:
    return f"{kind}_{id.hex}"  # DOT identifiers: letters, digits and underscores


def to_dot(found: OrgChart) -> Iterator[str]:
    yield "digraph org_chart {"
    yield "  rankdir=TB;"
    yield "  node [shape=box, fontname=Helvetica];"
    edges: list[str] = []
    if found.kind == "organization":  # the chart's one top is the root itself
        for organization in found.organizations:
            yield from _organization_dot(organization, edges, top=True)
    elif found.kind == "office":
        for office in found.offices:
            yield from _office_dot(office, edges, top=True)
    else:
        root = _node_id(found.kind, found.id)
        yield f"  {root} [label={quote(found.name)}, style=bold];"
        for organization in found.organizations:
            edges.append(f"  {root} -> {_node_id('organization', organization.id)};")
            yield from _organization_dot(organization, edges)
    yield from edges
    yield "}"


def _organization_dot(
    organization: OrganizationNode, edges: list[str], *, top: bool = False
) -> Iterator[str]:
    me = _node_id("organization", organization.id)
    nation = f" ({organization.nation})" if organization.nation else ""
    bold = ", style=bold" if top else ""
    yield f"  {me} [label={quote(organization.name + nation)}{bold}];"
    for office in organization.offices:
        edges.append(f"  {me} -> {_node_id('office', office.id)};")
        yield from _office_dot(office, edges)
    for child in organization.children:
        edges.append(f"  {me} -> {_node_id('organization', child.id)};")
        yield from _organization_dot(child, edges)


def _office_dot(office: OfficeNode, edges: list[str], *, top: bool = False) -> Iterator[str]:
    me = _node_id("office", office.id)
    bold = ", style=bold" if top else ""
    yield f"  {me} [label={quote(office.name)}, shape=component{bold}];"
    for department in office.departments:
        edges.append(f"  {me} -> {_node_id('department', department.id)};")
        yield from _department_dot(department, edges)


def _department_dot(department: DepartmentNode, edges: list[str]) -> Iterator[str]:
    me = _node_id("department", department.id)
    yield f"  {me} [label={quote(department.name)}, shape=folder];"
    for post in department.posts:
        post_id = _node_id("post", post.id)
        style: dict[str, Any] = {"label": quote(_post_text(post)), "shape": "ellipse"}
        if post.holder_id is None:
            style["style"] = "dashed"
        yield f"  {post_id} [{', '.join(f'{k}={v}' for k, v in style.items())}];"
        edges.append(f"  {me} -> {post_id};")
