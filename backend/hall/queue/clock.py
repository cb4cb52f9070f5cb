"""The queue's clock: the transports read the time here once per request (tests move it without sleeping)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The time now, aware UTC."""
    return datetime.now(UTC)
