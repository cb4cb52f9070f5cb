"""The backend and the Alipay sandbox each on a loopback port, for journeys that pay through the real
SDK: the sandbox delivers notifications only when a test asks (`/sandbox/deliver`), so nothing depends
on timing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.app import create_app
from payments.service import PaymentDeps
from standins.alipay.app import Sandbox, create_sandbox_app
from standins.alipay.keys import SandboxKeys
from standins.sms import outbox
from tests.conftest import make_settings
from tests.support.gql import run
from tests.support.live import listener, served

Sessions = async_sessionmaker[AsyncSession]
PAY = """mutation($o: ID!, $k: String!, $m: PaymentMethod!) { payOrder(orderId: $o, idempotencyKey: $k, method: $m) {
  order { id outTradeNo status total } launch { method orderString payUrl qrCode } errors { code message } } }"""
INBOX = "{ myNotifications(first: 20) { items { text applicationId } } }"


class Stack:
    """The live backend and sandbox, and clients for them."""

    def __init__(self, backend: str, sandbox_url: str, deps: PaymentDeps, data_dir: Path) -> None:
        self.backend, self.sandbox_url, self.deps, self.data_dir = backend, sandbox_url, deps, data_dir

    def client(self) -> httpx.AsyncClient:
        """A client of the backend (the caller closes it)."""
        return httpx.AsyncClient(base_url=self.backend, timeout=30)

    async def gql(self, token: str, query: str, variables: dict[str, Any], locale: str = "en") -> dict[str, Any]:
        async with self.client() as client:
            return await run(client, token, query, variables, locale)

    async def control(self, path: str, data: dict[str, Any] | None = None) -> Any:
        async with httpx.AsyncClient(base_url=self.sandbox_url, timeout=30) as client:
            response = await client.post(path, json=data or {})
        assert response.status_code == 200, response.text
        return response.json()

    async def trade(self, out_trade_no: str) -> dict[str, Any]:
        """The sandbox's record of a trade (what it was paid, what it refunded)."""
        async with httpx.AsyncClient(base_url=self.sandbox_url, timeout=30) as client:
            trades = (await client.get("/sandbox/trades")).json()
        found: dict[str, Any] = next(x for x in trades if x["out_trade_no"] == out_trade_no)
        return found

    async def pay(self, token: str, order_id: str) -> str:
        """The citizen pays the order as the app does: payOrder, the buyer pays at the sandbox, the
        notification is delivered (and answered `success`); the order's out_trade_no."""
        launched = (await self.gql(token, PAY, {"o": order_id, "k": str(uuid.uuid4()), "m": "QR"}))["payOrder"]
        assert launched["errors"] == [], launched
        out_trade_no: str = launched["order"]["outTradeNo"]
        await self.control("/sandbox/pay", {"out_trade_no": out_trade_no})
        assert (await self.control("/sandbox/deliver", {"out_trade_no": out_trade_no}))["sent"] == 1
        return out_trade_no

    async def inbox(self, token: str, locale: str = "en") -> list[dict[str, Any]]:
        """The citizen's notices, newest first, as the app shows them."""
        items: list[dict[str, Any]] = (await self.gql(token, INBOX, {}, locale))["myNotifications"]["items"]
        return items


@contextmanager
def payment_stack(database_url: str, redis_url: str, data_dir: Path, **settings: Any) -> Iterator[Stack]:
    """The backend (with `settings`) and the sandbox on one database."""
    keys = SandboxKeys(data_dir / "alipay-sandbox")
    sandbox_socket, sandbox_url = listener()
    backend_socket, backend_url = listener()
    box = Sandbox(keys, "2021000000000001", "2088000000000001", sandbox_url)
    with served(create_sandbox_app(box, auto_deliver=False), sandbox_socket):
        port = int(sandbox_url.rsplit(":", 1)[1])
        app_settings = make_settings(
            database_url, redis_url, data_dir, alipay_sandbox_port=port, public_url=backend_url, **settings
        )
        app = create_app(app_settings)
        with served(app, backend_socket):
            yield Stack(backend_url, sandbox_url, app.state.resources.payments, data_dir)


async def sms_to(db: Sessions, phone: str) -> list[str]:
    """The bodies of the SMS the stand-in holds for `phone`, oldest first."""
    async with db() as session:
        return [body for _, _, body in await outbox(session, phone)]
