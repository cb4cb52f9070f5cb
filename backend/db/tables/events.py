"""Tables of events going out: the outbox, apps' webhooks and their deliveries, who read a citizen's
data, the scheduled jobs' runs, and files kept in the database so that every instance can serve them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from backend.db.tables.base import metadata
from backend.db.types import Json, UTCDateTime

# SQLite only numbers an INTEGER PRIMARY KEY by itself; PostgreSQL gets a bigint identity.
_SEQUENCE = BigInteger().with_variant(Integer(), "sqlite")

# A domain event, written in the transaction of the change it reports: it exists if and only if the
# change committed. The relay hands it to live subscriptions and webhooks and then marks it relayed.
outbox_events = Table(
    "outbox_events",
    metadata,
    Column("seq", _SEQUENCE, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),  # "evt_...", public
    Column("type", String(64), nullable=False),  # application.submitted, consent.revoked...
    Column("citizen_id", String(36), nullable=True, index=True),
    Column("client_id", String(64), nullable=True),  # an event about one app only (consent.*)
    Column("data", Json, nullable=False),  # internal facts; each app's payload is rendered from them
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("relayed_at", UTCDateTime, nullable=True),
    Index("ix_outbox_events_unrelayed", "relayed_at", "seq"),
)

# An app's endpoint subscribed to some event types.
webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", String(40), primary_key=True),  # "whsub_..."
    Column("client_id", String(64), ForeignKey("oauth_clients.client_id"), nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("event_types", Json, nullable=False),  # ["application.status_changed", ...]
    Column("description", String(200), nullable=False, default=""),
    Column("status", String(16), nullable=False),  # active | disabled
    Column("disabled_reason", String(32), nullable=True),  # gone (410) | failing | developer
    Column("disabled_at", UTCDateTime, nullable=True),
    Column("failing_since", UTCDateTime, nullable=True),  # first failure since the last success
    Column("created_by", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# A subscription's signing secrets: usually one; two while a rotation overlaps (the old one expires).
webhook_secrets = Table(
    "webhook_secrets",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("subscription_id", String(40), ForeignKey("webhook_subscriptions.id"), nullable=False, index=True),
    Column("secret", String(128), nullable=False),  # "whsec_<base64>"; needed in clear to sign
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
)

# One event for one subscription: the body is rendered once (the app's pairwise subject, what its
# scopes allow), so every retry sends the same bytes under the same webhook-id.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", String(40), primary_key=True),  # the webhook-id, "msg_..."
    Column("event_id", String(40), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("subscription_id", String(40), ForeignKey("webhook_subscriptions.id"), nullable=False),
    Column("citizen_id", String(36), nullable=True),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),  # pending | succeeded | failed | cancelled
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=True),
    Column("lease_until", UTCDateTime, nullable=True),  # a worker is sending it until then
    Column("last_status_code", Integer, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("delivered_at", UTCDateTime, nullable=True),
    UniqueConstraint("event_id", "subscription_id", name="uq_webhook_deliveries_event_subscription"),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_subscription", "subscription_id", "created_at"),
)

# Each try of a delivery: what the endpoint answered and how long it took.
webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", _SEQUENCE, primary_key=True, autoincrement=True),
    Column("delivery_id", String(40), ForeignKey("webhook_deliveries.id"), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
    Column("status_code", Integer, nullable=True),  # None: no answer (timeout, refused, blocked address)
    Column("latency_ms", Integer, nullable=False),
    Column("error", String(200), nullable=True),
    Column("manual", Boolean, nullable=False, default=False),  # a redelivery asked by a person
)

# What an app did with a citizen's data, per Beijing day: the scopes whose data it read through the
# API (kind "read", item a scope) and the events about the citizen it was sent (kind "event").
data_access = Table(
    "data_access",
    metadata,
    Column("citizen_id", String(36), primary_key=True),
    Column("client_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("kind", String(8), primary_key=True),
    Column("item", String(64), primary_key=True),
    Column("count", BigInteger, nullable=False, default=0),
)

# One run of a scheduled job per slot (e.g. its minute): the primary key lets exactly one worker of
# however many instances claim it.
job_runs = Table(
    "job_runs",
    metadata,
    Column("job", String(64), primary_key=True),
    Column("slot", String(32), primary_key=True),
    Column("worker", String(80), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("outcome", Json, nullable=True),
)

# Uploaded files when ONEWINDOW_UPLOAD_STORAGE=database: any instance serves them.
stored_files = Table(
    "stored_files",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("content", LargeBinary, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
