"""liaison alerts: chase unacknowledged IMMEDIATE and FLASH messages (for cron, or by hand;
`liaison serve` also does it every 30 seconds)."""

from __future__ import annotations

import typer

from liaison.actions.alerts import do_chase_acknowledgements
from liaison.cli.common import open_node
from liaison.store.types import utcnow

app = typer.Typer(help="Precedence alerts: reminders and escalations.", no_args_is_help=True)


@app.command()
def run() -> None:
    """One round: remind silent readers, escalate past the deadline."""
    with open_node() as node, node.db.writing() as session:
        result = do_chase_acknowledgements(session, utcnow())
    typer.echo(f"{result.reminders} reminders, {result.escalations} escalations")
