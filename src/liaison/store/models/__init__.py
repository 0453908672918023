"""Every table of the node. Alembic's autogenerate reads `Base.metadata` from here."""

from liaison.store.models.accounts import Credential, User
from liaison.store.models.audit import AuditCheckpoint, AuditEntry, AuditTree
from liaison.store.models.base import Base, Record
from liaison.store.models.labels import (
    InstalledPolicy,
    StoredLabel,
    StoredLabelCategory,
)
from liaison.store.models.outbox import OutboxEvent

__all__ = [
    "AuditCheckpoint",
    "AuditEntry",
    "AuditTree",
    "Base",
    "Credential",
    "InstalledPolicy",
    "OutboxEvent",
    "Record",
    "StoredLabel",
    "StoredLabelCategory",
    "User",
]
