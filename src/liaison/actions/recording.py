"""The one way an action leaves its trace: an audit entry and an outbox event, same transaction."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from liaison.audit import log
from liaison.domain.accounts import Principal
from liaison.events import outbox


def record(
    session: Session,
    actor: Principal | None,
    action: str,
    *,
    object_type: str | None = None,
    object_id: str | uuid.UUID | None = None,
    label_id: str | None = None,
    decision: str = "granted",
    reason: str = "",
    content_hash: str | None = None,
    actor_name: str | None = None,
    event: str | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Audit first: the audit lock orders the outbox sequence by commit."""
    log.append(
        session,
        actor,
        action,
        object_type=object_type,
        object_id=object_id,
        label_id=label_id,
        decision=decision,
        reason=reason,
        content_hash=content_hash,
        actor_name=actor_name,
    )
    if event is not None:
        outbox.emit(
            session,
            event,
            object_type=object_type,
            object_id=object_id,
            label_id=label_id,
            actor_id=actor.user_id if actor else None,
            payload=payload,
        )
