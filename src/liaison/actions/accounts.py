"""What users and administrators do with accounts: create, sign in, sign out, enrol TOTP."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.actions.recording import record
from liaison.domain import accounts as rules
from liaison.domain.accounts import AccountPolicy, Principal, Role
from liaison.domain.errors import Conflict, Invalid, NotFound, Stale
from liaison.domain.geo import parse_time_zone
from liaison.domain.sealing import Sealer
from liaison.security import ClearanceError, clearance_from_json, clearance_to_json
from liaison.store.ids import new_id
from liaison.store.labels import authority_of
from liaison.store.models import Credential, User
from liaison.store.types import utcnow

TOKEN_PREFIX = "lia_"  # noqa: S105 - a marker that makes leaked tokens easy to scan for
CREDENTIAL_KINDS = ("api", "session")


def secret_digest(secret: str) -> bytes:
    """Bearer secrets are stored only as their SHA-256: they are random, so no salt is needed."""
    return hashlib.sha256(secret.encode()).digest()


def do_create_user(
    session: Session,
    actor: Principal,
    *,
    username: str,
    display_name: str,
    nation: str,
    roles: list[str],
    password: str,
    origin: str,
) -> User:
    actor.require(Role.ADMIN)
    try:
        name = rules.normalize_username(username)
    except ValueError as error:
        raise Invalid(str(error), field="username") from None
    try:
        nation_code = rules.normalize_nation(nation)
    except ValueError as error:
        raise Invalid(str(error), field="nation") from None
    role_set = _parse_roles(roles)
    problems = rules.password_problems(password, (name, display_name))
    if problems:
        raise Invalid(problems[0], field="password")
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise Conflict(f"username {name!r} is taken")
    user = User(
        username=name,
        display_name=display_name.strip() or name,
        nation=nation_code,
        roles=sorted(role.value for role in role_set),
        password_hash=rules.hash_password(password),
        origin=origin,
        created_by=actor.user_id,
    )
    session.add(user)
    session.flush()
    record(
        session,
        actor,
        "user.create",
        object_type="user",
        object_id=user.id,
        reason=f"roles {','.join(user.roles)}",
        event="user.created",
        payload={"username": user.username},
    )
    return user


@dataclass(frozen=True, slots=True)
class SignIn:
    """The outcome of a sign-in. On failure `failure` is for the audit log, never the caller."""

    credential: Credential | None = None
    secret: str | None = None
    failure: str | None = None


def do_sign_in(
    session: Session,
    policy: AccountPolicy,
    sealer: Sealer,
    *,
    username: str,
    password: str,
    otp: str | None,
    kind: str,
) -> SignIn:
    """Check the password (and TOTP), count failures, lock after too many.

    Returns instead of raising, so that the failure count and audit entry commit.
    """
    if kind not in CREDENTIAL_KINDS:
        raise ValueError(f"unknown credential kind {kind!r}")
    now = utcnow()
    name = username.strip().lower()
    user = session.scalars(select(User).where(User.username == name)).one_or_none()
    if user is None or not user.is_active:
        rules.dummy_verify(password)
        return _refuse(session, None, name, "unknown or inactive user")
    if user.locked_until is not None and user.locked_until > now:
        rules.dummy_verify(password)
        return _refuse(session, user, name, "account locked")
    if not rules.verify_password(user.password_hash, password):
        return _count_failure(session, policy, user, now, "wrong password")
    if user.totp_enabled:
        if not otp or user.totp_secret is None:
            return _count_failure(session, policy, user, now, "second factor missing")
        if not _accept_totp(user, sealer, otp):
            return _count_failure(session, policy, user, now, "wrong or reused second factor")
    elif policy.totp_required_roles & rules.parse_roles(user.roles):
        return _refuse(session, user, name, "second factor required by role but not enrolled")
    user.failed_logins = 0
    user.locked_until = None
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ttl = policy.token_ttl_minutes if kind == "api" else policy.session_ttl_minutes
    credential = Credential(
        id=new_id(),
        kind=kind,
        secret_hash=secret_digest(secret),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32) if kind == "session" else None,
        created_at=now,
        expires_at=now + timedelta(minutes=ttl),
    )
    session.add(credential)
    principal = user.principal(credential.id)
    record(
        session,
        principal,
        "auth.sign_in",
        object_type="credential",
        object_id=credential.id,
        reason=f"{kind} credential issued",
    )
    return SignIn(credential=credential, secret=secret)


def _count_failure(
    session: Session, policy: AccountPolicy, user: User, now: datetime, reason: str
) -> SignIn:
    user.failed_logins += 1
    if user.failed_logins >= policy.lockout_threshold:
        user.failed_logins = 0
        user.locked_until = now + timedelta(minutes=policy.lockout_minutes)
        record(
            session,
            None,
            "auth.lockout",
            object_type="user",
            object_id=user.id,
            decision="denied",
            reason=f"locked for {policy.lockout_minutes} minutes after repeated failures",
            actor_name=user.username,
        )
    return _refuse(session, user, user.username, reason)


def _refuse(session: Session, user: User | None, name: str, reason: str) -> SignIn:
    record(
        session,
        None,
        "auth.sign_in",
        object_type="user",
        object_id=user.id if user else None,
        decision="denied",
        reason=reason,
        actor_name=name[:64] or "anonymous",
    )
    return SignIn(failure=reason)


def do_sign_out(session: Session, actor: Principal) -> None:
    """Revoke the credential the caller is using."""
    if actor.credential_id is None:
        raise NotFound("no credential to revoke")
    credential = session.get(Credential, actor.credential_id)
    if credential is None or credential.user_id != actor.user_id:
        raise NotFound("no credential to revoke")
    credential.revoked_at = utcnow()
    record(
        session,
        actor,
        "auth.sign_out",
        object_type="credential",
        object_id=credential.id,
        event="credential.revoked",
    )


def do_begin_totp(session: Session, actor: Principal, sealer: Sealer, issuer: str) -> str:
    """Store a new, inactive TOTP seed; return its provisioning URI for an authenticator app."""
    user = _user(session, actor.user_id)
    seed = pyotp.random_base32()
    user.totp_secret = sealer.seal(seed)
    user.totp_enabled = False
    record(
        session,
        actor,
        "auth.totp_begin",
        object_type="user",
        object_id=user.id,
        event="user.updated",
        payload={"username": user.username, "changed": ["totp_enabled"]},
    )
    return pyotp.TOTP(seed).provisioning_uri(name=user.username, issuer_name=issuer)


def do_set_time_zone(session: Session, actor: Principal, time_zone: str | None) -> User:
    """The caller's own time zone (IANA name), in which messages show their local DTG."""
    user = _user(session, actor.user_id)
    if time_zone is not None:
        try:
            time_zone = parse_time_zone(time_zone).key
        except ValueError as error:
            raise Invalid(str(error), field="time_zone") from None
    user.time_zone = time_zone
    record(
        session,
        actor,
        "user.time_zone",
        object_type="user",
        object_id=user.id,
        reason=time_zone or "UTC",
        event="user.updated",
        payload={"username": user.username, "changed": ["time_zone"]},
    )
    return user


