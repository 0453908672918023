"""Every table of the node. Alembic's autogenerate reads `Base.metadata` from here."""

from liaison.store.models.accounts import Credential, User
from liaison.store.models.audit import AuditCheckpoint, AuditEntry, AuditTree
from liaison.store.models.base import Base, Record
from liaison.store.models.labels import (
    InstalledPolicy,
    StoredLabel,
    StoredLabelCategory,
)
from liaison.store.models.organization import (
    Alliance,
    AllianceMember,
    Area,
    Department,
    Labelled,
    Office,
    Organization,
    Post,
)
from liaison.store.models.outbox import OutboxEvent
from liaison.store.models.people import (
    Accreditation,
    Assignment,
    Person,
    PersonLanguage,
    Qualification,
)

__all__ = [
    "Accreditation",
    "Alliance",
    "AllianceMember",
    "Area",
    "Assignment",
    "AuditCheckpoint",
    "AuditEntry",
    "AuditTree",
    "Base",
    "Credential",
    "Department",
    "InstalledPolicy",
    "Labelled",
    "Office",
    "Organization",
    "OutboxEvent",
    "Person",
    "PersonLanguage",
    "Post",
    "Qualification",
    "Record",
    "StoredLabel",
    "StoredLabelCategory",
    "User",
]
