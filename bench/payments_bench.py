"""Payments benchmark: Alipay notifications processed per second on a real PostgreSQL, and receipt PDFs.

    uv run python bench/payments_bench.py [--orders 1000] [--concurrency 16]

Starts PostgreSQL 15 and redis-server (Debian packages, as the tests do), migrates, imports the demo
catalog and seeds it, opens N two-department orders, has the Alipay sandbox sign one TRADE_SUCCESS
notification per order, then POSTs them over loopback HTTP to a real `onewindow serve --workers 2`
(PostgreSQL with fsync on) with C concurrent senders: each is signature-verified, checked and credited (order, ledger
entries, two receipts numbered by the finance-bureau stand-in) in its own transaction. Then it sends
them all again (duplicates) and checks every order was credited exactly once. Prints the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from sqlalchemy import func, select, text

from backend.db import tables as t
from backend.db.engine import create_engine, session_factory, unit_of_work
from payments import tables as pt
from payments.orders import open_order
from payments.receipt_pdf import render
from payments.receipts import receipts_of_order
from standins.alipay.app import Sandbox
from standins.alipay.keys import SandboxKeys
from standins.alipay.state import Trade
from tests.conftest import import_demo, migrated
from tests.support.factories import TWO_DEPARTMENTS
from tests.support.live import onewindow_serve
from tests.support.servers import PostgresServer, RedisServer

SECRET = "bench-secret-0123456789-0123456789-0123"
LINES = list(TWO_DEPARTMENTS)  # the tests' order of two departments' fees


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def prepare(url: str, orders: int) -> list[tuple[str, str]]:
    await migrated(url)
    await import_demo(url, SECRET)
    engine = create_engine(url)
    sessions = session_factory(engine)
    async with sessions() as session, unit_of_work(session):
        citizen = (await session.execute(select(t.citizens.c.id).limit(1))).scalar_one()
        made = []
        for _ in range(orders):
            order = await open_order(session, citizen_id=citizen, application_id=None, subject="bench", lines=LINES)
            made.append((order.id, order.out_trade_no))
    await engine.dispose()
    return made


class Connection:
    """One keep-alive HTTP/1.1 connection that POSTs pre-encoded forms.

    The sender stands in for Alipay's servers, which do not share our two cores; httpx spends about a
    millisecond of CPU per request, which the server would then not have, so the sender writes the
    bytes itself (`--sender httpx` measures with httpx instead).
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> str:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        headers = await self.reader.readuntil(b"\r\n\r\n")
        lines = headers.lower().split(b"\r\n")
        length = next(int(line.split(b":", 1)[1]) for line in lines if line.startswith(b"content-length:"))
        return (await self.reader.readexactly(length)).decode()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def send_all(
    base: str, notes: list[dict[str, str]], concurrency: int, sender: str
) -> tuple[float, list[float], list[str]]:
    queue = [urlencode(note).encode() for note in notes]
    latencies: list[float] = []
    answers: list[str] = []
    host, port = base.removeprefix("http://").rsplit(":", 1)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        connection = Connection(host, int(port))
        try:
            while queue:
                body = queue.pop()
                started = time.perf_counter()
                if sender == "httpx":
                    response = await client.post(
                        "/payments/alipay/notify",
                        content=body,
                        headers={"content-type": "application/x-www-form-urlencoded"},
                    )
                    answer = response.text
                else:
                    answer = await connection.post("/payments/alipay/notify", body)
                latencies.append((time.perf_counter() - started) * 1000)
                answers.append(answer)
        finally:
            connection.close()

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        return time.perf_counter() - started, latencies, answers


