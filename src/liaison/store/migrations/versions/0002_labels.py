"""labels, installed policies, user clearances

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:46:49.997628
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from liaison.store.types import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "labels",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("policy", sa.String(length=200), nullable=False),
        sa.Column("classification", sa.String(length=200), nullable=False),
        sa.Column("canonical", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labels")),
        sa.UniqueConstraint("hash", name=op.f("uq_labels_hash")),
    )
    op.create_table(
        "policies",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("policy_id", sa.String(length=200), nullable=False),
        sa.Column("spif", sa.Text(), nullable=False),
        sa.Column("loaded_at", UTCDateTime(), nullable=False),
        sa.Column("loaded_by", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_policies")),
        sa.UniqueConstraint("policy_id", name=op.f("uq_policies_policy_id")),
    )
    op.create_table(
        "label_categories",
        sa.Column("label_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("tag_set", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["label_id"],
            ["labels.id"],
            name=op.f("fk_label_categories_label_id_labels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "label_id", "tag_set", "kind", "value", name=op.f("pk_label_categories")
        ),
    )
    with op.batch_alter_table("label_categories", schema=None) as batch_op:
        batch_op.create_index("ix_label_categories_value", ["tag_set", "value"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clearance", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("clearance")

    with op.batch_alter_table("label_categories", schema=None) as batch_op:
        batch_op.drop_index("ix_label_categories_value")

    op.drop_table("label_categories")
    op.drop_table("policies")
    op.drop_table("labels")
