"""Glossaries as a reader sees them: an office's terms, and the terms found in a message."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.domain.accounts import Principal
from liaison.domain.glossary import GlossaryEntry, GlossaryIndex, TermMatch
from liaison.queries.visibility import visible
from liaison.store.models import GlossaryTerm


def glossary(
    session: Session, viewer: Principal, office_id: uuid.UUID | None = None
) -> list[GlossaryTerm]:
    """The terms the viewer may read: one office's, or every office's."""
    query = select(GlossaryTerm).order_by(GlossaryTerm.id)
    if office_id is not None:
        query = query.where(GlossaryTerm.office_id == office_id)
    return list(session.scalars(visible(session, query, viewer, GlossaryTerm.label_id.expression)))


def entry_of(term: GlossaryTerm) -> GlossaryEntry:
    return GlossaryEntry(
        terms={language: tuple(values) for language, values in term.terms.items()},
        definition=term.definition,
        note=term.note,
    )


def terms_in(
    session: Session,
    viewer: Principal,
    text: str,
    *,
    office_id: uuid.UUID | None,
    language: str | None,
) -> list[TermMatch]:
    """The glossary terms (that the viewer may read) found in `text`."""
    entries = [entry_of(term) for term in glossary(session, viewer, office_id)]
    if not entries:
        return []
    return GlossaryIndex(entries).find(text, language)
