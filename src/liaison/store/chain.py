"""Whom a user answers to: the users holding the posts above theirs, nearest first.

Used to escalate an unacknowledged FLASH or IMMEDIATE message. No visibility filter applies
here: the caller notifies only superiors who may see the message itself.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from liaison.store.models import Assignment, Post, User

MAX_LEVELS = 12


def _covers(day: date) -> ColumnElement[bool]:
    return (Assignment.starts_on <= day) & (
        Assignment.ends_on.is_(None) | (Assignment.ends_on >= day)
    )


def _posts_held(session: Session, user_id: uuid.UUID, day: date) -> list[uuid.UUID]:
    return list(
        session.scalars(
            select(Assignment.post_id)
            .join(User, User.person_id == Assignment.person_id)
            .where(User.id == user_id, _covers(day))
        )
    )


def _holders(session: Session, post_id: uuid.UUID, day: date) -> list[uuid.UUID]:
    return list(
        session.scalars(
            select(User.id)
            .join(Assignment, Assignment.person_id == User.person_id)
            .where(Assignment.post_id == post_id, _covers(day), User.is_active)
        )
    )


def superiors_of(session: Session, user_id: uuid.UUID, day: date) -> list[uuid.UUID]:
    """Users above `user_id`: the alliance line first, then the national line, each once;
    vacant posts are passed over to the next one up."""
    found: dict[uuid.UUID, None] = {}
    for column in (Post.alliance_superior_id, Post.national_superior_id):
        frontier = _posts_held(session, user_id, day)
        for _ in range(MAX_LEVELS):
            ups = [up for up in session.scalars(select(column).where(Post.id.in_(frontier))) if up]
            if not ups:
                break
            for post_id in ups:
                for holder in _holders(session, post_id, day):
                    if holder != user_id:
                        found.setdefault(holder, None)
            frontier = ups
    return list(found)
