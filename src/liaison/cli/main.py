"""The `liaison` command: `liaison <area> <verb>`."""

from __future__ import annotations

import typer

from liaison.cli import alerts, audit, db, glossary, labels, org, people, policy, reports, user
from liaison.cli.demo import demo
from liaison.cli.serve import serve

app = typer.Typer(help="Liaison: a node for military liaison offices.", no_args_is_help=True)
app.add_typer(db.app, name="db")
app.add_typer(user.app, name="user")
app.add_typer(audit.app, name="audit")
app.add_typer(policy.app, name="policy")
app.add_typer(labels.app, name="labels")
app.add_typer(people.app, name="people")
app.add_typer(org.app, name="org")
app.add_typer(reports.app, name="reports")
app.add_typer(glossary.app, name="glossary")
app.add_typer(alerts.app, name="alerts")
app.command()(serve)
app.command()(demo)


def main() -> None:
    app()
