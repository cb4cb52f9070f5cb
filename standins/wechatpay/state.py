"""The WeChat Pay sandbox's trades, refunds, clock, bill faults and notification deliveries (in memory)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
# WeChat retries an unanswered notification 15 times over about 24 hours, on this schedule.
RETRY_AFTER = [
    timedelta(seconds=s)
    for s in (15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600)
]
Fault = Literal["drop", "duplicate", "tamper", "stale", "unknown_key"]


@dataclass
class Refund:
    """One refund of a trade: PROCESSING when asked, SUCCESS once the sandbox processed it."""

    refund_id: str
    out_refund_no: str
    amount_fen: int
    reason: str
    notify_url: str | None
    created_at: datetime
    status: str = "PROCESSING"
    success_at: datetime | None = None


@dataclass
class Trade:
    """One trade at the sandbox, in WeChat's words (trade_state NOTPAY, SUCCESS, REFUND, CLOSED)."""

    appid: str
    mchid: str
    out_trade_no: str
    transaction_id: str
    trade_type: str  # JSAPI | APP | MWEB | NATIVE
    total_fen: int
    description: str
    notify_url: str
    created_at: datetime
    openid: str | None = None
    state: str = "NOTPAY"
    paid_at: datetime | None = None
    refunds: dict[str, Refund] = field(default_factory=dict)

    @property
    def refunded_fen(self) -> int:
        """How much was refunded or is being refunded."""
        return sum(r.amount_fen for r in self.refunds.values() if r.status in ("PROCESSING", "SUCCESS"))


@dataclass
class Delivery:
    """A notification on its way: retried on WeChat's schedule until the merchant answers 2xx."""

    id: str
    url: str
    event_type: str
    summary: str
    resource: dict[str, Any]
    due: datetime
    attempts: int = 0
    done: bool = False
    answers: list[str] = field(default_factory=list)

    @property
    def out_trade_no(self) -> str:
        """The trade the notification is about."""
        return str(self.resource.get("out_trade_no", ""))


@dataclass
class BillFaults:
    """What a day's bill gets wrong on purpose: rows left out (短款) and rows nobody booked (长款)."""

    omit: set[str] = field(default_factory=set)
    extra: list[dict[str, str]] = field(default_factory=list)
    bad_hash: bool = False  # the hash WeChat gives does not match the file (a truncated or altered download)