LANGUAGES = ("en", "fr")  # NATO's two official languages, the interface's


def do_set_language(session: Session, actor: Principal, language: str | None) -> User:
    """The caller's own interface language (None: follow the browser)."""
    if language is not None and language not in LANGUAGES:
        raise Invalid(f"language must be one of {', '.join(LANGUAGES)}", field="language")
    user = _user(session, actor.user_id)
    user.language = language
    record(
        session,
        actor,
        "user.language",
        object_type="user",
        object_id=user.id,
        reason=language or "browser",
        event="user.updated",
        payload={"username": user.username, "changed": ["language"]},
    )
    return user


def do_confirm_totp(session: Session, actor: Principal, sealer: Sealer, otp: str) -> None:
    """Activate the seed once the user proves their authenticator holds it."""
    user = _user(session, actor.user_id)
    if user.totp_secret is None:
        raise Invalid("start TOTP enrolment first", field="otp")
    if not _accept_totp(user, sealer, otp):
        raise Invalid("that code does not match", field="otp")
    user.totp_enabled = True
    record(
        session,
        actor,
        "auth.totp_enable",
        object_type="user",
        object_id=user.id,
        event="user.updated",
        payload={"username": user.username, "changed": ["totp_enabled"]},
    )


def _accept_totp(user: User, sealer: Sealer, otp: str) -> bool:
    """Accept a code of the current 30 s step or either neighbour, once: a code that was
    already used (or one older than it) is refused, so an intercepted code cannot be replayed."""
    assert user.totp_secret is not None
    totp = pyotp.TOTP(sealer.unseal(user.totp_secret))
    step = totp.timecode(utcnow())
    for candidate in (step - 1, step, step + 1):
        if candidate > (user.totp_last_step or -1) and hmac.compare_digest(
            totp.generate_otp(candidate), otp
        ):
            user.totp_last_step = candidate
            return True
    return False


