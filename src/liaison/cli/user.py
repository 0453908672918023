"""liaison user: accounts from the command line (the first administrator is made here)."""

from __future__ import annotations

import sys

import typer

from liaison.actions.accounts import do_create_user
from liaison.cli.common import open_node
from liaison.domain.accounts import SYSTEM

app = typer.Typer(help="User accounts.", no_args_is_help=True)


@app.command()
def create(
    username: str = typer.Option(...),
    nation: str = typer.Option(..., help="ISO 3166 alpha-3, e.g. GBR"),
    role: list[str] = typer.Option(
        ..., help="admin, security_officer, releasing_officer, officer or guest; repeat for several"
    ),
    display_name: str = typer.Option("", help="defaults to the username"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="read the password from standard input"
    ),
) -> None:
    """Create a user account."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with open_node() as node, node.db.writing() as session:
        user = do_create_user(
            session,
            SYSTEM,
            username=username,
            display_name=display_name,
            nation=nation,
            roles=role,
            password=password,
            origin=node.settings.node_name,
        )
        typer.echo(f"created {user.username} ({user.nation}; {', '.join(user.roles)}) id {user.id}")
