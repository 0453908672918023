"""Installing security policies (XML-SPIF) on the node, and preparing labels for writing."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liaison.actions.recording import record
from liaison.audit.log import content_digest
from liaison.domain.accounts import Principal, Role
from liaison.domain.errors import Conflict, Invalid
from liaison.security import (
    Label,
    PolicyError,
    canonicalize,
    label_from_json,
    label_problems,
    load_policy,
)
from liaison.store.labels import authority_of, intern_label, mark_changed
from liaison.store.models import InstalledPolicy, Office, StoredLabel


def do_install_policy(session: Session, actor: Principal, spif: bytes) -> InstalledPolicy:
    """Load a SPIF onto the node; each process loads it on its next look at the policies."""
    actor.require(Role.SECURITY_OFFICER)
    try:
        policy = load_policy(spif)
    except PolicyError as error:
        raise Invalid(f"policy refused: {error}", field="spif") from None
    authority = authority_of(session)
    authority.refresh(session)  # every installed policy, however recent
    registry = authority.registry
    clash = next((registry.get(i) for i in policy.index.identifiers if registry.get(i)), None)
    if clash is not None:
        raise Conflict(f"policy {policy.name} ({policy.id}) is already installed as {clash.name}")
    row = InstalledPolicy(
        name=policy.name, policy_id=policy.id, spif=spif.decode("utf-8"), loaded_by=actor.user_id
    )
    try:
        with session.begin_nested():  # the same policy may be installed concurrently
            session.add(row)
    except IntegrityError:
        raise Conflict(f"policy {policy.name} ({policy.id}) is already installed") from None
    mark_changed(session)
    record(
        session,
        actor,
        "policy.install",
        object_type="policy",
        object_id=policy.id,
        reason=f"{policy.name} version {policy.version}",
        content_hash=content_digest(spif),
        event="policy.installed",
        payload={"name": policy.name, "policy_id": policy.id},
    )
    return row


def prepare_label(session: Session, author: Principal, label: Label) -> StoredLabel:
    """Validate `label` under its policy, refuse a write-up, and return its stored row.

    A write-up is a label the author's own clearance could not read: nobody may write what
    they could not then read back.
    """
    authority = authority_of(session)
    authority.refresh(session, at_once=False)  # policies installed since this process looked
    registry = authority.registry
    policy = registry.get(label.policy)
    if policy is None:
        raise Invalid(f"unknown policy {label.policy!r}", field="label")
    canonical = canonicalize(policy, label)
    problems = list(label_problems(policy, canonical))
    if problems:
        raise Invalid(f"invalid label: {problems[0]}", field="label")
    if author.clearance is None:
        raise Invalid("you hold no clearance, so you cannot label information", field="label")
    decision = registry.decide(canonical, author.clearance)
    if not decision.granted:
        raise Invalid(f"label above your own clearance ({decision.reason})", field="label")
    return intern_label(session, canonical)


def label_or_office_default(
    session: Session, actor: Principal, label: Label | None, office_id: uuid.UUID
) -> StoredLabel:
    """`label`, or the office's default label, which must pass the same no-write-up check."""
    if label is not None:
        return prepare_label(session, actor, label)
    default = session.scalars(
        select(StoredLabel)
        .join(Office, Office.default_label_id == StoredLabel.id)
        .where(Office.id == office_id)
    ).one()
    try:
        return prepare_label(session, actor, label_from_json(default.canonical))
    except Invalid:
        # The reason would describe a label the actor may not read: say only what to do.
        raise Invalid(
            "the office's default label is above your clearance: give a label", field="label"
        ) from None
