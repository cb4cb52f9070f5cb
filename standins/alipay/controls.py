"""Controls of the Alipay sandbox added for finance tests (the rest are in app.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, post

from standins.alipay.state import BillFaults, Gateway


@post("/sandbox/bill-faults", status_code=200)
async def bill_faults(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """A day's bill leaves out trades (短款) and lists ones nobody booked (长款), as the WeChat Pay sandbox's:
    {"day": "YYYY-MM-DD", "omit": [out_trade_no...], "extra": [{"out_trade_no", "amount": "12.00", "kind"}]}."""
    data: dict[str, Any] = await request.json()
    gateway: Gateway = request.app.state.sandbox.gateway
    day = date.fromisoformat(str(data["day"]))
    faults = gateway.bill_faults.setdefault(day, BillFaults())
    faults.omit |= {str(x) for x in data.get("omit", [])}
    faults.extra.extend(dict(x) for x in data.get("extra", []))
    return {"day": day.isoformat(), "omit": sorted(faults.omit), "extra": faults.extra}
