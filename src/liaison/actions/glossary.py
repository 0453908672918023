"""An office's terminology glossary: imported from CSV or TBX, labelled like any record."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy.orm import Session

from liaison.actions.policies import label_or_office_default
from liaison.actions.recording import record
from liaison.actions.sight import seen
from liaison.domain.accounts import Principal, Role
from liaison.domain.glossary import GlossaryEntry
from liaison.security import Label
from liaison.store.models import GlossaryTerm, Office


def do_import_glossary(
    session: Session,
    actor: Principal,
    office_id: uuid.UUID,
    entries: Sequence[GlossaryEntry],
    *,
    label: Label | None = None,
    replace: bool = False,
    origin: str,
) -> int:
    """Add `entries` to the office's glossary (or, with `replace`, make them the whole of it)
    under `label` or the office's default; returns how many were stored."""
    actor.require_any(Role.ADMIN, Role.OFFICER)
    seen(session, actor, Office, office_id, "office")
    stored = label_or_office_default(session, actor, label, office_id)
    if replace:
        session.execute(delete(GlossaryTerm).where(GlossaryTerm.office_id == office_id))
    session.add_all(
        GlossaryTerm(
            office_id=office_id,
            terms={language: list(terms) for language, terms in entry.terms.items()},
            definition=entry.definition,
            note=entry.note,
            label_id=stored.id,
            origin=origin,
            created_by=actor.user_id,
        )
        for entry in entries
    )
    session.flush()
    record(
        session,
        actor,
        "glossary.import",
        object_type="office",
        object_id=office_id,
        label_id=str(stored.id),
        reason=f"{len(entries)} entries" + (", replacing the glossary" if replace else ""),
        event="glossary.changed",
        payload={"office_id": str(office_id)},
    )
    return len(entries)
