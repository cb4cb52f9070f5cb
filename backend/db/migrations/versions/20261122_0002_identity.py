"""identity

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 03:31:28.836041
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import backend.db.types

CITIZEN_SCOPES = (
    "openid",
    "profile",
    "phone",
    "id_number",
    "applications:read",
    "applications:write",
    "payments",
    "certificates:read",
)

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("actor_type", sa.String(length=16), nullable=True),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_actor", ["actor_type", "actor_id", "at"], unique=False)

    op.create_table(
        "citizens",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("verified_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizens")),
        sa.UniqueConstraint("id_number", name=op.f("uq_citizens_id_number")),
        sa.UniqueConstraint("phone", name=op.f("uq_citizens_phone")),
    )
    op.create_table(
        "oauth_clients",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("secret_hash", sa.String(length=200), nullable=True),
        sa.Column("first_party", sa.Boolean(), nullable=False),
        sa.Column(
            "redirect_uris", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column("scopes", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("secret_rotated_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_oauth_clients")),
    )
    op.create_table(
        "registry_persons",
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("sex", sa.String(length=8), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("ethnicity", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("marital_status", sa.String(length=16), nullable=False),
        sa.Column("spouse_id_number", sa.String(length=18), nullable=True),
        sa.Column("father_id_number", sa.String(length=18), nullable=True),
        sa.Column("mother_id_number", sa.String(length=18), nullable=True),
        sa.Column("household_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id_number", name=op.f("pk_registry_persons")),
    )
    with op.batch_alter_table("registry_persons", schema=None) as batch_op:
        batch_op.create_index("ix_registry_persons_phone", ["phone"], unique=False)

    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("private_key", sa.LargeBinary(), nullable=False),
        sa.Column(
            "public_jwk", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_signing_keys")),
    )
    op.create_table(
        "sms_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("body", sa.String(length=500), nullable=False),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_outbox")),
    )
    with op.batch_alter_table("sms_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_sms_outbox_phone", ["phone", "id"], unique=False)

    op.create_table(
        "staff",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_username")),
    )
    op.create_table(
        "consents",
        sa.Column("citizen_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False),
        sa.Column("granted_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["citizen_id"], ["citizens.id"], name=op.f("fk_consents_citizen_id_citizens")),
        sa.ForeignKeyConstraint(
            ["client_id"], ["oauth_clients.client_id"], name=op.f("fk_consents_client_id_oauth_clients")
        ),
        sa.PrimaryKeyConstraint("citizen_id", "client_id", name=op.f("pk_consents")),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=32), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["oauth_clients.client_id"], name=op.f("fk_sessions_client_id_oauth_clients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index("ix_sessions_subject", ["subject_type", "subject_id"], unique=False)

    op.create_table(
        "staff_roles",
        sa.Column("staff_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_staff_roles_staff_id_staff")),
        sa.PrimaryKeyConstraint("staff_id", "role", "department_code", name=op.f("pk_staff_roles")),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", backend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], name=op.f("fk_refresh_tokens_session_id_sessions")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_refresh_tokens")),
    )
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_refresh_tokens_session_id", ["session_id"], unique=False)

    # The first-party clients every session of the phone app and the staff console belongs to.
    clients = sa.table(
        "oauth_clients",
        sa.column("client_id", sa.String),
        sa.column("name", sa.String),
        sa.column("secret_hash", sa.String),
        sa.column("first_party", sa.Boolean),
        sa.column("redirect_uris", sa.JSON),
        sa.column("scopes", sa.JSON),
        sa.column("created_at", backend.db.types.UTCDateTime),
        sa.column("disabled", sa.Boolean),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        clients,
        [
            {
                "client_id": "onewindow-app",
                "name": "一网通办 App",
                "secret_hash": None,
                "first_party": True,
                "redirect_uris": [],
                "scopes": list(CITIZEN_SCOPES),
                "created_at": now,
                "disabled": False,
            },
            {
                "client_id": "onewindow-staff",
                "name": "一网通办 Staff console",
                "secret_hash": None,
                "first_party": True,
                "redirect_uris": [],
                "scopes": [],
                "created_at": now,
                "disabled": False,
            },
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_refresh_tokens_session_id")

    op.drop_table("refresh_tokens")
    op.drop_table("staff_roles")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_sessions_subject")

    op.drop_table("sessions")
    op.drop_table("consents")
    op.drop_table("staff")
    with op.batch_alter_table("sms_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_sms_outbox_phone")

    op.drop_table("sms_outbox")
    op.drop_table("signing_keys")
    with op.batch_alter_table("registry_persons", schema=None) as batch_op:
        batch_op.drop_index("ix_registry_persons_phone")

    op.drop_table("registry_persons")
    op.drop_table("oauth_clients")
    op.drop_table("citizens")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_actor")

    op.drop_table("audit_events")
