"""The audit log: who did what, when, from where, through which client."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import structlog
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db import tables as t
from backend.identity.models import RequestMeta

log = structlog.get_logger("backend.audit")


class AuditAction(StrEnum):
    """What happened."""

    LOGIN_CODE_SENT = "login_code_sent"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    STAFF_LOGIN = "staff_login"
    STAFF_LOGIN_FAILED = "staff_login_failed"
    TOKEN_REFRESHED = "token_refreshed"
    REFRESH_REUSE_DETECTED = "refresh_reuse_detected"
    CODE_REPLAYED = "code_replayed"
    SESSION_REVOKED = "session_revoked"
    LOGOUT_EVERYWHERE = "logout_everywhere"
    CONSENT_GRANTED = "consent_granted"
    CONSENT_REVOKED = "consent_revoked"
    REAL_NAME_VERIFIED = "real_name_verified"
    REAL_NAME_FAILED = "real_name_failed"
    CLIENT_CREATED = "client_created"
    CLIENT_SECRET_ROTATED = "client_secret_rotated"
    KEYS_ROTATED = "keys_rotated"
    WEBHOOK_SUBSCRIBED = "webhook_subscribed"
    WEBHOOK_SECRET_ROTATED = "webhook_secret_rotated"
    WEBHOOK_DELETED = "webhook_deleted"
    WEBHOOK_DISABLED = "webhook_disabled"  # an app's endpoint stopped: 410 Gone or 5 days of failures


async def record(
    session: AsyncSession,
    action: AuditAction,
    *,
    actor_type: str | None = None,
    actor_id: str | None = None,
    client_id: str | None = None,
    meta: RequestMeta | None = None,
    **detail: Any,
) -> None:
    """Append an audit event in the caller's transaction (and log it, with personal data masked)."""
    ip = meta.ip if meta else None
    await session.execute(
        insert(t.audit_events).values(
            at=datetime.now(UTC),
            action=action.value,
            actor_type=actor_type,
            actor_id=actor_id,
            client_id=client_id,
            ip=ip,
            detail=detail,
        )
    )
    log.info(
        "audit", action=action.value, actor_type=actor_type, actor_id=actor_id, client_id=client_id, ip=ip, **detail
    )


async def record_now(sessions: async_sessionmaker[AsyncSession], action: AuditAction, **kwargs: Any) -> None:
    """Append an audit event in its own transaction: for failures, whose request rolls back."""
    async with sessions() as session, session.begin():
        await record(session, action, **kwargs)
