"""The channel interface and its boundary Structs. Nothing here assumes Alipay: WeChat Pay fits too.

Amounts cross the boundary as integer fen; each provider converts to its own format (Alipay: yuan
strings; WeChat Pay: integer fen already).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Literal, Protocol

import msgspec

ChannelName = Literal["alipay", "wechatpay"]
DEFAULT_CHANNEL: ChannelName = "alipay"
"""The channel of orders launched before there were two (and of payOrder without a choice)."""

Method = Literal["app", "wap", "qr", "jsapi", "h5", "native"]
"""app: Alipay order string or WeChat APP prepay; wap / h5: a mobile browser page; qr / native: a QR code;
jsapi: WeChat inside a mini-program or in-app web page (prepay_id and the client-side paySign)."""
TradeStatus = Literal["WAIT_BUYER_PAY", "TRADE_SUCCESS", "TRADE_FINISHED", "TRADE_CLOSED", "NOT_EXIST"]


class ChannelError(Exception):
    """The channel refused or could not be reached; `code` is the provider's (sub_)code."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code


PAYMENT_WINDOW_MINUTES = 30
"""How long a launched payment (order string, page, QR code) can be paid: Alipay's timeout_express."""


class PaymentRequest(msgspec.Struct, frozen=True, kw_only=True):
    """What the phone app needs a launch for."""

    out_trade_no: str
    total_fen: int
    subject: str
    method: Method
    notify_url: str
    return_url: str | None = None
    timeout_minutes: int = PAYMENT_WINDOW_MINUTES
    payer_openid: str | None = None  # WeChat JSAPI only: the payer's openid in our mini-program / official account
    client_ip: str | None = None  # WeChat H5: the buyer's browser address (scene_info.payer_client_ip)


class PaymentLaunch(msgspec.Struct, frozen=True, kw_only=True):
    """What the app passes to the provider: an order string (app), a URL (wap, h5), a QR code (qr, native),
    or WeChat's client parameters (jsapi: appId, timeStamp, nonceStr, package, signType, paySign; app:
    appid, partnerid, prepayid, package, noncestr, timestamp, sign)."""

    method: Method
    order_string: str | None = None
    pay_url: str | None = None
    qr_code: str | None = None
    app_parameters: dict[str, str] | None = None


class TradeState(msgspec.Struct, frozen=True, kw_only=True):
    """The provider's view of a trade."""

    out_trade_no: str
    status: TradeStatus
    trade_no: str | None = None
    total_fen: int | None = None
    paid_at: datetime | None = None


class RefundResult(msgspec.Struct, frozen=True, kw_only=True):
    """A refund the provider accepted (idempotent on out_request_no)."""

    out_request_no: str
    refund_fen: int
    refunded_at: datetime | None = None  # when the channel refunded, by its clock: its bill's day


class Inbound(msgspec.Struct, frozen=True):
    """A notification as it arrived: the raw body bytes (signatures cover exactly these) and the headers."""

    body: bytes
    headers: dict[str, str] = {}


class Notification(msgspec.Struct, frozen=True, kw_only=True):
    """An asynchronous notification, after signature verification (`authentic`; `problem` says why not).

    `kind` payment: a trade's state (`status` in Alipay's words: TRADE_SUCCESS ...). `kind` refund: a
    refund's outcome (`status` REFUND_SUCCESS, or the channel's other word), for `request_no`.
    `params` is what is recorded of it: no signature, no secret, no personal data beyond the trade's.
    """

    authentic: bool
    notify_id: str | None
    out_trade_no: str | None
    trade_no: str | None
    status: str | None
    total_fen: int | None
    app_id: str | None
    seller_id: str | None
    params: dict[str, str]
    paid_at: datetime | None = None  # when the buyer paid, by the channel's clock
    kind: Literal["payment", "refund"] = "payment"
    problem: str | None = None  # signature | unknown_key | stale | malformed | undecryptable
    request_no: str | None = None  # a refund's out_request_no (out_refund_no)
    refund_fen: int | None = None
    refunded_at: datetime | None = None  # when the channel refunded, by its clock


class Acknowledgement(msgspec.Struct, frozen=True, kw_only=True):
    """What to answer a notification: the channel retries until it gets the accepting one."""

    status_code: int
    body: str
    media_type: str


BILL_NOT_READY = "BILL_NOT_READY"
"""ChannelError code: the channel has no bill for that day yet (a future day, or before ~10:00 the day after)."""


class BillRow(msgspec.Struct, frozen=True, kw_only=True):
    """One detail line of a channel's daily bill, the same for every channel."""

    kind: Literal["payment", "refund"]
    trade_no: str  # the channel's trade number
    out_trade_no: str  # ours
    request_no: str | None  # our refund request number (out_request_no / out_refund_no), refunds only
    amount_fen: int  # positive for payments, negative for refunds
    fee_fen: int  # the service fee the channel charged on this line (positive; refunds may return some: negative)
    at: datetime | None = None  # when it happened by the channel's clock (UTC)


class Channel(Protocol):
    """What orders need from a payment provider."""

    name: str
    app_id: str
    seller_id: str

    async def launch(self, request: PaymentRequest) -> PaymentLaunch:
        """Prepare a payment the buyer completes in the provider's app or page."""

    async def query(self, out_trade_no: str) -> TradeState:
        """The trade's current state (NOT_EXIST before the buyer opened it)."""

    async def close(self, out_trade_no: str) -> None:
        """Close an unpaid trade."""

    async def refund(self, out_trade_no: str, out_request_no: str, refund_fen: int, reason: str) -> RefundResult:
        """Refund part or all of a paid trade; repeating out_request_no repeats nothing."""

    async def bill_url(self, day: date) -> str:
        """Where the day's statement can be downloaded (valid briefly)."""

    async def bill(self, day: date) -> bytes:
        """The day's statement file as the provider ships it (ChannelError(BILL_NOT_READY) before it exists)."""

    def parse_bill(self, content: bytes) -> Iterator[BillRow]:
        """The detail rows of a statement file, streamed (a city's day is a million rows)."""

    def parse_notification(self, inbound: Inbound) -> Notification:
        """Verify (on the raw body bytes) and read an asynchronous notification (never raises on a forged one)."""

    def acknowledgement(self, accepted: bool) -> Acknowledgement:
        """The answer the provider expects: it retries until it gets the accepting one."""
