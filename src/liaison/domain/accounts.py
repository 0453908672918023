"""Accounts: roles, usernames, nations, and the rules a password must meet."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from liaison.domain.errors import Forbidden
from liaison.domain.nations import normalize_nation as normalize_nation  # re-exported
from liaison.security import Clearance

MIN_PASSWORD_LENGTH = 12
# Argon2 cost grows with input; refuse absurd lengths before hashing them.
MAX_PASSWORD_LENGTH = 256
MIN_PASSWORD_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline attack"
USERNAME_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")

_COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])
_hasher = PasswordHasher()  # argon2-cffi defaults: Argon2id, RFC 9106 low-memory profile


class Role(StrEnum):
    ADMIN = "admin"
    SECURITY_OFFICER = "security_officer"
    RELEASING_OFFICER = "releasing_officer"
    OFFICER = "officer"
    GUEST = "guest"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller, as every action and query sees it."""

    user_id: uuid.UUID
    username: str
    display_name: str
    nation: str
    roles: frozenset[Role]
    credential_id: uuid.UUID | None = None
    clearance: Clearance | None = None  # None: no clearance, so no labelled object is visible

    def has(self, role: Role) -> bool:
        return role in self.roles

    def require(self, role: Role) -> None:
        if role not in self.roles:
            raise Forbidden(f"this needs the {role.value} role")

    def require_any(self, *roles: Role) -> None:
        if not self.roles & set(roles):
            raise Forbidden(f"this needs the {' or '.join(role.value for role in roles)} role")


# The node acting on an operator's command line: whoever runs the CLI on the host is trusted.
SYSTEM = Principal(
    user_id=uuid.UUID(int=0),
    username="system",
    display_name="Liaison node",
    nation="",
    roles=frozenset({Role.ADMIN, Role.SECURITY_OFFICER}),
)


def normalize_username(username: str) -> str:
    """Usernames compare case-insensitively; store one canonical form."""
    normalized = username.strip().lower()
    if not USERNAME_PATTERN.fullmatch(normalized):
        raise ValueError(
            "username must be 2-64 characters: a letter, then letters, digits, '.', '_' or '-'"
        )
    return normalized


def parse_roles(names: list[str]) -> frozenset[Role]:
    roles = set()
    for name in names:
        try:
            roles.add(Role(name))
        except ValueError:
            known = ", ".join(role.value for role in Role)
            raise ValueError(f"unknown role {name!r}: expected one of {known}") from None
    return frozenset(roles)


def password_problems(password: str, user_inputs: tuple[str, ...] = ()) -> list[str]:
    """Why a new password is refused; empty when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [f"password must be at least {MIN_PASSWORD_LENGTH} characters"]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [f"password must be at most {MAX_PASSWORD_LENGTH} characters"]
    if password.lower() in _COMMON_PASSWORDS:
        return ["password is on the list of common passwords"]
    verdict = zxcvbn(password, user_inputs=list(user_inputs))
    if verdict["score"] < MIN_PASSWORD_SCORE:
        warning = verdict["feedback"]["warning"]
        return [warning.rstrip(".") if warning else "password is too easy to guess"]
    return []


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def dummy_verify(password: str) -> None:
    """Spend the time of a real verification, so a missing user is not revealed by timing."""
    verify_password(_DUMMY_HASH, password)


_DUMMY_HASH = _hasher.hash("liaison-timing-equaliser")


@dataclass(frozen=True, slots=True)
class AccountPolicy:
    """The node's sign-in rules (from settings)."""

    lockout_threshold: int = 5
    lockout_minutes: int = 15
    token_ttl_minutes: int = 12 * 60
    session_ttl_minutes: int = 8 * 60
    totp_required_roles: frozenset[Role] = frozenset()
