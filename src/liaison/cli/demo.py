"""liaison demo: a node with demo data, for a first look. Later areas add their own demo data."""

from __future__ import annotations

from dataclasses import dataclass

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.actions.accounts import do_create_user, do_set_clearance
from liaison.cli.common import open_node
from liaison.cli.demo_channels import seed_channels
from liaison.cli.demo_reports import seed_reports
from liaison.cli.demo_structure import link_demo_accounts, seed_structure
from liaison.cli.serve import run_server
from liaison.domain.accounts import SYSTEM
from liaison.store import migrate
from liaison.store.models import User


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    nation: str
    roles: tuple[str, ...]
    password: str
    cleared_to: str | None = None  # highest NATO classification held
    special: tuple[str, ...] = ()

    def clearance(self) -> dict[str, object] | None:
        if self.cleared_to is None:
            return None
        held = NATO_LEVELS[: NATO_LEVELS.index(self.cleared_to) + 1]
        categories = {"Releasable To": [self.nation, "NATO"]}
        if self.special:
            categories["Special Category Designators"] = list(self.special)
        return {"policy": "NATO", "classifications": held, "categories": categories}


NATO_LEVELS = ["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET", "TOP SECRET"]

# Published demo passwords: for a local first look only, never for a real node.
DEMO_ACCOUNTS = (
    DemoAccount("admin", "Node Administrator", "GBR", ("admin",), "demo-admin-harbour-lantern"),
    DemoAccount(
        "gbr.lno",
        "Maj Eleanor Hughes",
        "GBR",
        ("officer",),
        "demo-gbr-thistle-compass",
        "SECRET",
    ),
    DemoAccount(
        "gbr.fdo",
        "Lt Col Rupert Ainsworth",
        "GBR",
        ("officer", "releasing_officer"),
        "demo-gbr-ensign-lighthouse",
        "SECRET",
    ),
    DemoAccount(
        "fra.lno",
        "Cdt Julien Marchand",
        "FRA",
        ("officer",),
        "demo-fra-glacier-violon",
        "SECRET",
    ),
    DemoAccount(
        "usa.lno",
        "CPT Maria Alvarez",
        "USA",
        ("officer",),
        "demo-usa-prairie-beacon",
        "SECRET",
    ),
    DemoAccount(
        "usa.fdo",
        "LTC Dana Whitaker",
        "USA",
        ("officer", "releasing_officer"),
        "demo-usa-canyon-meridian",
        "SECRET",
    ),
    DemoAccount(
        "deu.security",
        "OTL Markus Brandt",
        "DEU",
        ("security_officer",),
        "demo-deu-lindenbaum-funk",
        "TOP SECRET",
        ("ATOMAL",),
    ),
    DemoAccount(
        "guest",
        "Visiting Observer",
        "NLD",
        ("guest",),
        "demo-guest-tulip-windmill",
        "UNCLASSIFIED",
    ),
)


def seed(session: Session, origin: str) -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet, then the demo organization and people
    (once), link the demo accounts to their people, and write the demo reports (once); return
    the accounts created."""
    existing = set(session.scalars(select(User.username)))
    created = []
    for account in DEMO_ACCOUNTS:
        if account.username in existing:
            continue
        user = do_create_user(
            session,
            SYSTEM,
            username=account.username,
            display_name=account.display_name,
            nation=account.nation,
            roles=list(account.roles),
            password=account.password,
            origin=origin,
        )
        clearance = account.clearance()
        if clearance is not None:
            do_set_clearance(session, SYSTEM, user.id, clearance)
        created.append(account)
    seed_structure(session, origin)
    link_demo_accounts(session)
    seed_reports(session, origin)
    seed_channels(session, origin)
    return created


def demo(
    seed_only: bool = typer.Option(False, "--seed-only", help="seed and exit without serving"),
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8080),
) -> None:
    """Migrate, seed the demo data, print the demo logins and serve."""
    with open_node(migrated=False) as node:
        migrate.upgrade(node.db.engine)
        with node.db.writing() as session:
            seed(session, node.settings.node_name)
    typer.echo("Demo logins (username / password):")
    for account in DEMO_ACCOUNTS:
        roles = ", ".join(account.roles)
        typer.echo(f"  {account.username:<14} {account.password:<28} {account.nation} {roles}")
    if not seed_only:
        run_server(host, port, workers=1)
