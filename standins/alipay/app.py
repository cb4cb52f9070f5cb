"""The sandbox gateway as a Litestar app: Alipay's gateway protocol plus controls for the buyer and tests.

Gateway: `/gateway.do` (signed requests, signed responses) for precreate, query, close, refund,
fastpay.refund.query, the bill download URL, and the WAP cashier page; `/bills/{day}` serves the GBK
bill zip. Controls (JSON, for the buyer and for tests): `POST /sandbox/pay`, `/sandbox/app-pay`,
`/sandbox/abandon`, `/sandbox/faults` (drop, duplicate, reorder, tamper the next notifications),
`/sandbox/clock` (advance), `/sandbox/deliver` (send what is due now), `/sandbox/bill-faults` (plant
differences in the bills); `GET /sandbox/trades`, `/sandbox/deliveries`. A day's bill exists from 10:00
Beijing time the day after, by the sandbox's clock (before: Alipay's isp.bill_not_exist).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx
from litestar import Litestar, Request, get, post
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath
from litestar.response import Response

from payments.money import to_fen, to_yuan
from standins.alipay.bill import beijing_text, bill_ready, bill_zip
from standins.alipay.controls import bill_faults
from standins.alipay.keys import SandboxKeys
from standins.alipay.state import BEIJING, Gateway, Trade
from standins.notifier import notifier_lifespan

SIGNED_METHODS = {
    "alipay.trade.precreate",
    "alipay.trade.query",
    "alipay.trade.close",
    "alipay.trade.refund",
    "alipay.trade.fastpay.refund.query",
    "alipay.data.dataservice.bill.downloadurl.query",
}


def sign_content(params: dict[str, str], *, skip: tuple[str, ...]) -> str:
    """Alipay's signed string: parameters sorted by key, `k=v` joined by `&`, raw values."""
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in skip and v != "")


class Sandbox:
    """The gateway's state, keys and outbound notifier."""

    def __init__(self, keys: SandboxKeys, app_id: str, seller_id: str, public_url: str) -> None:
        self.keys = keys
        self.app_id = app_id
        self.gateway = Gateway(seller_id)
        self.public_url = public_url.rstrip("/")
        self.client = httpx.AsyncClient(timeout=10)

    def signed_notification(self, params: dict[str, str]) -> dict[str, str]:
        """Sign a notification the way Alipay does (sign and sign_type are not signed)."""
        return {**params, "sign_type": "RSA2", "sign": self.keys.sign(sign_content(params, skip=("sign", "sign_type")))}

    async def send(self, url: str, params: dict[str, str]) -> str:
        """POST a notification form and return the merchant's answer."""
        try:
            response = await self.client.post(url, data=params)
        except httpx.HTTPError as error:
            raise OSError(str(error)) from None
        return response.text

    async def deliver(self, only: str | None = None) -> int:
        """Deliver what is due (for one trade, when `only` names it)."""
        return await self.gateway.deliver_due(self.send, self.signed_notification, only)

    def respond(self, method: str, body: dict[str, Any]) -> Response[str]:
        """A signed gateway response: the signature covers the inner object's exact text."""
        inner = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        key = method.replace(".", "_") + "_response"
        text = f'{{"{key}":{inner},"sign":"{self.keys.sign(inner)}"}}'
        return Response(text, media_type="application/json;charset=utf-8")

    def business_error(self, method: str, sub_code: str, sub_msg: str) -> Response[str]:
        """A signed 40004 business failure."""
        return self.respond(
            method, {"code": "40004", "msg": "Business Failed", "sub_code": sub_code, "sub_msg": sub_msg}
        )


def _sandbox(request: Request[Any, Any, Any]) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


async def _params(request: Request[Any, Any, Any]) -> dict[str, str]:
    params = dict(request.query_params)
    if request.method == "POST":
        params |= dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
    return {k: str(v) for k, v in params.items()}


