"""The policies the node knows: for label pickers, and for rendering and validating labels."""

from __future__ import annotations

from sqlalchemy.orm import Session

from liaison.domain.errors import NotFound
from liaison.security import Policy
from liaison.store.labels import authority_of


def list_policies(session: Session) -> list[Policy]:
    authority = authority_of(session)
    authority.refresh(session)
    return sorted(authority.registry, key=lambda policy: policy.name)


def get_policy(session: Session, identifier: str) -> Policy:
    authority = authority_of(session)
    authority.refresh(session)
    policy = authority.registry.get(identifier)
    if policy is None:
        raise NotFound(f"no policy {identifier!r} on this node")
    return policy
