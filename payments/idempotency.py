"""Idempotency keys for requests that call a payment channel: the same key gets the same answer, once.

A key is reserved in a short transaction before the channel is called and answered in another after,
so no database transaction stays open across a network call (on SQLite one would stall every writer).
Requests that arrive with the key meanwhile wait for the first one's answer instead of failing.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, null, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db.engine import unit_of_work
from payments import tables as t
from payments.errors import PaymentError, PaymentErrorCode

# How long a request waits for another request's answer under the same key before saying it is
# still being worked on (a channel call takes a few seconds at most).
WAIT_SECONDS = 15.0
_POLL_SECONDS = 0.05


class KeyInUseError(Exception):
    """The key is reserved by a request still at work (or one that crashed: its reservation is `since`)."""

    def __init__(self, since: datetime) -> None:
        super().__init__("a request with this key is being worked on")
        self.since = since


def _digest(request: Any) -> str:
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()


def _key(actor: str, key: str) -> Any:
    return (t.idempotency_keys.c.actor == actor) & (t.idempotency_keys.c.key == key)


async def reserve(session: AsyncSession, actor: str, key: str, operation: str, request: Any) -> dict[str, Any] | None:
    """Reserve (actor, key) for `request` in the caller's transaction; the stored answer if there is one.

    IDEMPOTENCY_KEY_REUSED for another request with the key; KeyInUseError while its first request is at
    work. A concurrent first reservation surfaces as IntegrityError when the transaction writes.
    """
    found = (await session.execute(select(t.idempotency_keys).where(_key(actor, key)))).first()
    if found is not None:
        if found.operation != operation or found.request_hash != _digest(request):
            raise PaymentError(PaymentErrorCode.IDEMPOTENCY_KEY_REUSED)
        if found.response is None:
            raise KeyInUseError(found.created_at)
        stored: dict[str, Any] = found.response
        return stored
    await session.execute(
        t.idempotency_keys.insert().values(
            # SQL NULL (not JSON null): the answer does not exist yet
            actor=actor,
            key=key,
            operation=operation,
            request_hash=_digest(request),
            response=null(),
            created_at=datetime.now(UTC),
        )
    )
    return None


async def answer(session: AsyncSession, actor: str, key: str, response: dict[str, Any]) -> None:
    """Keep the answer of a reserved key (in the transaction that made it true)."""
    await session.execute(update(t.idempotency_keys).where(_key(actor, key)).values(response=response))


async def answers_to(session: AsyncSession, operation: str, requests: list[Any]) -> list[dict[str, Any]]:
    """The answers kept for any of `requests` under `operation`, whoever asked, newest first."""
    rows = await session.execute(
        select(t.idempotency_keys.c.response)
        .where(
            t.idempotency_keys.c.operation == operation,
            t.idempotency_keys.c.request_hash.in_([_digest(request) for request in requests]),
            t.idempotency_keys.c.response.is_not(None),
        )
        .order_by(t.idempotency_keys.c.created_at.desc())
    )
    return [dict(response) for response in rows.scalars()]


async def release(session: AsyncSession, actor: str, key: str) -> None:
    """Give a reserved key up: the request failed before anything happened, and may be tried again."""
    await session.execute(delete(t.idempotency_keys).where(_key(actor, key), t.idempotency_keys.c.response.is_(None)))


async def reserved_once(
    sessions: async_sessionmaker[AsyncSession],
    reservation: Callable[[AsyncSession], Awaitable[dict[str, Any] | None]],
    *,
    take_over_after: float | None = None,
) -> dict[str, Any] | None:
    """Run `reservation` (which calls `reserve`) in its own transaction until it is decided.

    None: this request holds the key, and goes on. A dict: the answer, the first request's (waited for
    while it is at work). When the first request's reservation is older than `take_over_after`
    seconds it is taken over (None is returned, as for a new key): that request died mid-way.
    PaymentError(PaymentErrorCode.REQUEST_IN_PROGRESS) after WAIT_SECONDS of waiting.
    """
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            async with sessions() as session, unit_of_work(session):
                return await reservation(session)
        except IntegrityError:
            pass  # another request reserved the key first: read its state on the next round
        except KeyInUseError as pending:
            age = (datetime.now(UTC) - pending.since).total_seconds()
            if take_over_after is not None and age > take_over_after:
                return None
            if time.monotonic() > deadline:
                raise PaymentError(PaymentErrorCode.REQUEST_IN_PROGRESS) from None
            await asyncio.sleep(_POLL_SECONDS)  # waiting for another request's answer
