"""`liaison reports verify`: this node's key is trusted, others only when given with --key."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner, Result

from liaison.audit.checkpoint import key_id, load_or_create_node_key
from liaison.audit.log import NodeSigner
from liaison.cli.reports import app
from liaison.exports.package import bind
from tests.exports.samples import report

runner = CliRunner()
Env = dict[str, str]
REPORT_ID = report().report_id


@pytest.fixture
def env(tmp_path: Path) -> Env:
    return {"LIAISON_DATA_DIR": str(tmp_path / "var"), "LIAISON_NODE_NAME": "gbr.liaison"}


@pytest.fixture
def own_key(env: Env) -> Ed25519PrivateKey:
    return load_or_create_node_key(Path(env["LIAISON_DATA_DIR"]) / "node_key.pem")


def run(env: Env, *args: str) -> Result:
    return runner.invoke(app, ["verify", *args], env=env)


def write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def public_pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_a_package_signed_by_this_node_is_valid(
    env: Env, own_key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    package = write(tmp_path / "r.zip", bind(report(), NodeSigner("gbr.liaison", own_key)))
    result = run(env, package)
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"valid: report {REPORT_ID} signed by gbr.liaison (key {key_id(own_key.public_key())})\n"
    )


def test_another_nodes_package_needs_its_key(
    env: Env, own_key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    other = Ed25519PrivateKey.generate()
    package = write(tmp_path / "r.zip", bind(report(), NodeSigner("fra.liaison", other)))
    refused = run(env, package)
    assert refused.exit_code == 1
    assert refused.output.startswith(f"invalid: signed by key {key_id(other.public_key())}")
    pem = write(tmp_path / "fra.pem", public_pem(other))
    accepted = run(env, package, "--key", pem)
    assert accepted.exit_code == 0, accepted.output
    assert "signed by fra.liaison" in accepted.output


def test_each_problem_is_printed(env: Env, own_key: Ed25519PrivateKey, tmp_path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(bind(report(), NodeSigner("gbr.liaison", own_key)))) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    members["content.json"] = members["content.json"].replace(b"Company", b"Battalion")
    members["label.xml"] = members["label.xml"].replace(b"SECRET", b"RESTRICTED")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    result = run(env, write(tmp_path / "r.zip", buffer.getvalue()))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("invalid: content.json does not match its digest")
    assert lines[1].startswith("invalid: label.xml does not match its digest")


def test_without_a_node_key_only_given_keys_are_trusted(env: Env, tmp_path: Path) -> None:
    signer = Ed25519PrivateKey.generate()
    package = write(tmp_path / "r.zip", bind(report(), NodeSigner("fra.liaison", signer)))
    assert run(env, package).exit_code == 1
    assert run(env, package, "--key", write(tmp_path / "k.pem", public_pem(signer))).exit_code == 0
    assert not (Path(env["LIAISON_DATA_DIR"]) / "node_key.pem").exists()


def one_line_failure(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def test_an_unreadable_package_is_one_line(env: Env, tmp_path: Path) -> None:
    assert "cannot read" in one_line_failure(run(env, str(tmp_path / "missing.zip")))
    assert "cannot read" in one_line_failure(run(env, str(tmp_path)))


def test_a_bad_key_file_is_one_line(env: Env, own_key: Ed25519PrivateKey, tmp_path: Path) -> None:
    package = write(tmp_path / "r.zip", bind(report(), NodeSigner("gbr.liaison", own_key)))
    garbage = write(tmp_path / "k.pem", b"not a key")
    assert "is not a PEM public key" in one_line_failure(run(env, package, "--key", garbage))
    missing = str(tmp_path / "nokey.pem")
    assert "cannot read key" in one_line_failure(run(env, package, "--key", missing))
