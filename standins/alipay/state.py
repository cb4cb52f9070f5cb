"""The sandbox's trades, refunds, clock and notification deliveries (in memory: a sandbox restarts clean)."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from payments.money import to_fen, to_yuan

BEIJING = ZoneInfo("Asia/Shanghai")
# Alipay retries an unanswered notification over about 25 hours.
RETRY_AFTER = [timedelta(minutes=m) for m in (4, 10, 10, 60, 120, 360, 900)]
Mode = Literal["drop", "duplicate", "reorder", "tamper"]


@dataclass
class Trade:
    """One trade at the gateway."""

    app_id: str
    out_trade_no: str
    trade_no: str
    total_fen: int
    subject: str
    notify_url: str | None
    created_at: datetime
    status: str = "WAIT_BUYER_PAY"
    paid_at: datetime | None = None
    buyer_id: str = "2088102177846880"
    refunds: dict[str, int] = field(default_factory=dict)  # out_request_no -> fen
    refund_times: dict[str, datetime] = field(default_factory=dict)

    @property
    def refunded_fen(self) -> int:
        """How much was refunded so far."""
        return sum(self.refunds.values())


@dataclass
class BillFaults:
    """What a day's bill gets wrong on purpose: trades left out (短款) and trades nobody booked (长款)."""

    omit: set[str] = field(default_factory=set)
    extra: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Delivery:
    """A notification on its way: retried until the merchant answers `success`."""

    id: int
    url: str
    params: dict[str, str]
    due: datetime
    attempts: int = 0
    done: bool = False
    answers: list[str] = field(default_factory=list)


class Gateway:
    """Trades by out_trade_no, the clock, and the notification queue with the buyer's and tester's controls."""

    def __init__(self, seller_id: str) -> None:
        self.seller_id = seller_id
        self.trades: dict[str, Trade] = {}
        self.offset = timedelta()
        self.deliveries: list[Delivery] = []
        self.faults: list[Mode] = []  # applied to the next notifications, one each
        self.bill_faults: dict[date, BillFaults] = {}
        self._held: list[Delivery] = []  # reordered: sent after the next one
        self._next_id = 1
        self._rng = random.Random(7)

    def now(self) -> datetime:
        """The sandbox clock (real time plus what tests advanced it by)."""
        return datetime.now(UTC) + self.offset

    def new_trade_no(self) -> str:
        """28 digits starting with the Beijing date, like Alipay's."""
        return f"{self.now().astimezone(BEIJING):%Y%m%d}" + "".join(str(self._rng.randrange(10)) for _ in range(20))

    def open(self, app_id: str, out_trade_no: str, total_fen: int, subject: str, notify_url: str | None) -> Trade:
        """The trade for out_trade_no (the same one if it exists: creating is idempotent)."""
        trade = self.trades.get(out_trade_no)
        if trade is None:
            trade = Trade(app_id, out_trade_no, self.new_trade_no(), total_fen, subject, notify_url, self.now())
            self.trades[out_trade_no] = trade
        return trade

    def pay(self, out_trade_no: str) -> Trade:
        """The buyer pays: the trade succeeds and its notification is queued."""
        trade = self.trades[out_trade_no]
        if trade.status != "WAIT_BUYER_PAY":
            raise ValueError(f"trade is {trade.status}")
        trade.status, trade.paid_at = "TRADE_SUCCESS", self.now()
        self.queue(trade)
        return trade

    def abandon(self, out_trade_no: str) -> Trade:
        """The buyer walks away: the unpaid trade times out and closes."""
        trade = self.trades[out_trade_no]
        if trade.status == "WAIT_BUYER_PAY":
            trade.status = "TRADE_CLOSED"
        return trade

    def notification(self, trade: Trade) -> dict[str, str]:
        """The notification's parameters (unsigned)."""
        now = self.now().astimezone(BEIJING)
        params = {
            "notify_time": f"{now:%Y-%m-%d %H:%M:%S}",
            "notify_type": "trade_status_sync",
            "notify_id": f"{trade.trade_no}{trade.status[-4:].lower()}",
            "app_id": trade.app_id,
            "charset": "utf-8",
            "version": "1.0",
            "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no,
            "buyer_id": trade.buyer_id,
            "seller_id": self.seller_id,
            "trade_status": trade.status,
            "total_amount": to_yuan(trade.total_fen),
            "receipt_amount": to_yuan(trade.total_fen),
            "buyer_pay_amount": to_yuan(trade.total_fen),
            "subject": trade.subject,
            "gmt_create": f"{trade.created_at.astimezone(BEIJING):%Y-%m-%d %H:%M:%S}",
        }
        if trade.paid_at:
            params["gmt_payment"] = f"{trade.paid_at.astimezone(BEIJING):%Y-%m-%d %H:%M:%S}"
        return params

    def queue(self, trade: Trade) -> None:
        """Queue the trade's notification, due now."""
        if trade.notify_url:
            self.deliveries.append(Delivery(self._next_id, trade.notify_url, self.notification(trade), self.now()))
            self._next_id += 1

    async def deliver_due(
        self,
        send: Callable[[str, dict[str, str]], Awaitable[str]],
        sign: Callable[[dict[str, str]], dict[str, str]],
        only: str | None = None,
    ) -> int:
        """Send every due notification (of one trade, when `only` names it) once, applying the queued faults."""
        sent = 0
        due = [
            d
            for d in self.deliveries
            if not d.done
            and d.due <= self.now()
            and d not in self._held
            and (only is None or d.params["out_trade_no"] == only)
        ]
        for delivery in due:
            fault = self.faults.pop(0) if self.faults else None
            if fault == "reorder":
                self._held.append(delivery)  # goes out after the next one
                continue
            sent += await self._send(delivery, send, sign, fault)
            while self._held:
                sent += await self._send(self._held.pop(0), send, sign, None)
        for held in list(self._held):  # nothing came after it: send it anyway
            self._held.remove(held)
            sent += await self._send(held, send, sign, None)
        return sent

    async def _send(
        self,
        delivery: Delivery,
        send: Callable[[str, dict[str, str]], Awaitable[str]],
        sign: Callable[[dict[str, str]], dict[str, str]],
        fault: Mode | None,
    ) -> int:
        delivery.attempts += 1
        if fault == "drop":
            answer = "(dropped)"
        else:
            signed = sign(delivery.params)
            if fault == "tamper":
                # Someone on the way changed the amount: the signature no longer matches.
                signed = {**signed, "total_amount": to_yuan(max(to_fen(signed["total_amount"]) // 10, 1))}
            try:
                answer = (await send(delivery.url, signed)).strip()
                if fault == "duplicate":
                    answer = (await send(delivery.url, signed)).strip()
            except OSError as error:
                answer = f"(unreachable: {error})"
        delivery.answers.append(answer)
        if answer == "success":
            delivery.done = True
        elif delivery.attempts <= len(RETRY_AFTER):
            delivery.due = self.now() + RETRY_AFTER[delivery.attempts - 1]
        else:
            delivery.done = True  # Alipay gives up after the last retry
        return 1
