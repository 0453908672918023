"""Account actions: creating users, signing in and out, lockout, TOTP, and their audit trail."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from sqlalchemy.orm import Session

from liaison.actions.accounts import (
    TOKEN_PREFIX,
    do_begin_totp,
    do_confirm_totp,
    do_create_user,
    do_set_clearance,
    do_sign_out,
    do_update_user,
    secret_digest,
)
from liaison.domain.accounts import SYSTEM, AccountPolicy, Principal, Role
from liaison.domain.errors import Conflict, Forbidden, Invalid, NotFound, Stale
from liaison.node import Node
from liaison.store.ids import new_id
from liaison.store.models import AuditEntry, Credential, OutboxEvent, User
from liaison.store.types import utcnow
from tests.conftest import PASSWORD, UserFactory, abandon, sign_in, table_rows

OFFICER = Principal(uuid.uuid4(), "olivia", "Olivia", "GBR", frozenset({Role.OFFICER}))


def create(session: Session, actor: Principal = SYSTEM, **changes: Any) -> User:
    fields: dict[str, Any] = {
        "username": "alice",
        "display_name": "Alice Example",
        "nation": "GBR",
        "roles": ["officer"],
        "password": PASSWORD,
        "origin": "test.liaison",
    }
    fields.update(changes)
    return do_create_user(session, actor, **fields)


def plain_user(node: Node, username: str, roles: tuple[str, ...] = ("officer",)) -> User:
    """A stored user without Argon2 hashing, for actions that never check its password."""
    with node.db.writing() as session:
        user = User(
            username=username,
            display_name=username.title(),
            nation="GBR",
            roles=list(roles),
            password_hash="not-a-real-hash",
            origin="test.liaison",
        )
        session.add(user)
        session.flush()
        return user


def trail(node: Node) -> tuple[list[Any], list[Any]]:
    return table_rows(node, AuditEntry), table_rows(node, OutboxEvent)


def user_row(node: Node, username: str) -> Any:
    (row,) = table_rows(node, User, User.username == username)
    return row


# --- creating users ------------------------------------------------------------------------


def test_an_admin_creates_a_user(node: Node) -> None:
    with node.db.writing() as session:
        user = create(session, username="  Alice ", nation="fra", roles=["officer", "guest"])
    row = user_row(node, "alice")
    assert (row["id"], row["nation"], row["roles"]) == (user.id, "FRA", ["guest", "officer"])
    assert row["password_hash"].startswith("$argon2id$")
    assert (row["version"], row["origin"], row["created_by"]) == (1, "test.liaison", SYSTEM.user_id)
    assert not row["totp_enabled"]
    assert row["failed_logins"] == 0


def test_only_admins_create_users(node: Node) -> None:
    with pytest.raises(Forbidden, match="admin"), node.db.writing() as session:
        create(session, OFFICER)
    assert table_rows(node, User) == []
    assert trail(node) == ([], [])


def test_a_taken_username_is_a_conflict_whatever_its_case(node: Node) -> None:
    with node.db.writing() as session:
        create(session, username="alice")
    with pytest.raises(Conflict, match="alice"), node.db.writing() as session:
        create(session, username="ALICE", nation="FRA")
    assert [row["nation"] for row in table_rows(node, User)] == ["GBR"]
    assert len(table_rows(node, AuditEntry)) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": "1alice"}, "username", "username must be"),
        ({"nation": "XXX"}, "nation", "'XXX'"),
        ({"nation": "GB"}, "nation", "'GB'"),
        ({"roles": ["superuser"]}, "roles", "unknown role 'superuser'"),
        ({"roles": []}, "roles", "at least one role"),
        ({"password": "short-pass"}, "password", "at least 12 characters"),
        ({"password": "password1234"}, "password", "common passwords"),
        ({"password": "aaaaaaaaaaaaaaaa"}, "password", "Repeats"),
        ({"username": "brightwater", "password": "brightwater2024"}, "password", "easy to guess"),
        ({"password": "x" * 257}, "password", "at most 256"),
    ],
)
def test_bad_input_is_invalid_and_names_the_field(
    node: Node, changes: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(Invalid, match=message) as refused, node.db.writing() as session:
        create(session, **changes)
    assert refused.value.field == field
    assert table_rows(node, User) == []
    assert trail(node) == ([], [])


# --- every write leaves one audit entry and one event, in its own transaction -----------------


def with_credential(node: Node, user: User) -> Principal:
    with node.db.writing() as session:
        credential = Credential(
            id=new_id(),
            kind="api",
            secret_hash=secret_digest(f"{TOKEN_PREFIX}{uuid.uuid4()}"),
            user_id=user.id,
            expires_at=utcnow() + timedelta(hours=1),
        )
        session.add(credential)
    return user.principal(credential.id)


def begun_totp(node: Node, user: User) -> pyotp.TOTP:
    with node.db.writing() as session:
        uri = do_begin_totp(session, user.principal(), node.sealer, issuer="test")
    totp = pyotp.parse_uri(uri)
    assert isinstance(totp, pyotp.TOTP)
    return totp


def next_code(totp: pyotp.TOTP) -> str:
    """The code of the next 30 s step: accepted once, like any code within a step of now."""
    return totp.at(time.time() + totp.interval)


Write = Callable[[Node, User], Callable[[Session], object]]


def _create(node: Node, user: User) -> Callable[[Session], object]:
    return lambda session: create(session, username="newcomer")


def _update(node: Node, user: User) -> Callable[[Session], object]:
    return lambda session: do_update_user(session, SYSTEM, user.id, display_name="Renamed")


def _clearance(node: Node, user: User) -> Callable[[Session], object]:
    clearance = {"policy": "NATO", "classifications": ["UNCLASSIFIED", "RESTRICTED"]}
    return lambda session: do_set_clearance(session, SYSTEM, user.id, clearance)


def _sign_out(node: Node, user: User) -> Callable[[Session], object]:
    principal = with_credential(node, user)
    return lambda session: do_sign_out(session, principal)


def _begin_totp(node: Node, user: User) -> Callable[[Session], object]:
    return lambda session: do_begin_totp(session, user.principal(), node.sealer, issuer="test")


def _confirm_totp(node: Node, user: User) -> Callable[[Session], object]:
    totp = begun_totp(node, user)
    return lambda session: do_confirm_totp(session, user.principal(), node.sealer, totp.now())


WRITES: dict[str, Write] = {
    "user.create": _create,
    "user.update": _update,
    "user.clearance": _clearance,
    "auth.sign_out": _sign_out,
    "auth.totp_begin": _begin_totp,
    "auth.totp_enable": _confirm_totp,
}


@pytest.mark.parametrize("action", WRITES)
def test_each_write_appends_one_audit_entry_and_one_event_with_its_change(
    node: Node, action: str
) -> None:
    user = plain_user(node, "target")
    write = WRITES[action](node, user)
    entries_before, events_before = trail(node)
    users_before = table_rows(node, User)
    credentials_before = table_rows(node, Credential)

    abandon(node, write)
    assert trail(node) == (entries_before, events_before)
    assert table_rows(node, User) == users_before
    assert table_rows(node, Credential) == credentials_before

    with node.db.writing() as session:
        write(session)
    entries, events = trail(node)
    new_entries, new_events = entries[len(entries_before) :], events[len(events_before) :]
    assert [entry["action"] for entry in new_entries] == [action]
    assert len(new_events) == 1
    assert new_entries[0]["decision"] == "granted"
    assert new_events[0]["object_id"] == new_entries[0]["object_id"] is not None
    assert new_events[0]["object_type"] == new_entries[0]["object_type"]


def test_an_update_that_changes_nothing_records_nothing(node: Node) -> None:
    user = plain_user(node, "same")
    with node.db.writing() as session:
        do_update_user(session, SYSTEM, user.id, display_name=user.display_name)
    assert trail(node) == ([], [])


def test_updates_refuse_stale_versions_and_non_admins(node: Node) -> None:
    user = plain_user(node, "edited")
    with node.db.writing() as session:
        updated = do_update_user(session, SYSTEM, user.id, expected_version=1, roles=["guest"])
        assert updated.version == 2
    with pytest.raises(Stale), node.db.writing() as session:
        do_update_user(session, SYSTEM, user.id, expected_version=1, display_name="Lost update")
    with pytest.raises(Forbidden), node.db.writing() as session:
        do_update_user(session, OFFICER, user.id, display_name="Not allowed")
    with pytest.raises(Invalid) as refused, node.db.writing() as session:
        do_update_user(session, SYSTEM, user.id, roles=["emperor"])
    assert refused.value.field == "roles"
    row = user_row(node, "edited")
    assert (row["roles"], row["display_name"], row["version"]) == (["guest"], "Edited", 2)


# --- signing in ---------------------------------------------------------------------------


def test_sign_in_issues_a_credential_stored_only_as_a_hash(
    node: Node, make_user: UserFactory
) -> None:
    user = make_user("alice")
    before = utcnow()
    outcome = sign_in(node, "Alice")
    assert outcome.failure is None
    assert outcome.secret is not None
    assert outcome.secret.startswith(TOKEN_PREFIX)
    (credential,) = table_rows(node, Credential)
    assert credential["secret_hash"] == secret_digest(outcome.secret)
    assert outcome.secret not in {str(value) for value in credential.values()}
    assert (credential["user_id"], credential["kind"], credential["csrf_token"]) == (
        user.id,
        "api",
        None,
    )
    ttl = timedelta(minutes=node.accounts.token_ttl_minutes)
    assert before + ttl <= credential["expires_at"] <= utcnow() + ttl
    (entry,) = [e for e in table_rows(node, AuditEntry) if e["action"] == "auth.sign_in"]
    assert (entry["decision"], entry["actor_id"], entry["object_id"]) == (
        "granted",
        user.id,
        str(credential["id"]),
    )


def test_a_session_sign_in_carries_a_csrf_token(node: Node, make_user: UserFactory) -> None:
    make_user("alice")
    outcome = sign_in(node, "alice", kind="session")
    assert outcome.credential is not None
    assert outcome.credential.csrf_token
    ttl = timedelta(minutes=node.accounts.session_ttl_minutes)
    assert outcome.credential.expires_at - outcome.credential.created_at == ttl
    with pytest.raises(ValueError, match="unknown credential kind"):
        sign_in(node, "alice", kind="carrier-pigeon")


def test_a_wrong_password_is_refused_counted_and_audited(
    node: Node, make_user: UserFactory
) -> None:
    user = make_user("alice")
    outcome = sign_in(node, "alice", "wrong-password-entirely")
    assert (outcome.credential, outcome.secret, outcome.failure) == (None, None, "wrong password")
    assert table_rows(node, Credential) == []
    assert user_row(node, "alice")["failed_logins"] == 1
    entry = table_rows(node, AuditEntry)[-1]
    assert (entry["action"], entry["decision"], entry["reason"]) == (
        "auth.sign_in",
        "denied",
        "wrong password",
    )
    assert (entry["actor"], entry["object_id"]) == ("alice", str(user.id))
    assert "wrong-password-entirely" not in str(dict(entry))


def test_a_success_resets_the_failure_count(node: Node, make_user: UserFactory) -> None:
    make_user("alice")
    for _ in range(3):
        assert sign_in(node, "alice", "wrong-password-entirely").failure
    assert user_row(node, "alice")["failed_logins"] == 3
    assert sign_in(node, "alice").secret is not None
    assert user_row(node, "alice")["failed_logins"] == 0


def test_five_failures_lock_the_account_for_fifteen_minutes(
    node: Node, make_user: UserFactory
) -> None:
    user = make_user("alice")
    assert (node.accounts.lockout_threshold, node.accounts.lockout_minutes) == (5, 15)
    for _ in range(4):
        assert sign_in(node, "alice", "wrong-password-entirely").failure == "wrong password"
    assert user_row(node, "alice")["locked_until"] is None
    assert not [e for e in table_rows(node, AuditEntry) if e["action"] == "auth.lockout"]

    before = utcnow()
    assert sign_in(node, "alice", "wrong-password-entirely").failure == "wrong password"
    locked_until = user_row(node, "alice")["locked_until"]
    assert locked_until is not None
    assert before + timedelta(minutes=15) <= locked_until <= utcnow() + timedelta(minutes=15)
    (lockout,) = [e for e in table_rows(node, AuditEntry) if e["action"] == "auth.lockout"]
    assert (lockout["decision"], lockout["object_id"]) == ("denied", str(user.id))
    assert "15 minutes" in lockout["reason"]

    refused = sign_in(node, "alice")  # the right password, while locked
    assert refused.secret is None
    assert refused.failure == "account locked"
    assert table_rows(node, Credential) == []
    assert table_rows(node, AuditEntry)[-1]["reason"] == "account locked"

    with node.db.writing() as session:
        session.get_one(User, user.id).locked_until = utcnow() - timedelta(seconds=1)
    assert sign_in(node, "alice").secret is not None
    row = user_row(node, "alice")
    assert (row["locked_until"], row["failed_logins"]) == (None, 0)


def test_an_unknown_user_is_refused_and_audited_as_denied(node: Node) -> None:
    outcome = sign_in(node, "  Nobody ", "whatever-password-1")
    assert (outcome.secret, outcome.failure) == (None, "unknown or inactive user")
    (entry,) = table_rows(node, AuditEntry)
    assert (entry["action"], entry["decision"], entry["actor"]) == (
        "auth.sign_in",
        "denied",
        "nobody",
    )
    assert (entry["actor_id"], entry["object_id"]) == (None, None)
    assert table_rows(node, User) == []


def test_a_deactivated_user_cannot_sign_in(node: Node, make_user: UserFactory) -> None:
    user = make_user("alice")
    with node.db.writing() as session:
        do_update_user(session, SYSTEM, user.id, is_active=False)
    assert sign_in(node, "alice").failure == "unknown or inactive user"


def test_sign_out_revokes_the_callers_credential_only(node: Node) -> None:
    alice, bob = plain_user(node, "alice"), plain_user(node, "bob")
    mine = with_credential(node, alice)
    with node.db.writing() as session:
        do_sign_out(session, mine)
    (row,) = table_rows(node, Credential)
    assert row["revoked_at"] is not None
    stolen = Principal(bob.id, "bob", "Bob", "GBR", frozenset({Role.OFFICER}), mine.credential_id)
    with pytest.raises(NotFound), node.db.writing() as session:
        do_sign_out(session, stolen)
    with pytest.raises(NotFound), node.db.writing() as session:
        do_sign_out(session, alice.principal())


# --- TOTP ---------------------------------------------------------------------------------


def test_totp_enrolment_then_sign_in_needs_the_code(node: Node, make_user: UserFactory) -> None:
    user = make_user("alice")
    with node.db.writing() as session:
        uri = do_begin_totp(session, user.principal(), node.sealer, issuer="test.liaison")
    assert uri.startswith("otpauth://totp/")
    assert "issuer=test.liaison" in uri
    totp = pyotp.parse_uri(uri)
    assert isinstance(totp, pyotp.TOTP)
    row = user_row(node, "alice")
    assert row["totp_secret"] is not None
    assert totp.secret.encode() not in row["totp_secret"]  # sealed at rest
    assert node.sealer.unseal(row["totp_secret"]) == totp.secret
    assert not row["totp_enabled"]
    assert sign_in(node, "alice").secret is not None  # not yet enabled: the password suffices

    wrong = f"{(int(totp.now()) + 500_000) % 1_000_000:06d}"
    with pytest.raises(Invalid, match="does not match") as refused, node.db.writing() as session:
        do_confirm_totp(session, user.principal(), node.sealer, wrong)
    assert refused.value.field == "otp"
    assert not user_row(node, "alice")["totp_enabled"]
    confirmed_with = totp.now()
    with node.db.writing() as session:
        do_confirm_totp(session, user.principal(), node.sealer, confirmed_with)
    assert user_row(node, "alice")["totp_enabled"]

    assert sign_in(node, "alice").failure == "second factor missing"
    assert sign_in(node, "alice", otp=wrong).failure == "wrong or reused second factor"
    assert sign_in(node, "alice", otp=confirmed_with).failure == "wrong or reused second factor"
    assert user_row(node, "alice")["failed_logins"] == 3
    fresh = next_code(totp)
    assert sign_in(node, "alice", otp=fresh).secret is not None
    assert user_row(node, "alice")["failed_logins"] == 0
    assert sign_in(node, "alice", otp=fresh).failure == "wrong or reused second factor"


def test_confirming_totp_before_beginning_is_invalid(node: Node) -> None:
    user = plain_user(node, "alice")
    with pytest.raises(Invalid, match="first") as refused, node.db.writing() as session:
        do_confirm_totp(session, user.principal(), node.sealer, "123456")
    assert refused.value.field == "otp"


def test_a_role_that_requires_totp_refuses_users_not_enrolled(
    node: Node, make_user: UserFactory
) -> None:
    admin = make_user("root", "admin")
    policy = AccountPolicy(totp_required_roles=frozenset({Role.ADMIN}))
    refused = sign_in(node, "root", policy=policy)
    assert refused.secret is None
    assert refused.failure == "second factor required by role but not enrolled"
    assert table_rows(node, AuditEntry)[-1]["reason"] == refused.failure
    assert sign_in(node, "root").secret is not None  # the node's own policy does not require it

    totp = begun_totp(node, admin)
    with node.db.writing() as session:
        do_confirm_totp(session, admin.principal(), node.sealer, totp.now())
    assert sign_in(node, "root", otp=next_code(totp), policy=policy).secret is not None
