"""Finance export benchmark: a day of 100,000 payments exported as .xlsx, CSV (UTF-8) and CSV (GBK).

    uv run python bench/finance_export_bench.py [--orders 100000]

Starts PostgreSQL 15 (Debian package, as the tests do), migrates, imports the demo catalog and seeds it,
then writes N paid two-department orders of one Beijing day (each with its two lines and two receipts,
paid by one of 50 citizens, half of them for an application) straight into the tables. Each export
then runs in a process of its own, as `onewindow finance export` does (the payments builder over the
database, names and references through the platform's seams, the writer to a file), so each format's
peak RSS (VmHWM) is its own. Prints time, rows per second, peak RSS and the file's size; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text

from backend.db.engine import create_engine, session_factory, unit_of_work
from payments.finance.days import day_start

SECRET = "bench-secret-0123456789-0123456789-0123"
DAY = date(2026, 12, 6)
BATCH = 5000


async def prepare(url: str, orders: int) -> None:
    # the test harness's set-up, imported here only: an export's child process does not carry it
    from backend.db import tables as t
    from payments import tables as pt
    from tests.conftest import import_demo, migrated

    await migrated(url)
    await import_demo(url, SECRET)
    engine = create_engine(url)
    sessions = session_factory(engine)
    async with sessions() as session:
        citizens = list((await session.execute(select(t.citizens.c.id).limit(50))).scalars())
        applications = list((await session.execute(select(t.applications.c.id).limit(1))).scalars())
    start = day_start(DAY)
    step = timedelta(seconds=86_000 / orders)
    for first in range(0, orders, BATCH):
        order_rows, line_rows, receipt_rows = [], [], []
        for n in range(first, min(first + BATCH, orders)):
            order_id, paid = str(uuid.uuid4()), start + step * n
            order_rows.append(
                {
                    "id": order_id,
                    "out_trade_no": f"OW{n:018d}",
                    "citizen_id": citizens[n % len(citizens)],
                    "application_id": applications[0] if applications and n % 2 else None,
                    "subject": "机动车注册登记",
                    "total_fen": 47000,
                    "refunded_fen": 0,
                    "status": "paid",
                    "channel": "alipay",
                    "channel_trade_no": f"2026120622001{n:016d}",
                    "created_at": paid - timedelta(minutes=3),
                    "paid_at": paid,
                    "channel_paid_at": paid - timedelta(seconds=2),
                    "closed_at": None,
                    "channel_closed_at": None,
                }
            )
            for line_no, (department, amount) in enumerate((("GZ-GA", 11000), ("GZ-SWJ", 36000)), start=1):
                line_rows.append(
                    {
                        "order_id": order_id,
                        "line_no": line_no,
                        "department_code": department,
                        "fiscal_code": "110001",
                        "item_code": f"ITEM-{line_no}",
                        "name": {"zh-Hans": "工本费"},
                        "matter_code": None,
                        "amount_fen": amount,
                        "refunded_fen": 0,
                    }
                )
                receipt_rows.append(
                    {
                        "id": str(uuid.uuid4()),
                        "order_id": order_id,
                        "department_code": department,
                        "bill_code": f"4401{line_no:04d}",
                        "bill_number": f"{n:010d}",
                        "check_code": "ABC123",
                        "kind": "normal",
                        "reverses": None,
                        "status": "valid",
                        "payer": "李四",
                        "items": [],
                        "total_fen": amount,
                        "issuer": {},
                        "signature": "bench",
                        "issued_at": paid,
                    }
                )
        async with sessions() as session, unit_of_work(session):
            await session.execute(insert(pt.payment_orders), order_rows)
            await session.execute(insert(pt.order_lines), line_rows)
            await session.execute(insert(pt.receipts), receipt_rows)
    async with engine.connect() as connection:
        await connection.execute(text("ANALYZE"))
    await engine.dispose()


def _status_mib(field: str) -> float:
    """VmHWM (peak) or VmRSS (now) of this process in MiB. Not getrusage's ru_maxrss: Linux keeps that
    across execve, so a child would report its parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def export(url: str, file_format: str, out: Path) -> dict[str, float]:
    """One export in this process (run as a child): its time, rows and peak RSS."""
    from backend.application_references import PlatformReferences
    from backend.exports.registry import export_builders, write_file
    from backend.i18n import Locale, catalogs
    from backend.parties import PlatformParties
    from backend.settings import get_settings
    from payments.finance.exportable import ExportRequest

    messages = catalogs(get_settings().locales_dir)
    baseline = _status_mib("VmRSS")
    request = ExportRequest(kind="payments", day_from=DAY, day_to=DAY, format=file_format)  # type: ignore[arg-type]
    written = 0

    def counted(rows: int) -> None:
        nonlocal written
        written += rows

    async def run() -> None:
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as session:
                builder = export_builders(PlatformParties(), PlatformReferences())["payments"]
                table = await builder(session, request)
                await write_file(table, request.format, lambda m: messages.gettext(Locale.ZH_HANS, m), out, counted)
        finally:
            await engine.dispose()

    started = time.perf_counter()
    asyncio.run(run())
    seconds = time.perf_counter() - started
    peak = _status_mib("VmHWM")
    return {
        "seconds": seconds,
        "rows": written,
        "peak_mib": peak,
        "baseline_mib": baseline,
        "bytes": out.stat().st_size,
    }


def main(orders: int) -> None:
    from tests.support.servers import PostgresServer

    print(f"machine: {platform.machine()}, {len(os.sched_getaffinity(0))} cores, Python {platform.python_version()}")
    pg = PostgresServer.start()
    try:

        async def create() -> None:
            admin = create_engine(pg.admin_url, isolation_level="AUTOCOMMIT")
            async with admin.connect() as connection:
                await connection.execute(text('CREATE DATABASE "bench"'))
            await admin.dispose()

        asyncio.run(create())
        url = pg.url("bench")
        started = time.perf_counter()
        asyncio.run(prepare(url, orders))
        print(f"{orders} paid orders (2 lines, 2 receipts each) written in {time.perf_counter() - started:.1f} s")
        folder = Path(tempfile.mkdtemp(prefix="onewindow-export-bench-"))
        env = os.environ | {"ONEWINDOW_DATABASE_URL": url, "ONEWINDOW_SECRET_KEY": SECRET}
        for file_format in ("xlsx", "csv", "csv_gbk"):
            out = folder / f"payments.{file_format}"
            child = subprocess.run(
                [sys.executable, __file__, "--child", file_format, "--url", url, "--out", str(out)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            figures = json.loads(child.stdout.strip().splitlines()[-1])
            print(
                f"{file_format:<8} {figures['rows']:>8.0f} rows in {figures['seconds']:6.2f} s "
                f"({figures['rows'] / figures['seconds']:8.0f} rows/s), peak RSS {figures['peak_mib']:6.1f} MiB "
                f"(code loaded: {figures['baseline_mib']:5.1f} MiB), file {figures['bytes'] / 1024 / 1024:6.1f} MiB"
            )
            out.unlink()
    finally:
        pg.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--child")
    parser.add_argument("--url")
    parser.add_argument("--out")
    arguments = parser.parse_args()
    if arguments.child:
        print(json.dumps(export(arguments.url, arguments.child, Path(arguments.out))))
    else:
        main(arguments.orders)
