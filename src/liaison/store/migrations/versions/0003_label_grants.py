"""label grants per clearance

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:52:55.012753
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clearances",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("decided_through", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clearances")),
        sa.UniqueConstraint("key", name=op.f("uq_clearances_key")),
    )
    op.create_table(
        "label_grants",
        sa.Column(
            "clearance_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("label_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["clearance_id"],
            ["clearances.id"],
            name=op.f("fk_label_grants_clearance_id_clearances"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["label_id"],
            ["labels.id"],
            name=op.f("fk_label_grants_label_id_labels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("clearance_id", "label_id", name=op.f("pk_label_grants")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("label_grants")
    op.drop_table("clearances")
