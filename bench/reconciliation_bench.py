"""Reconciliation at city scale: one channel's bill of a day against the books, on PostgreSQL.

    uv run python bench/reconciliation_bench.py [--rows 1000000] [--each 100]

A throw-away PostgreSQL 15 (as the tests start one) gets the schema and `rows` paid orders of one Beijing
day, written by COPY (never the ORM). The bill is an Alipay trade bill (a zip of a GBK CSV) of the same
day, read by Alipay's own streaming parser, with `each` planted differences of every kind: payments only
the bill lists (长款), booked payments it leaves out (短款), amounts that differ; then the same bill
restated with `each` fees changed (a fee the first run posted that the bill now states otherwise). The
books and the bills are made in a child process; this process runs the day (`Reconciliation.run`) on
the first bill, which records every matched payment's fee (and posts their sum as one entry), and again
on the restated one, prints the time of each (the comparison apart from the fees) and its own peak RSS
(getrusage), and exits 1 unless
every planted difference is a break and nothing else is. `prepare` and `planted_found` are
also what tests/integration/test_reconciliation_bench.py runs on a small copy (SQLite and PostgreSQL).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import multiprocessing
import os
import platform
import resource
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import tables as bt
from backend.db.engine import create_engine, session_factory, unit_of_work
from backend.db.migrate import upgrade
from payments import tables as pt
from payments.channels.alipay.bill import parse_bill
from payments.channels.base import BillRow, TradeState
from payments.money import to_yuan
from payments.reconciliation.runs import Reconciliation, Run
from payments.service import PaymentDeps
from standins.alipay.bill import COLUMNS, _GbkName

DAY = date(2026, 12, 6)
START = datetime(2026, 12, 5, 16, 0, tzinfo=UTC)  # 00:00 Beijing on DAY
AMOUNT = 4_700  # fen
FEE = 28


@dataclass
class Planted:
    """The references of the planted differences, by the break kind each must become."""

    kinds: dict[str, set[str]] = field(default_factory=dict)


def _order_no(n: int) -> str:
    return f"OW{n:012d}"


def _books(rows: int, each: int, citizen: str) -> Iterator[tuple[Any, ...]]:
    """The day's paid orders: one a second-ish over the day."""
    for n in range(rows):
        at = START + timedelta(seconds=(n * 86_399) // max(rows, 1))
        no = _order_no(n)
        yield (str(uuid.UUID(int=n + 1)), no, citizen, None, "bench", AMOUNT, 0, "paid", "alipay", "T" + no, at, at, at)


ORDER_COLUMNS = [
    "id",
    "out_trade_no",
    "citizen_id",
    "application_id",
    "subject",
    "total_fen",
    "refunded_fen",
    "status",
    "channel",
    "channel_trade_no",
    "created_at",
    "paid_at",
    "channel_paid_at",
]


def plan(rows: int, each: int) -> Planted:
    """Which orders carry which difference: the first `each` are left out of the bill (短款), the next
    `each` billed for another amount, the next `each` have their fee restated by a later bill (the fee
    the first run posted differs); `each` payments nobody booked are added to the bill (长款)."""
    return Planted(
        {
            "platform_only": {_order_no(n) for n in range(each)},
            "amount_mismatch": {_order_no(n) for n in range(each, 2 * each)},
            "fee_difference": {_order_no(n) for n in range(2 * each, 3 * each)},
            "channel_only": {f"STRANGER{n:08d}" for n in range(each)},
        }
    )


def bill_zip(rows: int, each: int, fees_restated: bool = True) -> bytes:
    """The day's Alipay trade bill with the planted differences (with `fees_restated`, the fees of the
    fee_difference orders are not what the first bill said)."""
    planted = plan(rows, each)
    buffer = io.BytesIO()
    column = {name: i for i, name in enumerate(COLUMNS)}

    def line(trade_no: str, out_trade_no: str, at: datetime, amount: int, fee: int) -> str:
        cells = [""] * len(COLUMNS)
        cells[column["支付宝交易号"]] = trade_no + "\t"
        cells[column["商户订单号"]] = out_trade_no + "\t"
        cells[column["业务类型"]] = "交易"
        cells[column["完成时间"]] = f"{at + timedelta(hours=8):%Y-%m-%d %H:%M:%S}"
        cells[column["订单金额（元）"]] = cells[column["商家实收（元）"]] = to_yuan(amount)
        cells[column["服务费（元）"]] = to_yuan(-fee)
        return ",".join(cells) + "\r\n"

    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = _GbkName("20880000000000010156_20261206_业务明细.csv", date_time=(2026, 12, 7, 9, 0, 0))
        with archive.open(info, "w") as raw:
            out = io.TextIOWrapper(raw, encoding="gbk", newline="")
            out.write("#支付宝业务明细查询\r\n#账号：[2088000000000001]\r\n" + ",".join(COLUMNS) + "\r\n")
            for n in range(rows):
                no = _order_no(n)
                if no in planted.kinds["platform_only"]:
                    continue
                at = START + timedelta(seconds=(n * 86_399) // max(rows, 1))
                amount = AMOUNT + 1 if no in planted.kinds["amount_mismatch"] else AMOUNT
                restated = fees_restated and no in planted.kinds["fee_difference"]
                out.write(line("T" + no, no, at, amount, FEE + 5 if restated else FEE))
            for n, stranger in enumerate(sorted(planted.kinds["channel_only"])):
                out.write(line(f"S{n:010d}", stranger, START + timedelta(hours=12), AMOUNT, FEE))
            out.write("#业务明细列表结束\r\n")
            out.flush()
            out.detach()
    return buffer.getvalue()


async def prepare(session: AsyncSession, rows: int, each: int) -> Planted:
    """Write the books (COPY on PostgreSQL, batched inserts elsewhere)."""
    citizen = str(uuid.uuid4())
    await session.execute(insert(bt.citizens).values(id=citizen, phone="19900000000", created_at=datetime.now(UTC)))
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        await driver.copy_records_to_table("payment_orders", records=_books(rows, each, citizen), columns=ORDER_COLUMNS)
    else:
        batch: list[dict[str, Any]] = []
        for record in _books(rows, each, citizen):
            batch.append(dict(zip(ORDER_COLUMNS, record, strict=True)))
            if len(batch) == 5_000:
                await session.execute(insert(pt.payment_orders), batch)
                batch = []
        if batch:
            await session.execute(insert(pt.payment_orders), batch)
    planted = plan(rows, each)
    return planted


class BenchChannel:
    """Alipay as far as a run needs it: the bill from a file, and a gateway that knows no planted 短款."""

    name, app_id, seller_id = "alipay", "2021000000000001", "2088000000000001"

    def __init__(self, content: bytes) -> None:
        self._content = content

    async def bill(self, day: date) -> bytes:
        return self._content

    def parse_bill(self, content: bytes) -> Iterator[BillRow]:
        return parse_bill(content)

    async def query(self, out_trade_no: str) -> TradeState:
        return TradeState(out_trade_no=out_trade_no, status="NOT_EXIST")


def deps_for(content: bytes) -> PaymentDeps:
    """Payment deps with only the bench's channel (a run credits nothing here: no order is open)."""
    return PaymentDeps(
        channels={"alipay": cast(Any, BenchChannel(content))},
        issuer=cast(Any, None),
        parties=cast(Any, None),
        notify_url="",
    )


def planted_found(planted: Planted, breaks: list[tuple[str, str]]) -> bool:
    """Every planted difference is a break of its kind, and nothing else is."""
    found: dict[str, set[str]] = {}
    for kind, reference in breaks:
        found.setdefault(kind, set()).add(reference)
    return found == {k: v for k, v in planted.kinds.items() if v}


async def run_once(session: AsyncSession, content: bytes) -> Run:
    """One reconciliation of the bench's day."""
    return await Reconciliation(session, deps_for(content)).run("alipay", DAY, "bench")


def _prepare_in_child(url: str, rows: int, each: int, bill_path: str) -> None:
    async def work() -> None:
        engine = create_engine(url)
        try:
            await upgrade(engine)
            async with session_factory(engine)() as session, unit_of_work(session):
                await prepare(session, rows, each)
        finally:
            await engine.dispose()

    asyncio.run(work())
    Path(bill_path).write_bytes(bill_zip(rows, each, fees_restated=False))
    Path(bill_path + ".restated").write_bytes(bill_zip(rows, each))


async def _create_database(pg: Any) -> str:
    admin = create_engine(pg.admin_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text('CREATE DATABASE "bench"'))
    await admin.dispose()
    return str(pg.url("bench"))


async def _timed_run(url: str, content: bytes, name: str) -> Run:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session, unit_of_work(session):
            started = time.perf_counter()
            run = await run_once(session, content)
            elapsed = time.perf_counter() - started
    finally:
        await engine.dispose()
    laps = run.counts["seconds"]
    comparing = elapsed - laps["post_fees"]
    print(f"{name}: {elapsed:.2f} s in all; the comparison (load, join, ask again, breaks) {comparing:.2f} s;")
    posted = run.counts["fees_posted"]
    print(f"  recording {posted:,} payments' fees (one ledger entry) {laps['post_fees']:.2f} s; steps {laps}")
    print(f"  verdict {run.verdict}, matched {run.counts['matched']:,}, breaks {run.counts['breaks_by_kind']}")
    return run


async def measure(url: str, first: str, restated: str, planted: Planted) -> bool:
    """The day's first run (it posts the fees) and a re-run on a restated bill (paths of the two files),
    timed, with this process's peak RSS; whether every planted difference was found."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    await _timed_run(url, Path(first).read_bytes(), "first run")  # noqa: ASYNC240 - before the timing starts
    await _timed_run(url, Path(restated).read_bytes(), "re-run, the bill restating 100 fees")  # noqa: ASYNC240
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            rows = await session.execute(text("SELECT kind, reference FROM reconciliation_breaks"))
            found = [(r.kind, r.reference) for r in rows]
    finally:
        await engine.dispose()
    print(f"peak RSS of this process: {peak:.0f} MiB (before the runs: {rss_before:.0f} MiB)")
    ok = planted_found(planted, found)
    print(f"planted differences found: {'all' if ok else 'NOT ALL'} ({len(found)} breaks)")
    return ok


def main(rows: int, each: int) -> None:
    from tests.support.servers import PostgresServer

    print(f"machine: {platform.machine()}, {len(os.sched_getaffinity(0))} cores, Python {platform.python_version()}")
    pg = PostgresServer.start()
    try:
        url = asyncio.run(_create_database(pg))
        bill_path = str(Path(tempfile.mkdtemp(prefix="onewindow-recon-bench-")) / "bill.zip")
        started = time.perf_counter()
        child = multiprocessing.get_context("spawn").Process(
            target=_prepare_in_child, args=(url, rows, each, bill_path)
        )
        child.start()
        child.join()
        assert child.exitcode == 0
        made = time.perf_counter() - started
        print(f"PostgreSQL {pg.version}: {rows:,} booked payments (COPY) and the bill made in {made:.1f} s")
        print(f"bill: {Path(bill_path).stat().st_size / 2**20:.1f} MiB zipped, {rows:,} detail rows")
        if not asyncio.run(measure(url, bill_path, bill_path + ".restated", plan(rows, each))):
            raise SystemExit(1)
    finally:
        pg.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--each", type=int, default=100)
    arguments = parser.parse_args()
    main(arguments.rows, arguments.each)