def _parse_roles(names: list[str]) -> frozenset[Role]:
    try:
        role_set = rules.parse_roles(names)
    except ValueError as error:
        raise Invalid(str(error), field="roles") from None
    if not role_set:
        raise Invalid("a user needs at least one role", field="roles")
    return role_set


def _user(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    return user


def do_update_user(
    session: Session,
    actor: Principal,
    user_id: uuid.UUID,
    *,
    expected_version: int | None = None,
    display_name: str | None = None,
    roles: list[str] | None = None,
    is_active: bool | None = None,
) -> User:
    """An administrator's edit. `expected_version` (the API's If-Match) refuses stale edits."""
    actor.require(Role.ADMIN)
    user = _user(session, user_id)
    if expected_version is not None and expected_version != user.version:
        raise Stale(f"user changed since version {expected_version}; reload and retry")
    changed = []
    if display_name is not None and display_name.strip() != user.display_name:
        user.display_name = display_name.strip() or user.username
        changed.append("display_name")
    if roles is not None:
        role_set = _parse_roles(roles)
        if sorted(role.value for role in role_set) != user.roles:
            user.roles = sorted(role.value for role in role_set)
            changed.append("roles")
    if is_active is not None and is_active != user.is_active:
        user.is_active = is_active
        changed.append("is_active")
    if not changed:
        return user
    session.flush()
    record(
        session,
        actor,
        "user.update",
        object_type="user",
        object_id=user.id,
        reason=f"changed {','.join(changed)}",
        event="user.updated",
        payload={"username": user.username, "changed": changed},
    )
    return user


def do_set_clearance(
    session: Session, actor: Principal, user_id: uuid.UUID, clearance: dict[str, Any] | None
) -> User:
    """A security officer sets (or, with None, withdraws) a user's clearance.

    It is validated against the node's policies and stored in canonical form; it takes effect
    on the user's next request.
    """
    actor.require(Role.SECURITY_OFFICER)
    user = _user(session, user_id)
    reason = "withdrawn"
    if clearance is None:
        user.clearance = None
    else:
        authority = authority_of(session)
        authority.refresh(session, at_once=False)  # policies installed since this process looked
        try:
            parsed = clearance_from_json(clearance, authority.registry)
        except ClearanceError as error:
            raise Invalid(str(error), field="clearance") from None
        user.clearance = clearance_to_json(parsed)
        reason = f"policy {parsed.policy}"
    session.flush()
    record(
        session,
        actor,
        "user.clearance",
        object_type="user",
        object_id=user.id,
        reason=reason,
        event="user.updated",
        payload={"username": user.username, "changed": ["clearance"]},
    )
    return user