async def main(orders: int, concurrency: int, sender: str) -> None:
    print(f"machine: {platform.machine()}, {len(os.sched_getaffinity(0))} cores, Python {platform.python_version()}")
    pg, redis = PostgresServer.start(durable=True), RedisServer.start()
    try:
        admin = create_engine(pg.admin_url, isolation_level="AUTOCOMMIT")
        async with admin.connect() as connection:
            await connection.execute(text('CREATE DATABASE "bench"'))
        await admin.dispose()
        url = pg.url("bench")
        made = await prepare(url, orders)
        data_dir = Path(tempfile.mkdtemp(prefix="onewindow-pay-bench-"))
        keys = SandboxKeys(data_dir / "alipay-sandbox")
        sandbox = Sandbox(keys, "2021000000000001", "2088000000000001", "http://127.0.0.1:1")
        notes = []
        for _, out_trade_no in made:
            trade = Trade(
                "2021000000000001",
                out_trade_no,
                sandbox.gateway.new_trade_no(),
                47000,
                "bench",
                None,
                sandbox.gateway.now(),
                status="TRADE_SUCCESS",
                paid_at=sandbox.gateway.now(),
            )
            notes.append(sandbox.signed_notification(sandbox.gateway.notification(trade)))
        env = {k: v for k, v in os.environ.items() if not k.startswith("ONEWINDOW_")}
        env |= {
            "ONEWINDOW_DATA_DIR": str(data_dir),
            "ONEWINDOW_DATABASE_URL": url,
            "ONEWINDOW_REDIS_URL": redis.url,
            "ONEWINDOW_SECRET_KEY": SECRET,
            "ONEWINDOW_LOG_LEVEL": "error",
        }
        server, base, _ = onewindow_serve(env, "--workers", "2")
        try:
            await send_all(base, notes[:20], concurrency, sender)  # warm-up (these are credited too)
            cpu = time.process_time()
            elapsed, latencies, answers = await send_all(base, notes[20:], concurrency, sender)
            sender_cpu = time.process_time() - cpu
            again, dup_latencies, dup_answers = await send_all(base, notes, concurrency, sender)
        finally:
            server.send_signal(signal.SIGINT)
            rest, _ = server.communicate(timeout=60)
            errors = [line for line in rest.splitlines() if "error" in line.lower()]
            print("\n".join(e[-700:] for e in errors[:3]))
        engine = create_engine(url)
        async with session_factory(engine)() as session:
            paid = (
                await session.execute(
                    select(func.count()).select_from(pt.payment_orders).where(pt.payment_orders.c.status == "paid")
                )
            ).scalar_one()
            entries = (await session.execute(select(func.count()).select_from(pt.journal_entries))).scalar_one()
            receipts_count = (await session.execute(select(func.count()).select_from(pt.receipts))).scalar_one()
            sample = await receipts_of_order(session, made[0][0])
        await engine.dispose()
        n = len(notes) - 20
        print(
            f"\nPostgreSQL {pg.version} (fsync on); {n} notifications, {concurrency} concurrent senders over HTTP, "
            f"onewindow serve --workers 2; the {sender} sender used {sender_cpu / elapsed:.0%} of a core"
        )
        print(
            f"first delivery (verify + credit + ledger + 2 receipts): {n / elapsed:7.1f} notifications/s; "
            f"p50 {percentile(latencies, 0.5):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms, answers {set(answers)}"
        )
        print(
            f"duplicates (verify + find it credited):                 {len(notes) / again:7.1f} notifications/s; "
            f"p50 {percentile(dup_latencies, 0.5):.1f} ms, p95 {percentile(dup_latencies, 0.95):.1f} ms, "
            f"answers {set(dup_answers)}"
        )
        print(
            f"exactly once: {paid} orders paid of {len(made)}, {entries} journal entries (3 each), "
            f"{receipts_count} receipts (2 each)"
        )
        timings = []
        for _ in range(50):
            started = time.perf_counter()
            pdf = render(sample[0], "http://127.0.0.1:8000/receipts/verify?code=x&number=y&check=z")
            timings.append((time.perf_counter() - started) * 1000)
        print(
            f"receipt PDF: p50 {percentile(timings, 0.5):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
            f"mean {statistics.fmean(timings):.1f} ms, {len(pdf)} bytes (font subset embedded)"
        )
    finally:
        pg.stop()
        redis.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--sender", choices=["raw", "httpx"], default="raw")
    args = parser.parse_args()
    asyncio.run(main(args.orders, args.concurrency, args.sender))
