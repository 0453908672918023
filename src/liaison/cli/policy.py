"""liaison policy: the security policies (XML-SPIF) installed on the node."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from liaison.actions.policies import do_install_policy
from liaison.cli.common import open_node
from liaison.domain.accounts import SYSTEM
from liaison.queries.policies import get_policy, list_policies
from liaison.security import Policy, render_marking
from liaison.security.model import Label

app = typer.Typer(help="Security policies (XML-SPIF).", no_args_is_help=True)


@app.command()
def load(spif: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True)) -> None:
    """Install a SPIF on the node (validated first; refused if broken or already installed)."""
    with open_node() as node, node.db.writing() as session:
        row = do_install_policy(session, SYSTEM, spif.read_bytes())
        typer.echo(f"installed policy {row.name} ({row.policy_id})")


@app.command()
def show(
    name: str | None = typer.Argument(None, help="a policy name or OID; all policies without"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List the node's policies, or show one policy's classifications and categories."""
    with open_node() as node, node.db.reading() as session:
        if name is None:
            policies = list_policies(session)
            if as_json:
                typer.echo(json.dumps([_summary(p) for p in policies], indent=2))
                return
            for each in policies:
                typer.echo(f"{each.name:<12} {each.id:<50} version {each.version or '-'}")
            return
        policy = get_policy(session, name)
    if as_json:
        typer.echo(json.dumps(_details(policy), indent=2, ensure_ascii=False))
        return
    typer.echo(f"{policy.name} ({policy.id}), version {policy.version or '-'}")
    typer.echo("classifications:")
    for classification in sorted(policy.classifications, key=lambda c: c.hierarchy):
        marking = render_marking(policy, Label(policy.name, classification.name))
        typer.echo(f"  {classification.hierarchy:>3}  {classification.name:<16} {marking}")
    for tag_set in policy.tag_sets:
        for tag in tag_set.tags:
            values = ", ".join(c.name for c in tag.categories if not c.obsolete)
            typer.echo(f"{tag_set.name} ({tag.kind.value.lower()}): {values}")


def _summary(policy: Policy) -> dict[str, str | None]:
    return {"name": policy.name, "id": policy.id, "version": policy.version}


def _details(policy: Policy) -> dict[str, object]:
    return {
        **_summary(policy),
        "classifications": [
            {
                "name": c.name,
                "hierarchy": c.hierarchy,
                "marking": render_marking(policy, Label(policy.name, c.name)),
            }
            for c in sorted(policy.classifications, key=lambda c: c.hierarchy)
        ],
        "tag_sets": [
            {
                "name": t.name,
                "tags": [
                    {
                        "name": tag.name,
                        "kind": tag.kind.value,
                        "values": [c.name for c in tag.categories],
                    }
                    for tag in t.tags
                ],
            }
            for t in policy.tag_sets
        ],
    }
