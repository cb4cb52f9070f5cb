"""OAuth clients (mini-programs, the assistant, the app): registration, secrets, redirect URIs."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as t
from backend.errors import CommonErrorCode, DomainError
from backend.identity.errors import IdentityErrorCode
from backend.identity.models import ALL_SCOPES, Client

APP_CLIENT_ID = "onewindow-app"
"""The first-party phone app: its logins get every citizen scope, with no consent screen."""
STAFF_CLIENT_ID = "onewindow-staff"
"""The first-party staff console."""
ASSISTANT_CLIENT_ID = "onewindow-assistant"
"""The assistant: acts for a signed-in citizen with delegated, short-lived, read-only tokens (never first-party)."""

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]"}


def hash_secret(secret: str) -> str:
    """Client secrets are random 256-bit strings, so a plain SHA-256 is enough to store them."""
    return hashlib.sha256(secret.encode()).hexdigest()


def check_redirect_uri(uri: str) -> str:
    """An absolute https URI without fragment (http only for loopback); INVALID_REDIRECT_URI otherwise."""
    parts = urlsplit(uri)
    host = (parts.hostname or "").lower()
    secure = parts.scheme == "https" or (parts.scheme == "http" and (host in _LOCAL_HOSTS or host == "::1"))
    if not secure or not parts.netloc or parts.fragment or "*" in uri:
        raise DomainError(IdentityErrorCode.INVALID_REDIRECT_URI, field="redirectUris")
    return uri


def check_scopes(scopes: list[str]) -> list[str]:
    """The scopes, each one known; UNKNOWN_SCOPE otherwise."""
    for scope in scopes:
        if scope not in ALL_SCOPES:
            raise DomainError(IdentityErrorCode.UNKNOWN_SCOPE, field="scopes", scope=scope)
    return sorted(set(scopes))


def _row_to_client(row: Any) -> Client:
    return Client(
        client_id=row.client_id,
        name=row.name,
        confidential=row.secret_hash is not None,
        first_party=row.first_party,
        redirect_uris=list(row.redirect_uris),
        scopes=list(row.scopes),
        created_at=row.created_at,
        secret_rotated_at=row.secret_rotated_at,
        sandbox=row.sandbox,
        documents_only=row.documents_only,
    )


async def get_client(session: AsyncSession, client_id: str) -> Client | None:
    """An enabled client, or None."""
    row = (
        await session.execute(
            select(t.oauth_clients).where(
                t.oauth_clients.c.client_id == client_id, t.oauth_clients.c.disabled.is_(False)
            )
        )
    ).first()
    return _row_to_client(row) if row else None


async def list_clients(session: AsyncSession) -> list[Client]:
    """Every enabled client, by id."""
    rows = await session.execute(
        select(t.oauth_clients).where(t.oauth_clients.c.disabled.is_(False)).order_by(t.oauth_clients.c.client_id)
    )
    return [_row_to_client(row) for row in rows]


async def create_client(
    session: AsyncSession,
    *,
    name: str,
    redirect_uris: list[str],
    scopes: list[str],
    confidential: bool = True,
    sandbox: bool = False,
    documents_only: bool = False,
) -> tuple[Client, str | None]:
    """Register a third-party client: (client, secret). The secret is shown once and stored hashed.

    A `sandbox` client signs in only the sandbox personas, with the sandbox code; a `documents_only`
    client may call only trusted documents (its own and the platform's), never a query text."""
    if not name.strip():
        raise DomainError(CommonErrorCode.REQUIRED, field="name")
    if not redirect_uris:
        raise DomainError(CommonErrorCode.REQUIRED, field="redirectUris")
    uris = [check_redirect_uri(u) for u in redirect_uris]
    granted = check_scopes(scopes)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:24] or "client"
    client_id = f"mp-{slug}-{secrets.token_hex(4)}"
    secret = "cs_" + secrets.token_urlsafe(32) if confidential else None
    now = datetime.now(UTC)
    await session.execute(
        insert(t.oauth_clients).values(
            client_id=client_id,
            name=name.strip(),
            secret_hash=hash_secret(secret) if secret else None,
            first_party=False,
            redirect_uris=uris,
            scopes=granted,
            created_at=now,
            disabled=False,
            sandbox=sandbox,
            documents_only=documents_only,
        )
    )
    client = await get_client(session, client_id)
    assert client is not None
    return client, secret


async def rotate_secret(session: AsyncSession, client_id: str) -> str:
    """A new secret for a confidential client; the old one stops working at once."""
    client = await get_client(session, client_id)
    if client is None or not client.confidential:
        raise DomainError(CommonErrorCode.NOT_FOUND, field="clientId", what=client_id)
    secret = "cs_" + secrets.token_urlsafe(32)
    await session.execute(
        update(t.oauth_clients)
        .where(t.oauth_clients.c.client_id == client_id)
        .values(secret_hash=hash_secret(secret), secret_rotated_at=datetime.now(UTC))
    )
    return secret


async def authenticate_client(session: AsyncSession, client_id: str, secret: str | None) -> Client | None:
    """The client if it exists and (when confidential) the secret matches."""
    row = (
        await session.execute(
            select(t.oauth_clients).where(
                t.oauth_clients.c.client_id == client_id, t.oauth_clients.c.disabled.is_(False)
            )
        )
    ).first()
    if row is None:
        return None
    if row.secret_hash is not None and not hmac.compare_digest(row.secret_hash, hash_secret(secret or "")):
        return None
    return _row_to_client(row)
