"""Tables of applications, electronic certificates and the tamper-evident log."""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Table, UniqueConstraint

from backend.db.tables.base import metadata
from backend.db.types import Json, UTCDateTime

# The certificate store: the stand-in certificate library's holdings and every certificate the
# platform issues. A citizen's wallet is the rows whose holder is their verified ID number.
certificates = Table(
    "certificates",
    metadata,
    Column("id", String(36), primary_key=True),
    # What a verifier types or scans: unique, short, not guessable from the certificate's number.
    Column("code", String(24), nullable=False, unique=True),
    Column("type_code", String(48), nullable=False),
    Column("number", String(64), nullable=False),
    Column("holder_id_number", String(18), nullable=False),
    Column("holder_name", String(100), nullable=False),
    Column("issuer", String(48), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("valid_until", Date, nullable=True),
    Column("data", Json, nullable=False),
    Column("source", String(16), nullable=False),  # library | platform
    Column("application_id", String(36), nullable=True),
    Column("content_hash", String(64), nullable=False),
    Column("log_seq", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # valid | revoked
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("type_code", "number", name="uq_certificates_type_number"),
)
Index("ix_certificates_holder", certificates.c.holder_id_number, certificates.c.type_code)
Index("ix_certificates_application", certificates.c.application_id)

# An append-only hash chain (the seeds' 上链): entry_hash = sha256(prev_hash, seq, kind, subject,
# content_hash, at). trust_log_head has one row; updating it first serializes appends on both databases.
trust_log = Table(
    "trust_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),  # certificate | decision
    Column("subject", String(64), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
    Column("mac", String(64), nullable=False),  # HMAC-SHA256 of (seq, entry_hash) under the log key
    Column("at", UTCDateTime, nullable=False),
)
Index("ix_trust_log_subject", trust_log.c.subject, trust_log.c.kind)

trust_log_head = Table(
    "trust_log_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("entry_hash", String(64), nullable=False),
    Column("mac", String(64), nullable=True),  # None only for the genesis head
)

applications = Table(
    "applications",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("reference", String(24), nullable=False, unique=True),  # what the citizen quotes on the phone
    Column("citizen_id", String(36), ForeignKey("citizens.id"), nullable=False),
    Column("parent_id", String(36), ForeignKey("applications.id"), nullable=True),  # a bundle's item
    Column("kind", String(8), nullable=False),  # matter | bundle
    Column("matter_code", String(48), nullable=True),
    Column("bundle_code", String(48), nullable=True),
    Column("department_code", String(48), nullable=True),
    Column("status", String(24), nullable=False),
    Column("form", Json, nullable=False),  # field key -> value, as submitted (after corrections)
    Column("sources", Json, nullable=False),  # field key -> where the value came from
    Column("materials", Json, nullable=False),  # material key -> {"certificate_id"} | {"upload_id"}
    Column("decision", Json, nullable=True),  # the instant-approval explanation, when a rule ran
    Column("fees_due", String(16), nullable=False),  # yuan, two decimals
    Column("promised_days", Integer, nullable=False),
    Column("deadline", Date, nullable=True),
    Column("max_trips", Integer, nullable=False),
    Column("trips_needed", Integer, nullable=False),
    Column("fields_total", Integer, nullable=False),
    Column("fields_prefilled", Integer, nullable=False),
    Column("materials_replaced", Integer, nullable=False),
    Column("submitted_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),  # optimistic concurrency for officers' actions
)
Index("ix_applications_citizen", applications.c.citizen_id, applications.c.submitted_at)
Index("ix_applications_department", applications.c.department_code, applications.c.status)
Index("ix_applications_parent", applications.c.parent_id)

application_events = Table(
    "application_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("application_id", String(36), ForeignKey("applications.id"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor_type", String(16), nullable=False),  # citizen | staff | system
    Column("actor_id", String(36), nullable=True),
    Column("actor_name", String(100), nullable=True),
    Column("action", String(32), nullable=False),
    Column("from_status", String(24), nullable=True),
    Column("to_status", String(24), nullable=False),
    Column("reason", Json, nullable=True),
)
Index("ix_application_events_application", application_events.c.application_id, application_events.c.id)

# Which certificate fields an application used, visible to the citizen (data-use consent).
data_consents = Table(
    "data_consents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("citizen_id", String(36), ForeignKey("citizens.id"), nullable=False),
    Column("application_id", String(36), ForeignKey("applications.id"), nullable=False),
    Column("certificate_id", String(36), ForeignKey("certificates.id"), nullable=False),
    Column("fields", Json, nullable=False),
    Column("at", UTCDateTime, nullable=False),
)
Index("ix_data_consents_citizen", data_consents.c.citizen_id, data_consents.c.at)

drafts = Table(
    "drafts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("citizen_id", String(36), ForeignKey("citizens.id"), nullable=False),
    Column("target", String(64), nullable=False),  # matter:CODE | bundle:CODE
    Column("form_values", Json, nullable=False),
    Column("materials", Json, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("citizen_id", "target", name="uq_drafts_citizen_target"),
)

uploads = Table(
    "uploads",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("citizen_id", String(36), ForeignKey("citizens.id"), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("filename", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
Index("ix_uploads_citizen", uploads.c.citizen_id)

notifications = Table(
    "notifications",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("citizen_id", String(36), ForeignKey("citizens.id"), nullable=False),
    Column("application_id", String(36), ForeignKey("applications.id"), nullable=True),
    Column("kind", String(32), nullable=False),
    Column("params", Json, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("read_at", UTCDateTime, nullable=True),
)
Index("ix_notifications_citizen", notifications.c.citizen_id, notifications.c.created_at)
