"""liaison glossary: import an office's terminology from CSV or TBX (ISO 30042)."""

from __future__ import annotations

import uuid
from pathlib import Path

import typer

from liaison.actions.glossary import do_import_glossary
from liaison.cli.common import fail, open_node
from liaison.cli.people import AsUser, acting_principal
from liaison.domain.errors import LiaisonError
from liaison.domain.glossary import GlossaryError, parse_glossary_csv, parse_tbx
from liaison.security import LabelError, label_from_json

app = typer.Typer(help="Terminology glossaries of the offices.", no_args_is_help=True)
MAX_FILE_BYTES = 8 * 1024 * 1024


@app.command("import")
def import_(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    username: str = AsUser,
    office: uuid.UUID = typer.Option(..., help="the office whose glossary it is"),
    label_file: Path | None = typer.Option(
        None, "--label", exists=True, dir_okay=False, help="a label (JSON) for the terms"
    ),
    replace: bool = typer.Option(False, help="replace the office's glossary instead of adding"),
) -> None:
    """Import FILE: TBX when it ends in .tbx or .xml, else CSV (a header of language codes,
    e.g. en,fr,de, and optional definition and note columns; several terms per cell separated
    by ";"). All or nothing: every problem is reported, with its line."""
    data = file.read_bytes()[: MAX_FILE_BYTES + 1]
    try:
        is_tbx = file.suffix.lower() in {".tbx", ".xml"}
        entries = parse_tbx(data) if is_tbx else parse_glossary_csv(data)
    except GlossaryError as error:
        raise fail(f"{file}: {error}") from None
    label = None
    if label_file is not None:
        try:
            label = label_from_json(label_file.read_bytes())
        except (LabelError, OSError) as error:
            raise fail(f"invalid label {label_file}: {error}") from None
    with open_node() as node:
        try:
            with node.db.writing() as session:
                actor = acting_principal(session, username)
                count = do_import_glossary(
                    session,
                    actor,
                    office,
                    entries,
                    label=label,
                    replace=replace,
                    origin=node.settings.node_name,
                )
        except LiaisonError as error:
            raise fail(str(error)) from None
    typer.echo(f"imported {count} glossary entries")
