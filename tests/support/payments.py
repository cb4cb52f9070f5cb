"""The backend, the Alipay sandbox and the WeChat Pay sandbox each on a loopback port, for journeys that
pay through the real SDKs: the sandboxes deliver notifications only when a test asks (`/sandbox/deliver`),
so nothing depends on timing."""

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
from standins.wechatpay import app as wechatpay_sandbox
from standins.wechatpay.keys import SandboxKeys as WechatPayKeys
from tests.conftest import make_settings
from tests.support.gql import run
from tests.support.live import listener, served

Sessions = async_sessionmaker[AsyncSession]
PAY = """mutation($o: ID!, $k: String!, $m: PaymentMethod!, $c: PaymentChannel = ALIPAY, $openid: String) {
  payOrder(orderId: $o, idempotencyKey: $k, method: $m, channel: $c, payerOpenid: $openid) {
  order { id outTradeNo status total } launch { method orderString payUrl qrCode
    wechat { appId timeStamp nonceStr package signType paySign partnerId prepayId sign } }
  errors { code message } } }"""
PAYER_OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
INBOX = "{ myNotifications(first: 20) { items { text applicationId } } }"


class Stack:
    """The live backend and sandboxes, and clients for them (`control` and `trade`: Alipay's, unless
    `channel="wechatpay"`)."""

    def __init__(self, backend: str, sandbox_url: str, deps: PaymentDeps, data_dir: Path, wechatpay_url: str) -> None:
        self.backend, self.sandbox_url, self.deps, self.data_dir = backend, sandbox_url, deps, data_dir
        self.wechatpay_url = wechatpay_url

    def _sandbox(self, channel: str) -> str:
        return self.wechatpay_url if channel == "wechatpay" else self.sandbox_url

    def client(self) -> httpx.AsyncClient:
        """A client of the backend (the caller closes it)."""
        return httpx.AsyncClient(base_url=self.backend, timeout=30)

    async def gql(self, token: str, query: str, variables: dict[str, Any], locale: str = "en") -> dict[str, Any]:
        async with self.client() as client:
            return await run(client, token, query, variables, locale)

    async def control(self, path: str, data: dict[str, Any] | None = None, channel: str = "alipay") -> Any:
        async with httpx.AsyncClient(base_url=self._sandbox(channel), timeout=30) as client:
            response = await client.post(path, json=data or {})
        assert response.status_code == 200, response.text
        return response.json()

    async def trade(self, out_trade_no: str, channel: str = "alipay") -> dict[str, Any]:
        """The sandbox's record of a trade (what it was paid, what it refunded)."""
        async with httpx.AsyncClient(base_url=self._sandbox(channel), timeout=30) as client:
            trades = (await client.get("/sandbox/trades")).json()
        found: dict[str, Any] = next(x for x in trades if x["out_trade_no"] == out_trade_no)
        return found

    async def launch(self, token: str, order_id: str, channel: str = "alipay", method: str | None = None) -> Any:
        """payOrder as the app calls it (Alipay: QR; WeChat Pay: JSAPI with the payer's openid); its payload."""
        method = method or ("JSAPI" if channel == "wechatpay" else "QR")
        variables = {"o": order_id, "k": str(uuid.uuid4()), "m": method, "c": channel.upper(), "openid": None}
        if method == "JSAPI":
            variables["openid"] = PAYER_OPENID
        return (await self.gql(token, PAY, variables))["payOrder"]

    async def pay(self, token: str, order_id: str, channel: str = "alipay") -> str:
        """The citizen pays the order as the app does: payOrder, the buyer pays at the channel's sandbox,
        the notification is delivered (and accepted); the order's out_trade_no."""
        launched = await self.launch(token, order_id, channel)
        assert launched["errors"] == [], launched
        out_trade_no: str = launched["order"]["outTradeNo"]
        await self.control("/sandbox/pay", {"out_trade_no": out_trade_no}, channel)
        assert (await self.control("/sandbox/deliver", {"out_trade_no": out_trade_no}, channel))["sent"] == 1
        return out_trade_no

    async def inbox(self, token: str, locale: str = "en") -> list[dict[str, Any]]:
        """The citizen's notices, newest first, as the app shows them."""
        items: list[dict[str, Any]] = (await self.gql(token, INBOX, {}, locale))["myNotifications"]["items"]
        return items


@contextmanager
def payment_stack(database_url: str, redis_url: str, data_dir: Path, **settings: Any) -> Iterator[Stack]:
    """The backend (with `settings`) and both sandboxes on one database."""
    keys = SandboxKeys(data_dir / "alipay-sandbox")
    wechat_keys = WechatPayKeys(data_dir / "wechatpay-sandbox")
    sandbox_socket, sandbox_url = listener()
    wechat_socket, wechat_url = listener()
    backend_socket, backend_url = listener()
    box = Sandbox(keys, "2021000000000001", "2088000000000001", sandbox_url)
    wechat_box = wechatpay_sandbox.Sandbox(wechat_keys, "1900000001", "wx0000000000000001", wechat_url)
    with (
        served(create_sandbox_app(box, auto_deliver=False), sandbox_socket),
        served(wechatpay_sandbox.create_sandbox_app(wechat_box, auto_deliver=False), wechat_socket),
    ):
        port = int(sandbox_url.rsplit(":", 1)[1])
        app_settings = make_settings(
            database_url,
            redis_url,
            data_dir,
            alipay_sandbox_port=port,
            wechatpay_sandbox_port=int(wechat_url.rsplit(":", 1)[1]),
            public_url=backend_url,
            **settings,
        )
        app = create_app(app_settings)
        with served(app, backend_socket):
            yield Stack(backend_url, sandbox_url, app.state.resources.payments, data_dir, wechat_url)


async def sms_to(db: Sessions, phone: str) -> list[str]:
    """The bodies of the SMS the stand-in holds for `phone`, oldest first."""
    async with db() as session:
        return [body for _, _, body in await outbox(session, phone)]
