"""liaison labels: render and check STANAG 4774 labels from files.

Exit codes of `check`: 0 granted, 1 denied, 2 invalid input.
"""

from __future__ import annotations

from pathlib import Path

import typer

from liaison.cli.common import fail, open_node
from liaison.security import (
    ClearanceError,
    LabelError,
    MarkingLocation,
    PolicyError,
    PolicyRegistry,
    clearance_from_json,
    label_from_xml,
    label_problems,
    load_policy,
    render_marking,
)
from liaison.store.labels import authority_of

app = typer.Typer(help="STANAG 4774 confidentiality labels.", no_args_is_help=True)
INVALID = 2
LabelFile = typer.Argument(..., exists=True, dir_okay=False, readable=True)
PolicyFile = typer.Option(
    None, "--policy", exists=True, dir_okay=False, help="read this SPIF instead of the node's"
)


def _registry(spif: Path | None) -> PolicyRegistry:
    if spif is not None:
        try:
            return PolicyRegistry([load_policy(spif)])
        except PolicyError as error:
            raise fail(f"invalid policy {spif}: {error}", INVALID) from None
    with open_node() as node, node.db.reading() as session:
        authority = authority_of(session)
        authority.refresh(session)
        return authority.registry


@app.command()
def render(
    label_file: Path = LabelFile,
    lang: str = typer.Option("en", help="en or fr"),
    portion: bool = typer.Option(False, "--portion", help="the portion mark, e.g. NS"),
    policy_file: Path | None = PolicyFile,
) -> None:
    """Print the marking of a 4774 XML label."""
    if lang not in ("en", "fr"):
        raise fail(f"unknown language {lang!r}: en or fr", INVALID)
    registry = _registry(policy_file)
    try:
        label = label_from_xml(label_file.read_bytes(), registry)
        policy = registry.require(label.policy)
        problems = list(label_problems(policy, label))
        if problems:
            raise fail(f"invalid label: {problems[0]}", INVALID)
        location = MarkingLocation.PORTION if portion else MarkingLocation.PAGE
        typer.echo(render_marking(policy, label, lang=lang, location=location))
    except (LabelError, PolicyError) as error:
        raise fail(f"invalid label {label_file}: {error}", INVALID) from None


@app.command()
def check(
    label_file: Path = LabelFile,
    clearance_file: Path = typer.Option(..., "--clearance", exists=True, dir_okay=False),
    policy_file: Path | None = PolicyFile,
) -> None:
    """Decide whether a clearance may read a label: prints `granted` or `denied: <reason>`."""
    registry = _registry(policy_file)
    try:
        label = label_from_xml(label_file.read_bytes(), registry)
        clearance = clearance_from_json(clearance_file.read_bytes(), registry)
        problems = list(label_problems(registry.require(label.policy), label))
    except (LabelError, ClearanceError, PolicyError) as error:
        raise fail(f"invalid input: {error}", INVALID) from None
    if problems:
        raise fail(f"invalid label: {problems[0]}", INVALID)
    decision = registry.decide(label, clearance)
    if decision.granted:
        typer.echo("granted")
        return
    typer.echo(f"denied: {decision.reason}")
    raise typer.Exit(1)
