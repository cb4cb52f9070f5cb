"""Sending SMS: the interface identity and applications send through. The outbox stand-in used
outside production is standins/sms.py."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession


class SmsSender(Protocol):
    """Delivers a text message to a mobile phone."""

    async def send(self, session: AsyncSession, phone: str, body: str) -> None:
        """Queue `body` for `phone`; durable once the caller's transaction commits."""
