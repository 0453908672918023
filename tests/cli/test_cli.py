"""The `liaison` command: migrations, users, the audit log, the demo, and clear failures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from liaison.cli.demo import DEMO_ACCOUNTS
from liaison.cli.main import app
from liaison.node import Node
from liaison.settings import Settings
from liaison.store import migrate
from liaison.store.models import AuditEntry, User
from tests.conftest import PASSWORD, sign_in, table_rows

runner = CliRunner()
Env = dict[str, str]


def run(env: Env, *args: str, stdin: str | None = None) -> Result:
    return runner.invoke(app, list(args), env=env, input=stdin)


@pytest.fixture
def cli_env(node: Node) -> Env:
    """The test database (emptied) and the node's own data dir, so both use the same keys."""
    return {
        "LIAISON_DATA_DIR": str(node.settings.data_dir),
        "LIAISON_DATABASE_URL": node.settings.resolved_database_url,
        "LIAISON_NODE_NAME": node.settings.node_name,
    }


@pytest.fixture
def fresh_env(tmp_path: Path) -> Env:
    """A new node on an empty SQLite file."""
    return {
        "LIAISON_DATA_DIR": str(tmp_path / "var"),
        "LIAISON_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "LIAISON_NODE_NAME": "fresh.liaison",
    }


def assert_one_line_failure(result: Result, code: int = 1) -> str:
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit)  # not an unhandled exception
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("liaison: ")
    return lines[0]


# --- db -----------------------------------------------------------------------------------


