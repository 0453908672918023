"""liaison audit: verify the log and sign checkpoints."""

from __future__ import annotations

import json
import sys

import typer
from sqlalchemy import func, select

from liaison.audit.log import checkpoint_now
from liaison.audit.verify import verify_log
from liaison.cli.common import fail, open_node
from liaison.store.models import AuditEntry

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@app.command()
def verify(as_json: bool = typer.Option(False, "--json")) -> None:
    """Recompute the Merkle tree and check every signed checkpoint. Exit 1 on any tampering."""
    with open_node() as node, node.db.reading() as session:
        total = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        with typer.progressbar(length=total, label="verifying", file=sys.stderr) as bar:
            result = verify_log(session, node.signer.key.public_key(), bar.update)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "ok": result.ok,
                    "entries": result.entries,
                    "checkpoints": result.checkpoints,
                    "problem": result.problem,
                }
            )
        )
    if not result.ok:
        raise fail(f"audit log verification FAILED: {result.problem}")
    if not as_json:
        typer.echo(
            f"audit log intact: {result.entries} entries, {result.checkpoints} signed checkpoints"
        )


@app.command()
def checkpoint() -> None:
    """Sign a checkpoint of the log as it stands now."""
    with open_node() as node, node.db.writing() as session:
        row = checkpoint_now(session)
        if row is None:
            typer.echo("the log is empty: nothing to sign")
        else:
            typer.echo(f"checkpoint at size {row.size}, root {row.root.hex()}")
