"""The channel's daily bill compared with the books, and the record of those comparisons."""

from __future__ import annotations

from datetime import UTC, date, datetime

import msgspec
import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.engine import execute
from payments import tables as t
from payments.channels.base import DEFAULT_CHANNEL, ChannelError
from payments.errors import PaymentErrorCode
from payments.reconcile import BillReport, compare
from payments.service import PaymentDeps, PaymentError

log = structlog.get_logger("payments")


class Bills:
    """Bill comparisons in one unit of work."""

    def __init__(self, session: AsyncSession, deps: PaymentDeps, channel: str = DEFAULT_CHANNEL) -> None:
        self._session = session
        self._deps = deps
        self._channel = channel

    async def check(self, day: date) -> BillReport:
        """Download the channel's bill of a Beijing day and compare it with what we booked (reads only)."""
        try:
            content = await self._deps.channel_named(self._channel).bill(day)
        except ChannelError as error:
            raise PaymentError(PaymentErrorCode.CHANNEL_UNAVAILABLE, detail=error.code) from None
        channel = self._deps.channel_named(self._channel)
        return await compare(self._session, day, list(channel.parse_bill(content)), self._channel)

    async def keep(self, report: BillReport) -> BillReport:
        """Record a comparison (`history` shows finance staff); discrepancies are logged."""
        await self._session.execute(
            t.bill_checks.insert().values(
                channel=self._channel,
                day=report.day,
                clean=report.clean,
                report=msgspec.to_builtins(report),
                checked_at=datetime.now(UTC),
            )
        )
        if not report.clean:
            log.warning("payments.bill_discrepancies", day=report.day.isoformat(), count=len(report.discrepancies))
        return report

    async def history(self, days: int) -> list[tuple[datetime, BillReport]]:
        """The latest comparison of each of the last `days` days checked, newest day first."""
        checks = t.bill_checks
        recent = (
            select(checks.c.day)
            .where(checks.c.channel == self._channel)
            .group_by(checks.c.day)
            .order_by(checks.c.day.desc())
            .limit(days)
        )
        rows = await execute(
            self._session,
            select(checks.c.day, checks.c.report, checks.c.checked_at)
            .where(checks.c.channel == self._channel, checks.c.day.in_(recent.scalar_subquery()))
            .order_by(checks.c.day.desc(), checks.c.checked_at.desc()),
        )
        latest: dict[date, tuple[datetime, BillReport]] = {}
        for row in rows:
            latest.setdefault(row.day, (row.checked_at, msgspec.convert(row.report, BillReport)))
        return list(latest.values())

    async def last_checked_day(self) -> date | None:
        """The newest Beijing day whose bill was checked."""
        found = (
            await execute(
                self._session, select(func.max(t.bill_checks.c.day)).where(t.bill_checks.c.channel == self._channel)
            )
        ).scalar_one()
        return found if isinstance(found, date) else None
