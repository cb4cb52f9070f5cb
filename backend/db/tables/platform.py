"""Tables of the developer platform: trusted documents, the developers of an app, daily API usage."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, ForeignKey, String, Table, Text

from backend.db.tables.base import metadata
from backend.db.types import Json, UTCDateTime

# A GraphQL document an app registered (or the platform's own, owner "platform"), called by its id
# ("sha256:<hex>" of the body) instead of sending the text.
trusted_documents = Table(
    "trusted_documents",
    metadata,
    Column("owner", String(64), primary_key=True),  # a client id, or "platform"
    Column("document_id", String(80), primary_key=True),
    Column("operation_type", String(16), nullable=False),  # query | mutation | subscription
    Column("operation_name", String(200), nullable=True),
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# Staff accounts (role "developer") that may read an app's usage and manage its documents.
client_developers = Table(
    "client_developers",
    metadata,
    Column("client_id", String(64), ForeignKey("oauth_clients.client_id"), primary_key=True),
    Column("staff_id", String(36), ForeignKey("staff.id"), primary_key=True),
)

# Per app (a client id, or "anonymous") and Beijing day: what it asked of the API.
api_usage = Table(
    "api_usage",
    metadata,
    Column("app", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("requests", BigInteger, nullable=False, default=0),
    Column("cost", BigInteger, nullable=False, default=0),
    Column("throttled", BigInteger, nullable=False, default=0),
    Column("errors", Json, nullable=False),  # {"CODE": count}
)
