"""The finance bureau's stand-in: receipt numbers in blocks (号段) and check codes, as its platform
assigns them."""

from __future__ import annotations

import asyncio
import hashlib
import hmac

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from payments import tables as t
from payments.receipts import CHECK_ALPHABET


class FinanceBureauStandIn:
    """Assigns receipt numbers the way the finance bureau's platform does (outside production).

    Numbers come from blocks (号段) each process reserves in a short transaction of its own, so
    concurrent payments never queue behind one counter row; a block's unused numbers are skipped
    when the process stops (voided numbers, as with paper receipt books).
    """

    BLOCK = 100

    def __init__(self, secret: bytes, sessions: async_sessionmaker[AsyncSession] | None = None) -> None:
        self._secret = hmac.new(secret, b"onewindow/finance-bureau", hashlib.sha256).digest()
        self._sessions = sessions
        self._blocks: dict[str, tuple[int, int]] = {}  # bill code -> (next, end)
        self._lock = asyncio.Lock()

    async def _reserve(self, session: AsyncSession, bill_code: str) -> tuple[int, int]:
        # A transaction of its own releases the counter at once. Not on SQLite: its one writer is the
        # caller's transaction already, and a second connection would wait for it forever.
        if self._sessions is not None and session.get_bind().dialect.name != "sqlite":
            async with self._sessions() as own, own.begin():
                return await self._take(own, bill_code)
        return await self._take(session, bill_code)

    async def _take(self, session: AsyncSession, bill_code: str) -> tuple[int, int]:
        series = t.receipt_series
        taken = await session.execute(
            update(series).where(series.c.bill_code == bill_code).values(next_number=series.c.next_number + self.BLOCK)
        )
        if taken.rowcount == 0:  # type: ignore[attr-defined]
            try:
                async with session.begin_nested():
                    await session.execute(series.insert().values(bill_code=bill_code, next_number=1 + self.BLOCK))
                return 1, 1 + self.BLOCK
            except IntegrityError:  # another process opened the series at the same moment
                return await self._take(session, bill_code)
        end = int(
            (await session.execute(select(series.c.next_number).where(series.c.bill_code == bill_code))).scalar_one()
        )
        return end - self.BLOCK, end

    async def assign(self, session: AsyncSession, fiscal_code: str, year: int, total_fen: int) -> tuple[str, str, str]:
        """(票据代码, 票据号码, 校验码) for a receipt of a unit in a year."""
        bill_code = f"44{year % 100:02d}{fiscal_code[-4:]}"
        async with self._lock:
            start, end = self._blocks.get(bill_code, (0, 0))
            if start >= end:
                start, end = await self._reserve(session, bill_code)
            self._blocks[bill_code] = (start + 1, end)
        bill_number = f"{start:010d}"
        digest = hmac.new(self._secret, f"{bill_code}|{bill_number}|{total_fen}".encode(), hashlib.sha256).digest()
        check = "".join(CHECK_ALPHABET[b % len(CHECK_ALPHABET)] for b in digest[:6])
        return bill_code, bill_number, check
