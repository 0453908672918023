"""Every table of the node. Alembic's autogenerate reads `Base.metadata` from here."""

from liaison.store.models.accounts import Credential, User
from liaison.store.models.audit import AuditCheckpoint, AuditEntry, AuditTree
from liaison.store.models.base import Base, Record
from liaison.store.models.channels import (
    Channel,
    ChannelMember,
    GlossaryTerm,
    Message,
    MessageAcknowledgement,
    MessageAlert,
    MessageVersion,
)
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
from liaison.store.models.reports import (
    Acknowledgement,
    Attachment,
    Notification,
    Report,
    ReportPortion,
    ReportRecipient,
)

__all__ = [
    "Accreditation",
    "Acknowledgement",
    "Alliance",
    "AllianceMember",
    "Area",
    "Assignment",
    "Attachment",
    "AuditCheckpoint",
    "AuditEntry",
    "AuditTree",
    "Base",
    "Channel",
    "ChannelMember",
    "Credential",
    "Department",
    "GlossaryTerm",
    "InstalledPolicy",
    "Labelled",
    "Message",
    "MessageAcknowledgement",
    "MessageAlert",
    "MessageVersion",
    "Notification",
    "Office",
    "Organization",
    "OutboxEvent",
    "Person",
    "PersonLanguage",
    "Post",
    "Qualification",
    "Record",
    "Report",
    "ReportPortion",
    "ReportRecipient",
    "StoredLabel",
    "StoredLabelCategory",
    "User",
]
