"""liaison reports: export a report as a user sees it, and check a bound report package.

Exit codes of `verify`: 0 valid, 1 invalid (each problem printed), 2 unreadable input.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from liaison.actions.reports import do_note_read
from liaison.audit.checkpoint import KeyFileError, key_id, load_or_create_node_key
from liaison.cli.common import fail, load_settings, open_node
from liaison.cli.people import AsUser, acting_principal
from liaison.exports.package import MAX_PACKAGE_BYTES, bind, verify_package
from liaison.exports.pdf import render_pdf
from liaison.queries.exports import export_document
from liaison.queries.reports import view

app = typer.Typer(help="Reports: export them, and check signed packages.", no_args_is_help=True)
UNREADABLE = 2


def _node_key() -> dict[str, Ed25519PublicKey]:
    """This node's own public key, if it has one; verifying never creates a key."""
    path = load_settings().node_key_path
    if not path.exists():
        return {}
    try:
        public = load_or_create_node_key(path).public_key()
    except (KeyFileError, OSError) as error:
        raise fail(str(error), UNREADABLE) from None
    return {key_id(public): public}


def _trusted_key(path: Path) -> Ed25519PublicKey:
    try:
        key = load_pem_public_key(path.read_bytes())
    except OSError as error:
        raise fail(f"cannot read key {path}: {error.strerror or error}", UNREADABLE) from None
    except ValueError:
        raise fail(f"{path} is not a PEM public key", UNREADABLE) from None
    if not isinstance(key, Ed25519PublicKey):
        raise fail(f"{path} holds a {type(key).__name__}, not an Ed25519 key", UNREADABLE)
    return key


@app.command()
def verify(
    file: Path = typer.Argument(..., help="the package (.zip) to check"),
    keys: list[Path] = typer.Option(
        [], "--key", help="also trust this Ed25519 public key (PEM); repeatable"
    ),
) -> None:
    """Check a package's members, digests, label and signature against trusted node keys."""
    try:
        with file.open("rb") as stream:
            # One byte past the limit is enough for verify_package to refuse an oversized file.
            data = stream.read(MAX_PACKAGE_BYTES + 1)
    except OSError as error:
        raise fail(f"cannot read {file}: {error.strerror or error}", UNREADABLE) from None
    trusted = _node_key()
    for path in keys:
        key = _trusted_key(path)
        trusted[key_id(key)] = key
    verdict = verify_package(data, trusted)
    if not verdict.valid:
        for problem in verdict.problems:
            typer.echo(f"invalid: {problem}")
        raise typer.Exit(1)
    typer.echo(
        f"valid: report {verdict.report_id} signed by {verdict.origin} (key {verdict.key_id})"
    )


@app.command()
def export(
    report_id: uuid.UUID = typer.Argument(..., help="the report's id"),
    as_user: str = AsUser,
    package: bool = typer.Option(False, "--package", help="a signed bound package, not a PDF"),
    output: Path | None = typer.Option(None, "--output", "-o", help="default: report-ID.pdf/.zip"),
) -> None:
    """Export a report as USER sees it: a bannered PDF, or a signed package (the read is
    audited, as over the API)."""
    with open_node() as node:
        with node.db.writing() as session:
            reader = acting_principal(session, as_user)
            report = do_note_read(session, reader, report_id, "export")
            document = (
                export_document(session, reader, view(session, reader, report)) if report else None
            )
        if document is None:
            raise fail(f"no report {report_id} visible to {as_user}")
        data = bind(document, node.signer) if package else render_pdf(document)
    target = output or Path(f"report-{report_id}.{'zip' if package else 'pdf'}")
    target.write_bytes(data)
    typer.echo(f"wrote {target} ({len(data)} bytes, {document.overall_marking})")
