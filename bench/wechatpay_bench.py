"""WeChat Pay vs Alipay: notifications credited per second through the real HTTP endpoints, in one run.

    uv run python bench/wechatpay_bench.py [--orders 500] [--concurrency 16]

Starts PostgreSQL 15 (fsync on) and redis-server as the tests do, migrates, imports and seeds the demo
catalog, opens 2N two-department orders; the Alipay sandbox signs a TRADE_SUCCESS form for N of them, the
WeChat Pay sandbox encrypts (AEAD_AES_256_GCM) and signs a TRANSACTION.SUCCESS for the other N. A real
`onewindow serve --workers 2` receives them over loopback HTTP from C concurrent senders, Alipay's then
WeChat's (each verified, credited, ledger + two receipts), then both again (duplicates). Prints the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text

from backend.db.engine import create_engine, session_factory
from bench.payments_bench import percentile, prepare
from payments import tables as pt
from standins.alipay.app import Sandbox as AlipaySandbox
from standins.alipay.keys import SandboxKeys as AlipayKeys
from standins.alipay.state import Trade as AlipayTrade
from standins.wechatpay.app import Sandbox as WechatSandbox
from standins.wechatpay.keys import SandboxKeys as WechatKeys
from standins.wechatpay.state import Delivery, Trade
from tests.support.live import onewindow_serve
from tests.support.servers import PostgresServer, RedisServer

SECRET = "bench-secret-0123456789-0123456789-0123"
Request = tuple[str, bytes, dict[str, str]]  # path, body, headers


async def _post(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, request: Request) -> str:
    path, body, headers = request
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    writer.write(f"POST {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Content-Length: {len(body)}\r\n\r\n".encode() + body)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.lower().split(b"\r\n")
    length = next(int(line.split(b":", 1)[1]) for line in lines if line.startswith(b"content-length:"))
    status = lines[0].split(b" ")[1].decode()
    return f"{status} {(await reader.readexactly(length)).decode()}"


async def send_all(base: str, requests: list[Request], concurrency: int) -> tuple[float, list[float], set[str]]:
    """POST every request from `concurrency` keep-alive connections (raw bytes: the sender stands in for the
    channel's servers and should not take the server's CPU); elapsed, latencies (ms), distinct answers."""
    queue = list(requests)
    host, port = base.removeprefix("http://").rsplit(":", 1)
    latencies: list[float] = []
    answers: set[str] = set()

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while queue:
                request = queue.pop()
                started = time.perf_counter()
                answers.add(await _post(reader, writer, host, request))
                latencies.append((time.perf_counter() - started) * 1000)
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, answers


def alipay_requests(data_dir: Path, trades: list[tuple[str, str]]) -> list[Request]:
    sandbox = AlipaySandbox(AlipayKeys(data_dir / "alipay-sandbox"), "2021000000000001", "2088000000000001", "x")
    gateway, out = sandbox.gateway, []
    for _, number in trades:
        trade = AlipayTrade("2021000000000001", number, gateway.new_trade_no(), 47000, "bench", None, gateway.now())
        trade.status, trade.paid_at = "TRADE_SUCCESS", gateway.now()
        form = urlencode(sandbox.signed_notification(gateway.notification(trade))).encode()
        out.append(("/payments/alipay/notify", form, {"Content-Type": "application/x-www-form-urlencoded"}))
    return out


def wechat_requests(data_dir: Path, trades: list[tuple[str, str]]) -> list[Request]:
    sandbox = WechatSandbox(WechatKeys(data_dir / "wechatpay-sandbox"), "1900000001", "wx0000000000000001", "x")
    gateway, out = sandbox.gateway, []
    for i, (_, number) in enumerate(trades):
        trade = Trade(
            "wx0000000000000001", "1900000001", number, f"4200{i:024d}", "JSAPI", 47000, "bench", "", gateway.now()
        )
        trade.state, trade.paid_at, trade.openid = "SUCCESS", gateway.now(), "oBenchPayer"
        delivery = Delivery(f"EV-{i}", "", "TRANSACTION.SUCCESS", "支付成功", gateway.transaction(trade), gateway.now())
        body, headers = sandbox.signed_notification(delivery)
        out.append(("/payments/wechatpay/notify", body.encode(), {**headers, "Content-Type": "application/json"}))
    return out


async def main(orders: int, concurrency: int) -> None:
    print(f"{len(os.sched_getaffinity(0))} cores; {orders} notifications per channel, {concurrency} concurrent senders")
    pg, redis = PostgresServer.start(durable=True), RedisServer.start()
    try:
        admin = create_engine(pg.admin_url, isolation_level="AUTOCOMMIT")
        async with admin.connect() as connection:
            await connection.execute(text('CREATE DATABASE "bench"'))
        await admin.dispose()
        url = pg.url("bench")
        made = await prepare(url, 2 * orders + 40)
        data_dir = Path(tempfile.mkdtemp(prefix="onewindow-wechat-bench-"))
        alipay = alipay_requests(data_dir, made[: orders + 20])
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
            # WeChat's are signed just before sending: a notification more than 5 minutes old is a replay
            wechat = wechat_requests(data_dir, made[orders + 20 :])
            await send_all(base, alipay[:20] + wechat[:20], concurrency)  # warm-up (credited too)
            # ABBA: each channel's half batches in turn, so a growing database or a busy neighbour on the
            # shared cores weighs on both alike
            half = orders // 2
            batches = {"alipay": [alipay[20 : 20 + half], alipay[20 + half :]]}
            batches["wechatpay"] = [wechat[20 : 20 + half], wechat[20 + half :]]
            spent = {"alipay": 0.0, "wechatpay": 0.0}
            latencies: dict[str, list[float]] = {"alipay": [], "wechatpay": []}
            answers: dict[str, set[str]] = {"alipay": set(), "wechatpay": set()}
            for name, part in (("alipay", 0), ("wechatpay", 0), ("wechatpay", 1), ("alipay", 1)):
                elapsed, measured, said = await send_all(base, batches[name][part], concurrency)
                spent[name] += elapsed
                latencies[name] += measured
                answers[name] |= said
            figures = {}
            for name in ("alipay", "wechatpay"):
                again, _, repeat = await send_all(base, batches[name][0] + batches[name][1], concurrency)
                figures[name] = (orders / spent[name], latencies[name], answers[name], orders / again, repeat)
        finally:
            server.send_signal(signal.SIGINT)
            server.communicate(timeout=60)
        engine = create_engine(url)
        async with session_factory(engine)() as session:
            paid = (
                await session.execute(
                    select(pt.payment_orders.c.channel, func.count())
                    .where(pt.payment_orders.c.status == "paid")
                    .group_by(pt.payment_orders.c.channel)
                )
            ).all()
        await engine.dispose()
        for name, (rate, latencies, answers, repeat_rate, repeat) in figures.items():
            print(
                f"{name:<10} first delivery {rate:7.1f} credited/s (p50 {percentile(latencies, 0.5):.1f} ms, "
                f"p95 {percentile(latencies, 0.95):.1f} ms) answers {sorted(answers)}; "
                f"duplicates {repeat_rate:7.1f}/s answers {sorted(repeat)}"
            )
        print(f"orders paid by channel: {dict((c, n) for c, n in paid)}")
        print(f"WeChat / Alipay first-delivery rate: {figures['wechatpay'][0] / figures['alipay'][0]:.2f}")
    finally:
        pg.stop()
        redis.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(main(args.orders, args.concurrency))
