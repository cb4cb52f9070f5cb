"""Group commit for channel notifications: what arrives together is applied in one transaction.

Each notification is still judged on its own and answered only once the transaction that applied it
has committed. While one batch is being written, new arrivals queue; the next batch takes them all
(at most `max_batch`), so a lone notification waits for nobody and a burst shares commits and round
trips. If a batch fails, its notifications are applied again one per transaction, so a single bad
notification cannot fail the others; the one that still fails is answered as a failure (the channel
retries it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db.engine import unit_of_work
from payments.channels.base import Inbound
from payments.refunds import Refunds
from payments.service import PaymentDeps, Payments

log = structlog.get_logger("payments")

T = TypeVar("T")
Apply = Callable[[Sequence[T]], Awaitable[list[tuple[bool, str]]]]
"""Applies notifications in one committed transaction: (acknowledge?, outcome) for each."""
Arrival = tuple[str, Inbound]
"""A notification and the channel it came from (its endpoint says which)."""


class NotificationBatcher(Generic[T]):
    """Queues notifications of one process and applies them in batches, one batch at a time per writer."""

    def __init__(self, apply: Apply[T], *, max_batch: int = 64, writers: int = 1) -> None:
        self._apply = apply
        self._max_batch = max_batch
        self._writers = writers
        self._queue: list[tuple[T, asyncio.Future[tuple[bool, str]]]] = []
        self._running: set[asyncio.Task[None]] = set()

    async def submit(self, item: T) -> tuple[bool, str]:
        """Apply one notification with whatever else is waiting; returns once it is committed."""
        future: asyncio.Future[tuple[bool, str]] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if len(self._running) < self._writers:
            task = asyncio.create_task(self._drain())
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        return await future

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self._max_batch], self._queue[self._max_batch :]
            await self._write(batch)

    async def _write(self, batch: list[tuple[T, asyncio.Future[tuple[bool, str]]]]) -> None:
        try:
            results = await self._apply([item for item, _ in batch])
        except Exception as error:
            if len(batch) == 1:
                _settle(batch[0][1], error=error)
                return
            log.warning("payments.batch_failed", size=len(batch), error=repr(error))
            for item in batch:  # one by one: only the culprit fails
                await self._write([item])
            return
        for (_, future), result in zip(batch, results, strict=True):
            _settle(future, result=result)


def _settle(
    future: asyncio.Future[tuple[bool, str]], *, result: tuple[bool, str] | None = None, error: Exception | None = None
) -> None:
    if future.done():  # the waiting request was cancelled (client went away): nothing to tell
        return
    if error is not None:
        future.set_exception(error)
    else:
        assert result is not None
        future.set_result(result)


def notification_batcher(sessions: async_sessionmaker[AsyncSession], deps: PaymentDeps) -> NotificationBatcher[Arrival]:
    """The process's batcher, one for every channel: each batch is one unit of work of the payment
    service, each channel's notifications in it judged by that channel."""

    async def apply(batch: Sequence[Arrival]) -> list[tuple[bool, str]]:
        refunds = Refunds(sessions, deps)
        results: dict[int, tuple[bool, str]] = {}
        async with sessions() as session, unit_of_work(session):
            payments = Payments(session, deps)
            for name in sorted({channel for channel, _ in batch}):
                positions = [i for i, (channel, _) in enumerate(batch) if channel == name]
                answers = await payments.handle_notifications(
                    [batch[i][1] for i in positions], name, lambda note: refunds.book_notified(session, note)
                )
                results.update(zip(positions, answers, strict=True))
        # A payment that owes a refund (its order was closed, or items of it were refused; a second
        # payment) is refunded now through its channel; what the channel does not confirm, the
        # reconciling job asks again.
        for order_id in sorted(payments.refunds_reserved):
            await refunds.finish_platform_refunds(order_id)
        if payments.duplicates_held:
            await refunds.finish_duplicates(payments.duplicates_held)
        return [results[i] for i in range(len(batch))]

    return NotificationBatcher(apply)
