"""Account rules: passwords, usernames, nations, roles and principals."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.domain import accounts as rules
from liaison.domain.accounts import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    SYSTEM,
    Principal,
    Role,
)
from liaison.domain.errors import Forbidden

GOOD_PASSPHRASE = "tangerine-ocelot-harbour-91"


# --- passwords ----------------------------------------------------------------------------


def test_a_good_passphrase_is_accepted() -> None:
    assert rules.password_problems(GOOD_PASSPHRASE) == []


@pytest.mark.parametrize("password", ["", "short", "elevenchars", "a1b2c3d4e5f"])
def test_passwords_shorter_than_twelve_are_refused(password: str) -> None:
    assert len(password) < MIN_PASSWORD_LENGTH == 12
    assert rules.password_problems(password) == ["password must be at least 12 characters"]


def test_twelve_characters_are_enough_when_unguessable() -> None:
    assert rules.password_problems("Vq8#tL2w!zR6") == []


@pytest.mark.parametrize("password", ["password1234", "Password1234", "PASSWORD1234"])
def test_common_passwords_are_refused(password: str) -> None:
    assert rules.password_problems(password) == ["password is on the list of common passwords"]


@pytest.mark.parametrize(
    "password", ["aaaaaaaaaaaaaaaa", "abcdefghijklmnop", "qwertyuiopasdf", "123456789012"]
)
def test_weak_guessable_passwords_are_refused(password: str) -> None:
    problems = rules.password_problems(password)
    assert len(problems) == 1
    assert problems[0]  # zxcvbn's warning, or a generic one


def test_a_password_built_from_the_username_is_refused() -> None:
    password = "brightwater2024"
    assert rules.password_problems(password) == []  # fine for someone else...
    assert rules.password_problems(password, ("brightwater",)) != []  # ...not for brightwater


def test_passwords_longer_than_the_maximum_are_refused() -> None:
    assert MAX_PASSWORD_LENGTH == 256
    long_but_fine = ("tangerine-ocelot-" * 20)[:MAX_PASSWORD_LENGTH]
    assert rules.password_problems(long_but_fine + "x") == [
        "password must be at most 256 characters"
    ]


def test_password_hashes_are_argon2id_and_verify() -> None:
    hashed = rules.hash_password(GOOD_PASSPHRASE)
    assert hashed.startswith("$argon2id$")
    assert GOOD_PASSPHRASE not in hashed
    assert rules.verify_password(hashed, GOOD_PASSPHRASE)
    assert not rules.verify_password(hashed, GOOD_PASSPHRASE + "!")
    assert not rules.verify_password("not a hash", GOOD_PASSPHRASE)
    assert not rules.verify_password(hashed, "x" * (MAX_PASSWORD_LENGTH + 1))


def test_the_same_password_hashes_differently_each_time() -> None:
    assert rules.hash_password(GOOD_PASSPHRASE) != rules.hash_password(GOOD_PASSPHRASE)


# --- usernames, nations, roles ------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [("Alice", "alice"), ("  gbr.LNO  ", "gbr.lno"), ("j_doe-2", "j_doe-2"), ("ab", "ab")],
)
def test_usernames_are_normalised(given: str, expected: str) -> None:
    assert rules.normalize_username(given) == expected


@pytest.mark.parametrize("bad", ["", "a", "1abc", ".alice", "al ice", "alice@x", "é" * 3, "a" * 65])
def test_bad_usernames_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="username must be"):
        rules.normalize_username(bad)


@given(st.from_regex(r"[A-Za-z][A-Za-z0-9._-]{1,63}", fullmatch=True))
def test_username_normalisation_is_idempotent_and_lowercase(name: str) -> None:
    once = rules.normalize_username(name)
    assert once == name.lower()
    assert rules.normalize_username(once) == once


@pytest.mark.parametrize(("given", "expected"), [("GBR", "GBR"), ("fra", "FRA"), (" usa ", "USA")])
def test_nation_codes_are_iso_alpha3(given: str, expected: str) -> None:
    assert rules.normalize_nation(given) == expected


@pytest.mark.parametrize("bad", ["XXX", "GB", "GBRT", "", "123"])
def test_unknown_nation_codes_are_refused_by_name(bad: str) -> None:
    with pytest.raises(ValueError, match="unknown nation code") as refused:
        rules.normalize_nation(bad)
    assert repr(bad) in str(refused.value)
    assert "alpha-3" in str(refused.value)


def test_roles_parse_and_unknown_roles_are_named() -> None:
    assert rules.parse_roles(["admin", "officer", "admin"]) == {Role.ADMIN, Role.OFFICER}
    assert rules.parse_roles([]) == frozenset()
    assert {role.value for role in Role} == {
        "admin",
        "security_officer",
        "releasing_officer",
        "officer",
        "guest",
    }
    with pytest.raises(ValueError, match="unknown role 'superuser'"):
        rules.parse_roles(["officer", "superuser"])


def test_principals_require_their_roles() -> None:
    officer = Principal(uuid.uuid4(), "bob", "Bob", "GBR", frozenset({Role.OFFICER}))
    assert officer.has(Role.OFFICER)
    assert not officer.has(Role.ADMIN)
    officer.require(Role.OFFICER)
    with pytest.raises(Forbidden, match="admin"):
        officer.require(Role.ADMIN)
    SYSTEM.require(Role.ADMIN)
