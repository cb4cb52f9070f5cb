"""The README's payment walk-through: payOrder (each method the API offers), then
`onewindow sandbox alipay pay OUT_TRADE_NO` plays the buyer, and the order is paid.

The backend and the sandbox run on loopback ports as `make run` runs them (the sandbox notifies at
once); the sandbox command is the real CLI in its own process, on the backend's database.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from asyncio.subprocess import PIPE, STDOUT
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.app import create_app
from standins.alipay.app import Sandbox, create_sandbox_app
from standins.alipay.keys import SandboxKeys
from tests.conftest import make_settings
from tests.support import factories
from tests.support.gql import run
from tests.support.live import listener, served
from tests.support.servers import RedisServer

Sessions = async_sessionmaker[AsyncSession]
ONEWINDOW = Path(sys.executable).parent / "onewindow"
PAY = """mutation($o: ID!, $k: String!, $m: PaymentMethod!) { payOrder(orderId: $o, idempotencyKey: $k, method: $m) {
  order { outTradeNo status } launch { method orderString payUrl qrCode } errors { code message } } }"""
ORDER = "query($id: ID!) { order(id: $id) { status paidAt receipts { kind } } }"


class Walk:
    def __init__(self, backend: str, env: dict[str, str]) -> None:
        self.backend, self.env = backend, env


@pytest.fixture
def walk(catalog_database: str, fresh_redis: Any, redis_server: RedisServer, tmp_path: Path) -> Iterator[Walk]:
    """The backend and an auto-delivering sandbox (as `make run` starts them), and the CLI's environment."""
    data_dir = tmp_path / "payments"
    sandbox_socket, sandbox_url = listener()
    backend_socket, backend_url = listener()
    box = Sandbox(SandboxKeys(data_dir / "alipay-sandbox"), "2021000000000001", "2088000000000001", sandbox_url)
    port = int(sandbox_url.rsplit(":", 1)[1])
    with served(create_sandbox_app(box, auto_deliver=True), sandbox_socket):
        settings = make_settings(
            catalog_database, redis_server.url, data_dir, alipay_sandbox_port=port, public_url=backend_url
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("ONEWINDOW_")}
        env |= {
            "ONEWINDOW_DATABASE_URL": catalog_database,
            "ONEWINDOW_REDIS_URL": redis_server.url,
            "ONEWINDOW_DATA_DIR": str(data_dir),
            "ONEWINDOW_ALIPAY_SANDBOX_PORT": str(port),
            "ONEWINDOW_LOG_LEVEL": "warning",
        }
        with served(create_app(settings), backend_socket):
            yield Walk(backend_url, env)


@pytest.mark.parametrize("method", ["APP", "WAP", "QR"])
async def test_the_sandbox_command_pays_an_order_launched_with_any_method(
    walk: Walk, db: Sessions, method: str
) -> None:
    async with httpx.AsyncClient(base_url=walk.backend, timeout=30) as client:
        citizen = await factories.citizen(client, db)
        order = await factories.order(db, citizen.id)
        paid = await run(client, citizen.token, PAY, {"o": order.id, "k": str(uuid.uuid4()), "m": method})
        assert paid["payOrder"]["errors"] == [] and paid["payOrder"]["launch"]["method"] == method, paid

        command = ONEWINDOW, "sandbox", "alipay", "pay", order.out_trade_no
        buyer = await asyncio.create_subprocess_exec(*command, env=walk.env, stdout=PIPE, stderr=STDOUT)
        output = (await asyncio.wait_for(buyer.communicate(), 120))[0].decode()
        assert buyer.returncode == 0, output
        assert '"status":"TRADE_SUCCESS"' in output.replace(" ", ""), output

        answer = await run(client, citizen.token, ORDER, {"id": order.id})
    assert answer["order"]["status"] == "paid" and answer["order"]["paidAt"], answer
    assert sorted(r["kind"] for r in answer["order"]["receipts"]) == ["normal", "normal"], answer
