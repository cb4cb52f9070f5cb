"""service catalog

Revision ID: 0001
Revises:
Create Date: 2026-11-22 02:59:54.885058
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import backend.db.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bundles",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column(
            "name",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "summary",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column(
            "shared_materials_note",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("updated_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_bundles")),
    )
    op.create_table(
        "catalog_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("imported_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column(
            "summary",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_imports")),
    )
    op.create_table(
        "regions",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("parent_code", sa.String(length=12), nullable=True),
        sa.Column(
            "name",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("updated_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["regions.code"],
            name=op.f("fk_regions_parent_code_regions"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_regions")),
    )
    op.create_table(
        "departments",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column(
            "name",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "short_name",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("fiscal_code", sa.String(length=16), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("updated_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
            name=op.f("fk_departments_region_code_regions"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_departments")),
    )
    op.create_table(
        "halls",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column(
            "name",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "address",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "hours",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("windows", sa.Integer(), nullable=False),
        sa.Column("all_matters", sa.Boolean(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("updated_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["region_code"], ["regions.code"], name=op.f("fk_halls_region_code_regions")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_halls")),
    )
    op.create_table(
        "certificate_types",
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column(
            "name",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("issuer_code", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=16), nullable=False),
        sa.Column(
            "fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("updated_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_code"],
            ["departments.code"],
            name=op.f("fk_certificate_types_issuer_code_departments"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_certificate_types")),
    )
    op.create_table(
        "matters",
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column(
            "name",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "summary",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("theme", sa.String(length=32), nullable=False),
        sa.Column(
            "modes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("max_trips", sa.Integer(), nullable=False),
        sa.Column("promised_days", sa.Integer(), nullable=False),
        sa.Column("legal_days", sa.Integer(), nullable=False),
        sa.Column("instant_approval", sa.Boolean(), nullable=False),
        sa.Column(
            "materials",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "form",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "auto_approval",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "outputs",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "keywords",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "legal_basis",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("updated_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_code"],
            ["departments.code"],
            name=op.f("fk_matters_department_code_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
            name=op.f("fk_matters_region_code_regions"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_matters")),
    )
    with op.batch_alter_table("matters", schema=None) as batch_op:
        batch_op.create_index("ix_matters_department_code", ["department_code", "code"], unique=False)
        batch_op.create_index("ix_matters_region_code", ["region_code", "code"], unique=False)
        batch_op.create_index("ix_matters_theme_code", ["theme", "code"], unique=False)

    op.create_table(
        "bundle_matters",
        sa.Column("bundle_code", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("matter_code", sa.String(length=48), nullable=False),
        sa.ForeignKeyConstraint(
            ["bundle_code"],
            ["bundles.code"],
            name=op.f("fk_bundle_matters_bundle_code_bundles"),
        ),
        sa.ForeignKeyConstraint(
            ["matter_code"],
            ["matters.code"],
            name=op.f("fk_bundle_matters_matter_code_matters"),
        ),
        sa.PrimaryKeyConstraint("bundle_code", "position", name=op.f("pk_bundle_matters")),
    )
    op.create_table(
        "hall_matters",
        sa.Column("hall_code", sa.String(length=32), nullable=False),
        sa.Column("matter_code", sa.String(length=48), nullable=False),
        sa.ForeignKeyConstraint(["hall_code"], ["halls.code"], name=op.f("fk_hall_matters_hall_code_halls")),
        sa.ForeignKeyConstraint(
            ["matter_code"],
            ["matters.code"],
            name=op.f("fk_hall_matters_matter_code_matters"),
        ),
        sa.PrimaryKeyConstraint("hall_code", "matter_code", name=op.f("pk_hall_matters")),
    )
    with op.batch_alter_table("hall_matters", schema=None) as batch_op:
        batch_op.create_index("ix_hall_matters_matter_code", ["matter_code"], unique=False)

    op.create_table(
        "matter_fees",
        sa.Column("matter_code", sa.String(length=48), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(length=32), nullable=False),
        sa.Column(
            "name",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_code"],
            ["departments.code"],
            name=op.f("fk_matter_fees_department_code_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["matter_code"],
            ["matters.code"],
            name=op.f("fk_matter_fees_matter_code_matters"),
        ),
        sa.PrimaryKeyConstraint("matter_code", "position", name=op.f("pk_matter_fees")),
    )
    op.create_table(
        "matter_modes",
        sa.Column("matter_code", sa.String(length=48), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["matter_code"],
            ["matters.code"],
            name=op.f("fk_matter_modes_matter_code_matters"),
        ),
        sa.PrimaryKeyConstraint("matter_code", "mode", name=op.f("pk_matter_modes")),
    )
    with op.batch_alter_table("matter_modes", schema=None) as batch_op:
        batch_op.create_index("ix_matter_modes_mode", ["mode", "matter_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("matter_modes", schema=None) as batch_op:
        batch_op.drop_index("ix_matter_modes_mode")

    op.drop_table("matter_modes")
    op.drop_table("matter_fees")
    with op.batch_alter_table("hall_matters", schema=None) as batch_op:
        batch_op.drop_index("ix_hall_matters_matter_code")

    op.drop_table("hall_matters")
    op.drop_table("bundle_matters")
    with op.batch_alter_table("matters", schema=None) as batch_op:
        batch_op.drop_index("ix_matters_theme_code")
        batch_op.drop_index("ix_matters_region_code")
        batch_op.drop_index("ix_matters_department_code")

    op.drop_table("matters")
    op.drop_table("certificate_types")
    op.drop_table("halls")
    op.drop_table("departments")
    op.drop_table("regions")
    op.drop_table("catalog_imports")
    op.drop_table("bundles")
