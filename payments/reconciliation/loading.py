"""The channel's bill into the database: a per-run temporary table the comparison joins with the books.

PostgreSQL takes the rows by COPY (asyncpg's copy_records_to_table on the session's own connection, so
the table and the comparison share one transaction); SQLite, the zero-setup default for small volumes,
by batched inserts. The rows are streamed from the channel's parser: a city's day is a million rows and
never sits in Python's memory as a list. The bill's own totals are counted on the way through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Column, MetaData, String, Table, insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.types import UTCDateTime
from payments.channels.base import BillRow

BATCH = 5_000
"""Rows per insert on SQLite, and between two progress reports."""
PROGRESS_EVERY = 50_000

Progress = Callable[[int], None]
"""Told how many bill rows are loaded so far."""


@dataclass
class BillTotals:
    """What the bill itself adds up to (payments positive, refunds negative, fees charged positive)."""

    payments: int = 0
    payments_fen: int = 0
    refunds: int = 0
    refunds_fen: int = 0
    fees_fen: int = 0

    @property
    def rows(self) -> int:
        """Detail rows read."""
        return self.payments + self.refunds

    def count(self, row: BillRow) -> None:
        """Add one detail row."""
        if row.kind == "refund":
            self.refunds += 1
            self.refunds_fen += row.amount_fen
        else:
            self.payments += 1
            self.payments_fen += row.amount_fen
        self.fees_fen += row.fee_fen


def bill_table(run_id: int) -> Table:
    """The run's temporary table: one row per bill detail line, keyed by our reference."""
    return Table(
        f"recon_bill_{run_id}",
        MetaData(),
        Column("kind", String(8), nullable=False),  # payment | refund
        Column("reference", String(64), nullable=False),  # out_trade_no, or out_request_no for a refund
        Column("trade_no", String(64), nullable=False),
        Column("amount_fen", BigInteger, nullable=False),
        Column("fee_fen", BigInteger, nullable=False),
        Column("at", UTCDateTime, nullable=True),
        prefixes=["TEMPORARY"],
    )


COLUMNS = ["kind", "reference", "trade_no", "amount_fen", "fee_fen", "at"]


def _records(rows: Iterable[BillRow], totals: BillTotals, progress: Progress | None) -> Iterator[tuple[Any, ...]]:
    """The rows as the table's records, the bill's totals counted on the way (in locals: per row it counts)."""
    payments = payments_fen = refunds = refunds_fen = fees = 0
    try:
        for count, row in enumerate(rows, 1):
            amount = row.amount_fen
            if row.kind == "refund":
                refunds, refunds_fen = refunds + 1, refunds_fen + amount
                reference = row.request_no or row.out_trade_no
            else:
                payments, payments_fen = payments + 1, payments_fen + amount
                reference = row.out_trade_no
            fees += row.fee_fen
            if progress is not None and not count % PROGRESS_EVERY:
                progress(count)
            yield (row.kind, reference, row.trade_no, amount, row.fee_fen, row.at)
    finally:
        totals.payments, totals.payments_fen, totals.refunds = payments, payments_fen, refunds
        totals.refunds_fen, totals.fees_fen = refunds_fen, fees


async def load(
    session: AsyncSession, table: Table, rows: Iterable[BillRow], progress: Progress | None = None
) -> BillTotals:
    """Create the run's table, stream the bill into it and index it; the bill's totals."""
    connection = await session.connection()
    await connection.run_sync(lambda sync: table.create(sync))
    totals = BillTotals()
    records = _records(rows, totals, progress)
    if connection.dialect.name == "postgresql":
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        await driver.copy_records_to_table(table.name, records=records, columns=COLUMNS)
    else:
        batch: list[dict[str, Any]] = []
        for record in records:
            batch.append(dict(zip(COLUMNS, record, strict=True)))
            if len(batch) >= BATCH:
                await session.execute(insert(table), batch)
                batch = []
        if batch:
            await session.execute(insert(table), batch)
    await session.execute(text(f"CREATE INDEX ix_{table.name} ON {table.name} (kind, reference)"))
    if connection.dialect.name == "postgresql":
        await session.execute(text(f"ANALYZE {table.name}"))  # a temporary table has no statistics otherwise
    if progress is not None:
        progress(totals.rows)
    return totals


async def drop(session: AsyncSession, table: Table) -> None:
    """Drop the run's table (a rolled-back run's goes with its transaction)."""
    await session.execute(text(f"DROP TABLE IF EXISTS {table.name}"))
