"""The sandbox's controls for the buyer and for tests (JSON; see app.py)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Response

from payments.money import to_yuan
from standins.wechatpay.server import _compact, _sandbox
from standins.wechatpay.state import BillFaults, Delivery, Trade


async def _control(request: Request[Any, Any, Any]) -> dict[str, Any]:
    raw = await request.body()
    data: dict[str, Any] = json.loads(raw) if raw else {}
    return data


def _trade_of(request: Request[Any, Any, Any], data: dict[str, Any]) -> Trade | Response[bytes]:
    trade = _sandbox(request).gateway.trades.get(str(data.get("out_trade_no", "")))
    if trade is None:
        return Response(
            b'{"error":"no such trade: launch it (payOrder) first"}', status_code=404, media_type="application/json"
        )
    return trade


@post("/sandbox/pay", status_code=200)
async def pay(request: Request[Any, Any, Any]) -> Any:
    """The buyer pays a trade; TRANSACTION.SUCCESS is queued (and sent at once unless tests deliver by hand)."""
    sandbox = _sandbox(request)
    data = await _control(request)
    trade = _trade_of(request, data)
    if isinstance(trade, Response):
        return trade
    try:
        sandbox.gateway.pay(trade.out_trade_no, data.get("openid"))
    except ValueError as error:
        return Response(_compact({"error": str(error)}).encode(), status_code=409, media_type="application/json")
    if request.app.state.auto_deliver:
        await sandbox.deliver()
    return {"out_trade_no": trade.out_trade_no, "transaction_id": trade.transaction_id, "trade_state": trade.state}


@post("/sandbox/deliver", status_code=200)
async def deliver(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Process refunds in progress and send every due notification now (of one trade: {"out_trade_no": ...})."""
    data = await _control(request)
    return {"sent": await _sandbox(request).deliver(data.get("out_trade_no"))}


@post("/sandbox/clock", status_code=200)
async def clock(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Move the business clock forward: {"seconds": N} and/or {"days": N} (retries and bills follow it)."""
    gateway = _sandbox(request).gateway
    data = await _control(request)
    gateway.offset += timedelta(seconds=float(data.get("seconds", 0)), days=float(data.get("days", 0)))
    return {"now": gateway.now().isoformat()}


@post("/sandbox/faults", status_code=200)
async def faults(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Faults for the next notifications: {"faults": ["drop", "duplicate", "tamper", "stale", "unknown_key"]}."""
    gateway = _sandbox(request).gateway
    gateway.faults.extend((await _control(request))["faults"])
    return {"faults": gateway.faults}


@post("/sandbox/bill-faults", status_code=200)
async def bill_faults(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """A day's bill leaves out trades (短款) and lists ones nobody booked (长款):
    {"day": "YYYY-MM-DD", "omit": [out_trade_no...], "extra": [{"out_trade_no", "amount": "12.00", "kind"}]}."""
    data = await _control(request)
    day = date.fromisoformat(str(data["day"]))
    faults = _sandbox(request).gateway.bill_faults.setdefault(day, BillFaults())
    faults.omit |= {str(x) for x in data.get("omit", [])}
    faults.extra.extend(dict(x) for x in data.get("extra", []))
    faults.bad_hash = bool(data.get("bad_hash", faults.bad_hash))
    return {"day": day.isoformat(), "omit": sorted(faults.omit), "extra": faults.extra}


@post("/sandbox/refund-outcomes", status_code=200)
async def refund_outcomes(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """How the next refunds processed end: {"outcomes": ["ABNORMAL"]} (then SUCCESS again)."""
    gateway = _sandbox(request).gateway
    gateway.refund_outcomes.extend(str(x) for x in (await _control(request))["outcomes"])
    return {"outcomes": gateway.refund_outcomes}


@post("/sandbox/notification", status_code=200)
async def notification(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Play WeChat by hand: the trade's TRANSACTION.SUCCESS as it would be sent now ({"body", "headers"})."""
    sandbox = _sandbox(request)
    trade = _trade_of(request, await _control(request))
    if isinstance(trade, Response):
        return {"error": "no such trade"}
    delivery = Delivery(
        "EV-BYHAND", "", "TRANSACTION.SUCCESS", "支付成功", sandbox.gateway.transaction(trade), sandbox.gateway.now()
    )
    body, headers = sandbox.signed_notification(delivery)
    return {"body": body, "headers": headers}


@get("/sandbox/trades")
async def trades(request: Request[Any, Any, Any]) -> list[dict[str, Any]]:
    """Every trade with its state and refunds."""
    return [
        {
            "out_trade_no": t.out_trade_no,
            "trade_no": t.transaction_id,
            "status": t.state,
            "trade_type": t.trade_type,
            "total": to_yuan(t.total_fen),
            "refunded": to_yuan(t.refunded_fen),
            "refunds": {n: r.status for n, r in t.refunds.items()},
        }
        for t in _sandbox(request).gateway.trades.values()
    ]


@get("/sandbox/deliveries")
async def deliveries(request: Request[Any, Any, Any]) -> list[dict[str, Any]]:
    """Every notification with its attempts, the merchant's answers and when the next attempt is due."""
    return [
        {"id": d.id, "event_type": d.event_type, "out_trade_no": d.out_trade_no, "attempts": d.attempts, "done": d.done}
        | {"answers": d.answers, "due": d.due.isoformat()}
        for d in _sandbox(request).gateway.deliveries
    ]


@get("/sandbox/h5/{out_trade_no:str}")
async def h5_page(request: Request[Any, Any, Any], out_trade_no: FromPath[str]) -> Response[str]:
    """The H5 cashier a mobile browser opens."""
    trade = _sandbox(request).gateway.trades.get(out_trade_no)
    if trade is None:
        return Response("<h1>订单不存在</h1>", status_code=404, media_type="text/html")
    page = f"<h1>WeChat Pay sandbox</h1><p>{trade.description}: ¥{to_yuan(trade.total_fen)}</p>"
    return Response(page, media_type="text/html; charset=utf-8")


CONTROL_ROUTES = [pay, deliver, clock, faults, bill_faults, refund_outcomes, notification, trades, deliveries, h5_page]