def test_db_upgrade_and_check_on_a_fresh_database(fresh_env: Env, tmp_path: Path) -> None:
    upgraded = run(fresh_env, "db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert f"database at revision {migrate.head_revision()}" in upgraded.output
    assert (tmp_path / "fresh.sqlite3").exists()
    assert (tmp_path / "var" / "node_key.pem").stat().st_mode & 0o077 == 0
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0
    checked = run(fresh_env, "db", "check")
    assert checked.exit_code == 0, checked.output
    assert "models and migrations agree" in checked.output


def test_db_check_on_the_test_database(cli_env: Env) -> None:
    result = run(cli_env, "db", "check")
    assert result.exit_code == 0, result.output
    assert "models and migrations agree" in result.output


@pytest.mark.parametrize(
    "command",
    [
        ("serve", "--port", "1"),
        ("audit", "verify"),
        ("audit", "checkpoint"),
        (
            "user",
            "create",
            "--username",
            "a1",
            "--nation",
            "GBR",
            "--role",
            "officer",
            "--password-stdin",
        ),
    ],
)
def test_commands_refuse_a_database_that_is_behind(
    fresh_env: Env, command: tuple[str, ...]
) -> None:
    line = assert_one_line_failure(run(fresh_env, *command, stdin=PASSWORD + "\n"))
    assert "liaison db upgrade" in line


# --- user ---------------------------------------------------------------------------------


def test_user_create_reads_the_password_from_stdin(cli_env: Env, node: Node) -> None:
    result = run(
        cli_env,
        *("user", "create", "--username", "Alice", "--nation", "fra"),
        *("--role", "officer", "--role", "releasing_officer", "--password-stdin"),
        stdin=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "created alice (FRA; officer, releasing_officer)" in result.output
    (row,) = table_rows(node, User)
    assert (row["username"], row["roles"]) == ("alice", ["officer", "releasing_officer"])
    assert sign_in(node, "alice", PASSWORD).secret is not None  # no trailing newline kept


@pytest.mark.parametrize(
    ("options", "password", "message"),
    [
        ((), "password1234", "password is on the list of common passwords"),
        ((), "short", "password must be at least 12 characters"),
        (("--nation", "XXX"), PASSWORD, "unknown nation code 'XXX'"),
    ],
)
def test_user_create_refuses_bad_input_in_one_line(
    cli_env: Env, node: Node, options: tuple[str, ...], password: str, message: str
) -> None:
    result = run(
        cli_env,
        *("user", "create", "--username", "alice", "--role", "officer", "--password-stdin"),
        *(options or ("--nation", "GBR")),
        stdin=password + "\n",
    )
    assert message in assert_one_line_failure(result)
    assert table_rows(node, User) == []
    assert table_rows(node, AuditEntry) == []


# --- audit --------------------------------------------------------------------------------


def test_audit_verify_passes_then_names_a_hand_edited_entry(
    cli_env: Env, node: Node, make_user
) -> None:
    make_user("alice")
    for _ in range(3):
        sign_in(node, "alice", "wrong-password-for-the-log")
    intact = run(cli_env, "audit", "verify")
    assert intact.exit_code == 0, intact.output
    assert "audit log intact: 4 entries" in intact.output

    with node.db.engine.begin() as connection:
        connection.execute(text("UPDATE audit_entries SET reason = 'all fine' WHERE idx = 2"))
    tampered = run(cli_env, "audit", "verify")
    assert tampered.exit_code == 1
    assert "Traceback" not in tampered.output
    assert "verification FAILED: entry 2 was altered" in tampered.output

    as_json = run(cli_env, "audit", "verify", "--json")
    assert as_json.exit_code == 1
    report = json.loads(as_json.stdout.strip().splitlines()[-1])
    assert (report["ok"], report["entries"]) == (False, 2)
    assert "entry 2" in report["problem"]


def test_audit_verify_json_on_an_intact_log(cli_env: Env) -> None:
    result = run(cli_env, "audit", "verify", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "ok": True,
        "entries": 0,
        "checkpoints": 0,
        "problem": None,
    }


def test_audit_checkpoint_signs_the_log(cli_env: Env, node: Node, make_user) -> None:
    empty = run(cli_env, "audit", "checkpoint")
    assert empty.exit_code == 0, empty.output
    assert "nothing to sign" in empty.output
    make_user("alice")
    signed = run(cli_env, "audit", "checkpoint")
    assert signed.exit_code == 0, signed.output
    assert "checkpoint at size 1, root " in signed.output
    verified = run(cli_env, "audit", "verify")
    assert "1 entries, 1 signed checkpoints" in verified.output


# --- demo ---------------------------------------------------------------------------------


def test_demo_seed_only_is_idempotent_and_prints_the_logins(fresh_env: Env) -> None:
    first = run(fresh_env, "demo", "--seed-only")
    assert first.exit_code == 0, first.output
    for account in DEMO_ACCOUNTS:
        assert account.username in first.output
        assert account.password in first.output
    second = run(fresh_env, "demo", "--seed-only")
    assert second.exit_code == 0, second.output
    assert "Demo logins" in second.output

    demo_node = Node.open(
        Settings(
            data_dir=Path(fresh_env["LIAISON_DATA_DIR"]),
            database_url=fresh_env["LIAISON_DATABASE_URL"],
            node_name=fresh_env["LIAISON_NODE_NAME"],
        )
    )
    try:
        users = table_rows(demo_node, User)
        assert sorted(row["username"] for row in users) == sorted(
            account.username for account in DEMO_ACCOUNTS
        )
        admin = DEMO_ACCOUNTS[0]
        assert sign_in(demo_node, admin.username, admin.password).secret is not None
    finally:
        demo_node.close()


# --- failures -----------------------------------------------------------------------------


def test_a_bad_setting_is_named(fresh_env: Env) -> None:
    result = run({**fresh_env, "LIAISON_NODE_NAME": "bad name!"}, "db", "check")
    line = assert_one_line_failure(result, code=2)
    assert "LIAISON_NODE_NAME" in line


@pytest.mark.parametrize("key_file", ["secret_key", "node_key.pem"])
def test_a_key_file_readable_by_others_is_refused(
    fresh_env: Env, tmp_path: Path, key_file: str
) -> None:
    assert run(fresh_env, "db", "upgrade").exit_code == 0  # creates both key files, 0600
    (tmp_path / "var" / key_file).chmod(0o644)
    line = assert_one_line_failure(run(fresh_env, "audit", "verify"))
    assert key_file in line


def test_an_unreachable_database_is_one_clear_line(fresh_env: Env) -> None:
    env = {**fresh_env, "LIAISON_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    for command in (("db", "upgrade"), ("audit", "verify"), ("demo", "--seed-only")):
        line = assert_one_line_failure(run(env, *command))
        assert "database unreachable at postgresql+psycopg://nobody@127.0.0.1:1/none" in line


def test_python_dash_m_liaison_shows_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "liaison", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for command in ("db", "user", "audit", "serve", "demo"):
        assert command in result.stdout
