"""organization and people

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:28:49.121924
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
        "alliances",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("policy", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("origin", sa.String(length=253), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["label_id"], ["labels.id"], name=op.f("fk_alliances_label_id_labels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alliances")),
        sa.UniqueConstraint("name", name=op.f("uq_alliances_name")),
    )
    with op.batch_alter_table("alliances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alliances_label_id"), ["label_id"], unique=False)

    op.create_table(
        "alliance_members",
        sa.Column("alliance_id", sa.Uuid(), nullable=False),
        sa.Column("nation", sa.String(length=3), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alliance_id"],
            ["alliances.id"],
            name=op.f("fk_alliance_members_alliance_id_alliances"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "alliance_id", "nation", "joined_on", name=op.f("pk_alliance_members")
        ),
    )
    op.create_table(
        "organizations",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("nation", sa.String(length=3), nullable=True),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("alliance_id", sa.Uuid(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("origin", sa.String(length=253), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["alliance_id"], ["alliances.id"], name=op.f("fk_organizations_alliance_id_alliances")
        ),
        sa.ForeignKeyConstraint(
            ["label_id"], ["labels.id"], name=op.f("fk_organizations_label_id_labels")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["organizations.id"],
            name=op.f("fk_organizations_parent_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
    )
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organizations_alliance_id"), ["alliance_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_organizations_label_id"), ["label_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_organizations_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "offices",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sending_org_id", sa.Uuid(), nullable=False),
        sa.Column("host_org_id", sa.Uuid(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column(
            "default_label_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("origin", sa.String(length=253), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["default_label_id"], ["labels.id"], name=op.f("fk_offices_default_label_id_labels")
        ),
        sa.ForeignKeyConstraint(
            ["host_org_id"], ["organizations.id"], name=op.f("fk_offices_host_org_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["label_id"], ["labels.id"], name=op.f("fk_offices_label_id_labels")
        ),
        sa.ForeignKeyConstraint(
            ["sending_org_id"],
            ["organizations.id"],
            name=op.f("fk_offices_sending_org_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offices")),
    )
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offices_host_org_id"), ["host_org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offices_label_id"), ["label_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_offices_sending_org_id"), ["sending_org_id"], unique=False
        )

    op.create_table(
        "departments",
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("origin", sa.String(length=253), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            name=op.f("fk_departments_office_id_offices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("office_id", "name", name=op.f("uq_departments_office_id")),
    )
    op.create_table(
        "people",
        sa.Column("office_id", sa.Uuid(), nullable=True),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("given_names", sa.String(length=200), nullable=False),
        sa.Column("rank_code", sa.String(length=8), nullable=False),
        sa.Column("rank_title", sa.String(length=100), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("nation", sa.String(length=3), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("clearance_policy", sa.String(length=200), nullable=True),
        sa.Column("clearance_level", sa.String(length=200), nullable=True),
        sa.Column("clearance_special", sa.JSON(), nullable=False),
        sa.Column("clearance_issued", sa.Date(), nullable=True),
        sa.Column("clearance_expires", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("origin", sa.String(length=253), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["label_id"], ["labels.id"], name=op.f("fk_people_label_id_labels")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_people_office_id_offices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index("ix_people_clearance_expires", ["clearance_expires"], unique=False)
        batch_op.create_index(batch_op.f("ix_people_label_id"), ["label_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_people_nation"), ["nation"], unique=False)
        batch_op.create_index(batch_op.f("ix_people_office_id"), ["office_id"], unique=False)

    op.create_table(
        "accreditations",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("host_org_id", sa.Uuid(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("origin", sa.String(length=253), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_org_id"],
            ["organizations.id"],
            name=op.f("fk_accreditations_host_org_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_accreditations_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accreditations")),
    )
    with op.batch_alter_table("accreditations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accreditations_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "person_languages",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("language", sa.String(length=3), nullable=False),
        sa.Column("profile", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_person_languages_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "language", name=op.f("pk_person_languages")),
    )
    op.create_table(
        "posts",
        sa.Column("department_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("rank_min", sa.String(length=8), nullable=False),
        sa.Column("rank_max", sa.String(length=8), nullable=False),
        sa.Column(
            "required_label_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("required_languages", sa.JSON(), nullable=False),
        sa.Column("required_qualifications", sa.JSON(), nullable=False),
        sa.Column("alliance_superior_id", sa.Uuid(), nullable=True),
        sa.Column("national_superior_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("origin", sa.String(length=253), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["alliance_superior_id"], ["posts.id"], name=op.f("fk_posts_alliance_superior_id_posts")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_posts_department_id_departments")
        ),
        sa.ForeignKeyConstraint(["label_id"], ["labels.id"], name=op.f("fk_posts_label_id_labels")),
        sa.ForeignKeyConstraint(
            ["national_superior_id"], ["posts.id"], name=op.f("fk_posts_national_superior_id_posts")
        ),
        sa.ForeignKeyConstraint(
            ["required_label_id"], ["labels.id"], name=op.f("fk_posts_required_label_id_labels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_posts_alliance_superior_id", ["alliance_superior_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_posts_department_id"), ["department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_posts_label_id"), ["label_id"], unique=False)
        batch_op.create_index(
            "ix_posts_national_superior_id", ["national_superior_id"], unique=False
        )

    op.create_table(
        "qualifications",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("course", sa.String(length=200), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("origin", sa.String(length=253), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_qualifications_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualifications")),
    )
    with op.batch_alter_table("qualifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qualifications_expires_on"), ["expires_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_qualifications_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "areas",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=True),
        sa.Column("post_id", sa.Uuid(), nullable=True),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("min_latitude", sa.Float(), nullable=False),
        sa.Column("max_latitude", sa.Float(), nullable=False),
        sa.Column("min_longitude", sa.Float(), nullable=False),
        sa.Column("max_longitude", sa.Float(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("origin", sa.String(length=253), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(["label_id"], ["labels.id"], name=op.f("fk_areas_label_id_labels")),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_areas_office_id_offices")
        ),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name=op.f("fk_areas_post_id_posts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_areas")),
    )
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_areas_label_id"), ["label_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_areas_office_id"), ["office_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_areas_post_id"), ["post_id"], unique=False)

    op.create_table(
        "assignments",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("origin", sa.String(length=253), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_assignments_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_assignments_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignments_person_id"), ["person_id"], unique=False)
        batch_op.create_index("ix_assignments_post_dates", ["post_id", "starts_on"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_id", sa.Uuid(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_users_person_id"), ["person_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_users_person_id_people"), "people", ["person_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_users_person_id_people"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_users_person_id"), type_="unique")
        batch_op.drop_column("person_id")

    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_assignments_post_dates")
        batch_op.drop_index(batch_op.f("ix_assignments_person_id"))

    op.drop_table("assignments")
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_areas_post_id"))
        batch_op.drop_index(batch_op.f("ix_areas_office_id"))
        batch_op.drop_index(batch_op.f("ix_areas_label_id"))

    op.drop_table("areas")
    with op.batch_alter_table("qualifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qualifications_person_id"))
        batch_op.drop_index(batch_op.f("ix_qualifications_expires_on"))

    op.drop_table("qualifications")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_national_superior_id")
        batch_op.drop_index(batch_op.f("ix_posts_label_id"))
        batch_op.drop_index(batch_op.f("ix_posts_department_id"))
        batch_op.drop_index("ix_posts_alliance_superior_id")

    op.drop_table("posts")
    op.drop_table("person_languages")
    with op.batch_alter_table("accreditations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accreditations_person_id"))

    op.drop_table("accreditations")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_office_id"))
        batch_op.drop_index(batch_op.f("ix_people_nation"))
        batch_op.drop_index(batch_op.f("ix_people_label_id"))
        batch_op.drop_index("ix_people_clearance_expires")

    op.drop_table("people")
    op.drop_table("departments")
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offices_sending_org_id"))
        batch_op.drop_index(batch_op.f("ix_offices_label_id"))
        batch_op.drop_index(batch_op.f("ix_offices_host_org_id"))

    op.drop_table("offices")
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organizations_parent_id"))
        batch_op.drop_index(batch_op.f("ix_organizations_label_id"))
        batch_op.drop_index(batch_op.f("ix_organizations_alliance_id"))

    op.drop_table("organizations")
    op.drop_table("alliance_members")
    with op.batch_alter_table("alliances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alliances_label_id"))

    op.drop_table("alliances")
