"""Planted differences in the sandbox's bills, for reconciliation journeys (POST /sandbox/bill-faults).

{"extra": [{"out_trade_no": "X", "amount": "88.00", "day": "2026-12-07"}]} lists a payment the books
never heard of (a 长款); {"omit": ["Y"]} leaves a paid trade out of every bill (a 短款).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from litestar import Request, post

from payments.money import to_fen
from standins.alipay.state import BEIJING, Trade


@dataclass
class BillFaults:
    """What the next bills list besides the trades, and leave out."""

    extra: list[Trade] = field(default_factory=list)
    omitted: set[str] = field(default_factory=set)

    def extra_trades(self, day: date) -> list[Trade]:
        """The planted payments of `day`."""
        return [trade for trade in self.extra if trade.paid_at and trade.paid_at.astimezone(BEIJING).date() == day]


@post("/sandbox/bill-faults", status_code=200)
async def bill_faults(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Plant differences in the bills: extra payments (长款) and omitted trades (短款)."""
    faults: BillFaults = request.app.state.bill_faults
    data: dict[str, Any] = await request.json()
    for extra in data.get("extra", []):
        day = date.fromisoformat(extra["day"])
        at = datetime.combine(day, time(12), BEIJING).astimezone(UTC)
        trade = Trade(
            "planted",
            extra["out_trade_no"],
            extra.get("trade_no", "2099" + extra["out_trade_no"][-20:]),
            to_fen(extra["amount"]),
            "planted",
            None,
            at,
        )
        trade.status, trade.paid_at = "TRADE_SUCCESS", at
        faults.extra.append(trade)
    faults.omitted |= set(data.get("omit", []))
    return {"extra": [t.out_trade_no for t in faults.extra], "omit": sorted(faults.omitted)}
