"""The payment jobs' passes: reconciling with the channel, closing orders left unpaid, and the daily bill.

Each takes a session factory and opens short transactions of its own: one per order, so a slow
channel query never holds another order's locks. The worker runs them on schedule (backend/jobs/schedule.py);
the CLI runs one pass by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db.engine import unit_of_work
from payments import tables as t
from payments.channels.base import PAYMENT_WINDOW_MINUTES
from payments.orders import OrderStatus, closed_at_channel_pending, open_orders
from payments.reconciliation.days import bill_day_due
from payments.reconciliation.runs import Reconciliation, Run
from payments.refunds import Refunds
from payments.service import PaymentDeps, Payments

ASK_AFTER_MINUTES = 15
"""An open order is asked about once it is this old: its notification should have come by then."""
LAUNCH_WINDOW = timedelta(minutes=PAYMENT_WINDOW_MINUTES + 5)
"""How long a launched payment may still be paid, with five minutes for clocks that differ."""


async def reconcile(
    sessions: async_sessionmaker[AsyncSession], deps: PaymentDeps, older_than: datetime
) -> dict[str, int]:
    """Ask the channel about orders open since before `older_than` (credit the paid, close the closed),
    close at the channel the trades of orders closed here, and book refunds left pending since before
    `older_than`; what happened, counted."""
    counts = {
        "checked": 0,
        "credited": 0,
        "closed": 0,
        "closed_at_channel": 0,
        "paid_after_closing": 0,
        "refunds_booked": 0,
        "second_payments_refunded": 0,
    }
    async with sessions() as session:
        found = await open_orders(session, older_than)
        closed = await closed_at_channel_pending(session)
    for order in found:
        async with sessions() as session, unit_of_work(session):
            outcome = await Payments(session, deps).reconcile_order(order)
        counts["checked"] += 1
        if outcome != "open":
            counts[outcome] += 1
    for order in closed:
        async with sessions() as session, unit_of_work(session):
            outcome = await Payments(session, deps).close_at_channel(order, LAUNCH_WINDOW)
        key = {"closed": "closed_at_channel", "credited": "paid_after_closing"}.get(outcome)
        if key:
            counts[key] += 1
    # Refunds left pending (the channel unreachable, or a crash between the steps): ask it again
    counts["refunds_booked"] = await Refunds(sessions, deps).finish_pending(older_than)
    # Second payments whose refund the channel has not confirmed yet: ask it again (the same request number)
    counts["second_payments_refunded"] = await Refunds(sessions, deps).finish_duplicates()
    return counts


async def expire_unpaid(sessions: async_sessionmaker[AsyncSession], deps: PaymentDeps, now: datetime) -> int:
    """Close the orders left unpaid `deps.unpaid_days` days and withdraw their applications, with a notice
    (`PaymentEvents.expired`); how many. The channel is asked first: a payment whose notification never
    came is credited, not expired. The reconciling job then closes the trades at the channel too."""
    expired = 0
    async with sessions() as session:
        found = await open_orders(session, now - timedelta(days=deps.unpaid_days))
    for order in found:
        async with sessions() as session, unit_of_work(session):
            if await Payments(session, deps).reconcile_order(order) == "credited":
                continue
            await session.execute(
                update(t.payment_orders)
                .where(t.payment_orders.c.id == order.id, t.payment_orders.c.status == OrderStatus.OPEN)
                .values(status=OrderStatus.CLOSED, closed_at=now)
            )
            await deps.events.expired(session, order, deps.unpaid_days)
            expired += 1
    return expired


async def reconcile_due_bills(
    sessions: async_sessionmaker[AsyncSession], deps: PaymentDeps, now: datetime | None = None
) -> list[Run]:
    """Reconcile every channel's bill of the day before once the bills are ready, each channel once a day
    (a run left incomplete, its bill not out yet, is tried again on the next pass); the runs made now."""
    made: list[Run] = []
    for channel in sorted(deps.channels):
        async with sessions() as session, unit_of_work(session):
            runs = t.reconciliation_runs
            last = (
                await session.execute(
                    select(func.max(runs.c.day)).where(runs.c.channel == channel, runs.c.verdict != "incomplete")
                )
            ).scalar_one()
            day = bill_day_due(now or datetime.now(UTC), last)
            if day is not None:
                made.append(await Reconciliation(session, deps).run(channel, day))
    return made
