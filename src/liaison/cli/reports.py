"""liaison reports: check a bound report package (see liaison.exports.package).

Exit codes of `verify`: 0 valid, 1 invalid (each problem printed), 2 unreadable input.
"""

from __future__ import annotations

from pathlib import Path

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from liaison.audit.checkpoint import KeyFileError, key_id, load_or_create_node_key
from liaison.cli.common import fail, load_settings
from liaison.exports.package import MAX_PACKAGE_BYTES, verify_package

app = typer.Typer(help="Report exports: check signed report packages.", no_args_is_help=True)
UNREADABLE = 2


@app.callback()
def reports() -> None:
    """Keeps `verify` a named subcommand while it is the only one."""


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
