"""Tables of identity: citizens, staff, sessions, refresh tokens, keys, clients, consents, audit."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, LargeBinary, String, Table

from backend.db.tables.base import metadata
from backend.db.types import Json, UTCDateTime

citizens = Table(
    "citizens",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("phone", String(20), nullable=False, unique=True),
    # Set by real-name verification against the population registry; unique once set.
    Column("id_number", String(18), nullable=True, unique=True),
    Column("name", String(100), nullable=True),
    Column("verified_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

staff = Table(
    "staff",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
)

staff_roles = Table(
    "staff_roles",
    metadata,
    Column("staff_id", String(36), ForeignKey("staff.id"), primary_key=True),
    Column("role", String(16), primary_key=True),
    # Officers act for one department; "" for roles that are not department-bound (finance, admin).
    Column("department_code", String(32), primary_key=True, default=""),
)

oauth_clients = Table(
    "oauth_clients",
    metadata,
    Column("client_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("secret_hash", String(200), nullable=True),  # None: a public client (PKCE only)
    Column("first_party", Boolean, nullable=False, default=False),
    Column("redirect_uris", Json, nullable=False),
    Column("scopes", Json, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("secret_rotated_at", UTCDateTime, nullable=True),
    Column("disabled", Boolean, nullable=False, default=False),
    # A sandbox client signs in only the synthetic personas (with the documented sandbox code).
    Column("sandbox", Boolean, nullable=False, default=False),
    # Restricted to the GraphQL documents it registered (trusted documents) when true.
    Column("documents_only", Boolean, nullable=False, default=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("subject_type", String(16), nullable=False),  # citizen | staff
    Column("subject_id", String(36), nullable=False),
    Column("client_id", String(64), ForeignKey("oauth_clients.client_id"), nullable=False),
    Column("scopes", Json, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
    Column("revoked_reason", String(32), nullable=True),
    Column("ip", String(64), nullable=True),
    Column("user_agent", String(300), nullable=True),
)
Index("ix_sessions_subject", sessions.c.subject_type, sessions.c.subject_id)

# Refresh tokens are stored as SHA-256 hashes; a family is one session.
refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("session_id", String(36), ForeignKey("sessions.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
)
Index("ix_refresh_tokens_session_id", refresh_tokens.c.session_id)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("algorithm", String(16), nullable=False),
    # The private key, encrypted with a key derived from ONEWINDOW_SECRET_KEY (AES-GCM).
    Column("private_key", LargeBinary, nullable=False),
    Column("public_jwk", Json, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("retired_at", UTCDateTime, nullable=True),
)

consents = Table(
    "consents",
    metadata,
    Column("citizen_id", String(36), ForeignKey("citizens.id"), primary_key=True),
    Column("client_id", String(64), ForeignKey("oauth_clients.client_id"), primary_key=True),
    Column("scopes", Json, nullable=False),
    Column("granted_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("action", String(48), nullable=False),
    Column("actor_type", String(16), nullable=True),
    Column("actor_id", String(36), nullable=True),
    Column("client_id", String(64), nullable=True),
    Column("ip", String(64), nullable=True),
    Column("detail", Json, nullable=False),
)
Index("ix_audit_events_actor", audit_events.c.actor_type, audit_events.c.actor_id, audit_events.c.at)

# --- stand-ins for external government systems (never used with production settings) ------------

registry_persons = Table(
    "registry_persons",
    metadata,
    Column("id_number", String(18), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("sex", String(8), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("ethnicity", String(32), nullable=False),
    Column("address", String(300), nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("phone", String(20), nullable=True),
    Column("marital_status", String(16), nullable=False),
    Column("spouse_id_number", String(18), nullable=True),
    Column("father_id_number", String(18), nullable=True),
    Column("mother_id_number", String(18), nullable=True),
    Column("household_id", String(32), nullable=False),
    # The key of a sandbox persona (`onewindow personas`); None for the ordinary synthetic population.
    Column("persona", String(32), nullable=True),
)
Index("ix_registry_persons_phone", registry_persons.c.phone)

sms_outbox = Table(
    "sms_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("phone", String(20), nullable=False),
    Column("body", String(500), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
Index("ix_sms_outbox_phone", sms_outbox.c.phone, sms_outbox.c.id)
