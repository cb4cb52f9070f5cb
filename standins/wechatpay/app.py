"""The WeChat Pay API v3 sandbox as a Litestar app, protocol-faithful where the platform depends on it.

API (every request must carry the merchant's WECHATPAY2-SHA256-RSA2048 Authorization, at most 5 minutes
off; every response is signed in the public-key mode: Wechatpay-Serial = the PUB_KEY_ID): placing
JSAPI / APP / H5 / Native orders, query, close, refund, refund query, trade and fund-flow bills (hash and
a download URL valid 5 minutes; STATEMENT_CREATING before 10:00 the day after). Notifications are
AEAD_AES_256_GCM encrypted, signed, and retried on WeChat's schedule.

Controls (JSON, for the buyer and tests): `POST /sandbox/pay`, `/sandbox/deliver` (process refunds,
send what is due), `/sandbox/clock` ({"seconds": N} or {"days": N}), `/sandbox/faults` (the next
notifications: drop, duplicate, tamper, stale, unknown_key), `/sandbox/bill-faults`,
`/sandbox/refund-outcomes` (ABNORMAL), `/sandbox/notification` (a signed notification to replay by hand);
`GET /sandbox/trades`, `/sandbox/deliveries`.
"""

from __future__ import annotations

from litestar import Litestar

from standins.notifier import notifier_lifespan
from standins.wechatpay.api import API_ROUTES
from standins.wechatpay.controls import CONTROL_ROUTES
from standins.wechatpay.server import Sandbox

__all__ = ["Sandbox", "create_sandbox_app"]


def create_sandbox_app(sandbox: Sandbox, *, auto_deliver: bool = True, tick_seconds: float = 1.0) -> Litestar:
    """The sandbox app; with auto_deliver, refunds are processed and due notifications go out every tick."""

    lifespan = notifier_lifespan(sandbox, auto_deliver=auto_deliver, tick_seconds=tick_seconds)

    app = Litestar(
        route_handlers=[*API_ROUTES, *CONTROL_ROUTES],
        lifespan=[lifespan],
    )
    app.state.sandbox = sandbox
    app.state.auto_deliver = auto_deliver
    return app