def _verified(sandbox: Sandbox, params: dict[str, str]) -> bool:
    return params.get("app_id") == sandbox.app_id and sandbox.keys.merchant_signed(
        sign_content(params, skip=("sign",)), params.get("sign", "")
    )


@get("/gateway.do")
async def gateway_get(request: Request[Any, Any, Any]) -> Response[str]:
    """A buyer's browser opening a WAP payment (the URL page_execute built)."""
    sandbox = _sandbox(request)
    params = await _params(request)
    if params.get("method") != "alipay.trade.wap.pay" or not _verified(sandbox, params):
        return Response("<h1>invalid request</h1>", status_code=400, media_type="text/html")
    biz = json.loads(params.get("biz_content") or "{}")
    trade = sandbox.gateway.open(
        sandbox.app_id, biz["out_trade_no"], to_fen(biz["total_amount"]), biz["subject"], params.get("notify_url")
    )
    page = (
        f"<h1>Alipay sandbox cashier</h1><p>{trade.subject}: ¥{to_yuan(trade.total_fen)}</p>"
        f"<form method='post' action='/sandbox/pay'><input type='hidden' name='out_trade_no' "
        f"value='{trade.out_trade_no}'><button>Pay</button></form>"
    )
    return Response(page, media_type="text/html; charset=utf-8")


@post("/gateway.do", status_code=200)
async def gateway_post(request: Request[Any, Any, Any]) -> Response[str]:
    """The signed API: precreate, query, close, refund, refund query, bill URL."""
    sandbox = _sandbox(request)
    params = await _params(request)
    method = params.get("method", "")
    if method not in SIGNED_METHODS or not _verified(sandbox, params):
        # Alipay answers a bad signature unsigned, with 40002.
        body = {
            "error_response": {
                "code": "40002",
                "msg": "Invalid Arguments",
                "sub_code": "isv.invalid-signature",
                "sub_msg": "验签出错",
            }
        }
        return Response(json.dumps(body, ensure_ascii=False), media_type="application/json;charset=utf-8")
    biz = json.loads(params.get("biz_content") or "{}")
    return _dispatch(sandbox, method, biz, params)


def _trade_body(trade: Trade) -> dict[str, Any]:
    return {
        "code": "10000",
        "msg": "Success",
        "trade_no": trade.trade_no,
        "out_trade_no": trade.out_trade_no,
        "trade_status": trade.status,
        "total_amount": to_yuan(trade.total_fen),
        "buyer_user_id": trade.buyer_id,
        **({"send_pay_date": f"{trade.paid_at.astimezone(BEIJING):%Y-%m-%d %H:%M:%S}"} if trade.paid_at else {}),
    }