class Gateway:
    """Trades by out_trade_no, the business clock, the notification queue and the testers' controls."""

    def __init__(self, mchid: str, appid: str) -> None:
        self.mchid, self.appid = mchid, appid
        self.trades: dict[str, Trade] = {}
        self.offset = timedelta()  # the business clock's lead over real time (a day moved forward)
        self.deliveries: list[Delivery] = []
        self.faults: list[Fault] = []  # applied to the next notifications sent, one each
        self.bill_faults: dict[date, BillFaults] = {}
        self.refund_outcomes: list[str] = []  # how the next processed refunds end (default SUCCESS): ABNORMAL
        self._next = 1
        self._rng = random.Random(11)

    def now(self) -> datetime:
        """The business clock: bills, payment and refund times follow it."""
        return datetime.now(UTC) + self.offset

    def _number(self, prefix: str) -> str:
        self._next += 1
        return f"{prefix}{self.now().astimezone(BEIJING):%Y%m%d}{self._next:08d}{self._rng.randrange(10**6):06d}"

    def open(self, body: dict[str, Any], trade_type: str) -> Trade:
        """The trade of a placed order (placing the same out_trade_no again returns the same trade)."""
        trade = self.trades.get(body["out_trade_no"])
        if trade is None:
            trade = Trade(
                appid=body["appid"],
                mchid=body["mchid"],
                out_trade_no=body["out_trade_no"],
                transaction_id=self._number("42000"),
                trade_type=trade_type,
                total_fen=int(body["amount"]["total"]),
                description=body["description"],
                notify_url=body["notify_url"],
                created_at=self.now(),
                openid=(body.get("payer") or {}).get("openid"),
            )
            self.trades[trade.out_trade_no] = trade
        return trade

    def pay(self, out_trade_no: str, openid: str | None = None) -> Trade:
        """The buyer pays: the trade succeeds and TRANSACTION.SUCCESS is queued."""
        trade = self.trades[out_trade_no]
        if trade.state != "NOTPAY":
            raise ValueError(f"trade is {trade.state}")
        trade.state, trade.paid_at = "SUCCESS", self.now()
        trade.openid = trade.openid or openid or "oSandboxBuyer0000000000000000"
        self.queue(trade.notify_url, "TRANSACTION.SUCCESS", "支付成功", self.transaction(trade))
        return trade

    def refund(self, trade: Trade, out_refund_no: str, amount_fen: int, reason: str, notify_url: str | None) -> Refund:
        """A new refund, PROCESSING until `process_refunds` (the next delivery round) makes it SUCCESS."""
        refund = Refund(self._number("50300"), out_refund_no, amount_fen, reason, notify_url, self.now())
        trade.refunds[out_refund_no] = refund
        return refund

    def process_refunds(self) -> None:
        """Refunds in progress succeed (or end as a test asked: ABNORMAL, the payer's account cannot take
        it), and their REFUND.SUCCESS (REFUND.ABNORMAL) notifications are queued."""
        for trade in self.trades.values():
            for refund in trade.refunds.values():
                if refund.status != "PROCESSING":
                    continue
                refund.status = self.refund_outcomes.pop(0) if self.refund_outcomes else "SUCCESS"
                if refund.status == "SUCCESS":
                    refund.success_at = self.now()
                    trade.state = "REFUND"
                summary = "退款成功" if refund.status == "SUCCESS" else "退款异常"
                if refund.notify_url:
                    self.queue(
                        refund.notify_url, f"REFUND.{refund.status}", summary, self.refund_resource(trade, refund)
                    )

    def transaction(self, trade: Trade) -> dict[str, Any]:
        """A trade as the query answers it and TRANSACTION.SUCCESS carries it."""
        found: dict[str, Any] = {
            "appid": trade.appid,
            "mchid": trade.mchid,
            "out_trade_no": trade.out_trade_no,
            "transaction_id": trade.transaction_id,
            "trade_type": trade.trade_type,
            "trade_state": trade.state,
            "trade_state_desc": {"SUCCESS": "支付成功", "NOTPAY": "未支付", "CLOSED": "已关闭"}.get(trade.state, ""),
            "bank_type": "OTHERS",
            "attach": "",
            "payer": {"openid": trade.openid or ""},
            "amount": {
                "total": trade.total_fen,
                "payer_total": trade.total_fen,
                "currency": "CNY",
                "payer_currency": "CNY",
            },
        }
        if trade.paid_at:
            found["success_time"] = trade.paid_at.astimezone(BEIJING).isoformat(timespec="seconds")
        return found

    def refund_resource(self, trade: Trade, refund: Refund) -> dict[str, Any]:
        """A refund as the refund API answers it (the notification carries a part of it)."""
        found: dict[str, Any] = {
            "mchid": trade.mchid,
            "refund_id": refund.refund_id,
            "out_refund_no": refund.out_refund_no,
            "transaction_id": trade.transaction_id,
            "out_trade_no": trade.out_trade_no,
            "channel": "ORIGINAL",
            "user_received_account": "支付用户零钱",
            "create_time": refund.created_at.astimezone(BEIJING).isoformat(timespec="seconds"),
            "status": refund.status,
            "refund_status": refund.status,
            "funds_account": "AVAILABLE",
            "amount": {
                "total": trade.total_fen,
                "refund": refund.amount_fen,
                "payer_total": trade.total_fen,
                "payer_refund": refund.amount_fen,
                "currency": "CNY",
            },
        }
        if refund.success_at:
            found["success_time"] = refund.success_at.astimezone(BEIJING).isoformat(timespec="seconds")
        return found

    def queue(self, url: str, event_type: str, summary: str, resource: dict[str, Any]) -> None:
        """Queue a notification, due now."""
        self.deliveries.append(Delivery(f"EV-{self._number('')}", url, event_type, summary, resource, self.now()))

    def after_attempt(self, delivery: Delivery, answer: str, accepted: bool) -> None:
        """Record an attempt; schedule the next one on WeChat's schedule, or give up after the 15th retry."""
        delivery.attempts += 1
        delivery.answers.append(answer)
        if accepted:
            delivery.done = True
        elif delivery.attempts <= len(RETRY_AFTER):
            delivery.due = self.now() + RETRY_AFTER[delivery.attempts - 1]
        else:
            delivery.done = True

    def bill_ready(self, day: date) -> bool:
        """A day's bill exists from 10:00 (Beijing) the day after, by the business clock."""
        ready_at = datetime.combine(day + timedelta(days=1), datetime.min.time(), BEIJING) + timedelta(hours=10)
        return self.now() >= ready_at