def _dispatch(sandbox: Sandbox, method: str, biz: dict[str, Any], params: dict[str, str]) -> Response[str]:
    gateway = sandbox.gateway
    if method == "alipay.trade.precreate":
        trade = gateway.open(
            sandbox.app_id, biz["out_trade_no"], to_fen(biz["total_amount"]), biz["subject"], params.get("notify_url")
        )
        qr = f"{sandbox.public_url}/sandbox/qr/{trade.out_trade_no}"
        return sandbox.respond(
            method, {"code": "10000", "msg": "Success", "out_trade_no": trade.out_trade_no, "qr_code": qr}
        )
    if method == "alipay.data.dataservice.bill.downloadurl.query":
        if not bill_ready(gateway, date.fromisoformat(biz["bill_date"])):
            return sandbox.business_error(method, "isp.bill_not_exist", "账单不存在")
        url = f"{sandbox.public_url}/bills/{biz['bill_date']}"
        return sandbox.respond(method, {"code": "10000", "msg": "Success", "bill_download_url": url})
    found = gateway.trades.get(biz.get("out_trade_no", ""))
    if found is None:
        return sandbox.business_error(method, "ACQ.TRADE_NOT_EXIST", "交易不存在")
    trade = found
    if method == "alipay.trade.query":
        return sandbox.respond(method, _trade_body(trade))
    if method == "alipay.trade.close":
        if trade.status != "WAIT_BUYER_PAY":
            return sandbox.business_error(method, "ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
        trade.status = "TRADE_CLOSED"
        return sandbox.respond(
            method, {"code": "10000", "msg": "Success", "trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no}
        )
    if method == "alipay.trade.refund":
        return _refund(sandbox, method, trade, biz)
    # alipay.trade.fastpay.refund.query
    refunded = trade.refunds.get(biz.get("out_request_no", ""))
    body: dict[str, Any] = {
        "code": "10000",
        "msg": "Success",
        "out_trade_no": trade.out_trade_no,
        "out_request_no": biz.get("out_request_no"),
    }
    if refunded is not None:
        body |= {"refund_amount": to_yuan(refunded), "refund_status": "REFUND_SUCCESS"}
        body["gmt_refund_pay"] = beijing_text(trade.refund_times[biz["out_request_no"]])
    return sandbox.respond(method, body)


def _refund(sandbox: Sandbox, method: str, trade: Trade, biz: dict[str, Any]) -> Response[str]:
    request_no = biz.get("out_request_no") or trade.out_trade_no
    amount = to_fen(biz["refund_amount"])
    if request_no in trade.refunds:  # idempotent: the same request refunds once
        if trade.refunds[request_no] != amount:
            return sandbox.business_error(method, "ACQ.REQUEST_AMOUNT_EXCEED", "同一退款请求号的金额不一致")
        fund_change = "N"
    elif trade.status not in ("TRADE_SUCCESS", "TRADE_FINISHED"):
        return sandbox.business_error(method, "ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
    elif amount <= 0 or trade.refunded_fen + amount > trade.total_fen:
        return sandbox.business_error(method, "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
    else:
        trade.refunds[request_no] = amount
        trade.refund_times[request_no] = sandbox.gateway.now()
        fund_change = "Y"
        if trade.refunded_fen == trade.total_fen:
            trade.status = "TRADE_CLOSED"
    return sandbox.respond(
        method,
        {
            "code": "10000",
            "msg": "Success",
            "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no,
            "refund_fee": to_yuan(trade.refunded_fen),
            "fund_change": fund_change,
            "gmt_refund_pay": beijing_text(trade.refund_times[request_no]),
        },
    )


@get("/bills/{day:str}")
async def bill(request: Request[Any, Any, Any], day: FromPath[str]) -> Response[bytes]:
    """The day's trade bill: a zip whose entry names and contents are GBK."""
    sandbox = _sandbox(request)
    content = bill_zip(sandbox.gateway, date.fromisoformat(day))
    return Response(content, media_type="application/zip")


async def _control(request: Request[Any, Any, Any]) -> dict[str, Any]:
    if "json" in request.headers.get("content-type", ""):
        data: dict[str, Any] = await request.json()
        return data
    return dict(parse_qsl((await request.body()).decode()))


@post("/sandbox/pay", status_code=200)
async def pay(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The buyer pays a trade; its notification is queued (and sent at once unless tests deliver by hand)."""
    sandbox = _sandbox(request)
    data = await _control(request)
    out_trade_no = str(data.get("out_trade_no", ""))
    if out_trade_no not in sandbox.gateway.trades:
        raise NotFoundException(f"no trade {out_trade_no}: launch the payment (payOrder) first")
    try:
        trade = sandbox.gateway.pay(out_trade_no)
    except ValueError as error:
        raise ClientException(str(error), status_code=409) from None
    if request.app.state.auto_deliver:
        await sandbox.deliver()
    return {"out_trade_no": trade.out_trade_no, "trade_no": trade.trade_no, "status": trade.status}


@post("/sandbox/app-pay", status_code=200)
async def app_pay(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """What Alipay's phone SDK does with an order string: check it, open the trade (then pay it)."""
    sandbox = _sandbox(request)
    data = await _control(request)
    params = dict(parse_qsl(str(data["order_string"])))
    if not _verified(sandbox, params):
        return {"error": "invalid order string signature"}
    biz = json.loads(params["biz_content"])
    trade = sandbox.gateway.open(
        sandbox.app_id, biz["out_trade_no"], to_fen(biz["total_amount"]), biz["subject"], params.get("notify_url")
    )
    return {"out_trade_no": trade.out_trade_no, "trade_no": trade.trade_no, "status": trade.status}


@post("/sandbox/abandon", status_code=200)
async def abandon(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The buyer walks away; the unpaid trade closes."""
    gateway = _sandbox(request).gateway
    out_trade_no = str((await _control(request)).get("out_trade_no", ""))
    if out_trade_no not in gateway.trades:
        raise NotFoundException(f"no trade {out_trade_no}")
    trade = gateway.abandon(out_trade_no)
    return {"out_trade_no": trade.out_trade_no, "status": trade.status}


@post("/sandbox/faults", status_code=200)
async def faults(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Queue faults for the next notifications: {"faults": ["drop", "duplicate", "reorder", "tamper"]}."""
    sandbox = _sandbox(request)
    sandbox.gateway.faults.extend((await _control(request))["faults"])
    return {"faults": sandbox.gateway.faults}


@post("/sandbox/clock", status_code=200)
async def clock(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Advance the sandbox clock (retries become due): {"seconds": N}."""
    sandbox = _sandbox(request)
    sandbox.gateway.offset += timedelta(seconds=float((await _control(request))["seconds"]))
    return {"now": sandbox.gateway.now().isoformat()}


@post("/sandbox/notification", status_code=200)
async def notification(request: Request[Any, Any, Any]) -> dict[str, str]:
    """Play Alipay by hand: a trade's notification, validly signed, with `changes` applied before signing."""
    sandbox = _sandbox(request)
    data = await _control(request)
    params = sandbox.gateway.notification(sandbox.gateway.trades[str(data["out_trade_no"])])
    return sandbox.signed_notification({**params, **dict(data.get("changes") or {})})


@post("/sandbox/deliver", status_code=200)
async def deliver(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Send every due notification now (of one trade: {"out_trade_no": ...})."""
    data = await _control(request)
    return {"sent": await _sandbox(request).deliver(data.get("out_trade_no"))}


@get("/sandbox/trades")
async def trades(request: Request[Any, Any, Any]) -> list[dict[str, Any]]:
    """Every trade with its status and refunds."""
    return [
        {
            "out_trade_no": t.out_trade_no,
            "trade_no": t.trade_no,
            "status": t.status,
            "total": to_yuan(t.total_fen),
            "refunded": to_yuan(t.refunded_fen),
        }
        for t in _sandbox(request).gateway.trades.values()
    ]


@get("/sandbox/deliveries")
async def deliveries(request: Request[Any, Any, Any]) -> list[dict[str, Any]]:
    """Every notification with its attempts and the merchant's answers."""
    return [
        {
            "id": d.id,
            "out_trade_no": d.params["out_trade_no"],
            "attempts": d.attempts,
            "done": d.done,
            "answers": d.answers,
            "due": d.due.isoformat(),
        }
        for d in _sandbox(request).gateway.deliveries
    ]


def create_sandbox_app(sandbox: Sandbox, *, auto_deliver: bool = True, tick_seconds: float = 1.0) -> Litestar:
    """The sandbox app; with auto_deliver, due notifications (retries included) go out every tick."""

    lifespan = notifier_lifespan(sandbox, auto_deliver=auto_deliver, tick_seconds=tick_seconds)

    app = Litestar(
        route_handlers=[
            notification,
            gateway_get,
            gateway_post,
            bill,
            pay,
            app_pay,
            abandon,
            faults,
            clock,
            deliver,
            trades,
            deliveries,
            bill_faults,
        ],
        lifespan=[lifespan],
    )
    app.state.sandbox = sandbox
    app.state.auto_deliver = auto_deliver
    return app
