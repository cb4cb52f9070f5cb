"""The WeChat Pay channel: the Channel interface over sdk.py, every SDK call run off the event loop.

WeChat speaks integer fen and RFC 3339 times with +08:00; its trade states are said here in the words the
rest of payments uses (Alipay's: TRADE_SUCCESS, WAIT_BUYER_PAY, TRADE_CLOSED, NOT_EXIST).
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from payments.channels.base import (
    Acknowledgement,
    BillRow,
    ChannelError,
    Inbound,
    Notification,
    PaymentLaunch,
    PaymentRequest,
    RefundResult,
    TradeState,
    TradeStatus,
)
from payments.channels.wechatpay import sdk
from payments.channels.wechatpay.bill import parse_bill
from payments.channels.wechatpay.sdk import BEIJING, WechatPayConfig

# trade_state -> the common status; REFUND: paid, then (part) refunded: it was paid.
_STATES: dict[str, TradeStatus] = {
    "SUCCESS": "TRADE_SUCCESS",
    "REFUND": "TRADE_SUCCESS",
    "NOTPAY": "WAIT_BUYER_PAY",
    "USERPAYING": "WAIT_BUYER_PAY",
    "CLOSED": "TRADE_CLOSED",
    "REVOKED": "TRADE_CLOSED",
    "PAYERROR": "TRADE_CLOSED",
}
# Bills: "not yet" is STATEMENT_CREATING (a day not over, or before about 10:00 the day after).
_NOT_READY = frozenset({"STATEMENT_CREATING", "BILL_NOT_READY"})


def rfc3339(moment: datetime) -> str:
    """A moment as WeChat writes it: Beijing time with +08:00."""
    return moment.astimezone(BEIJING).isoformat(timespec="seconds")


def parse_time(value: Any) -> datetime | None:
    """WeChat's RFC 3339 time as an aware UTC datetime (None when absent or unreadable)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value).astimezone(UTC)
    except ValueError:
        return None


class WechatPayChannel:
    """WeChat Pay API v3 through the wechatpayv3 SDK, in public-key mode."""

    name = "wechatpay"

    def __init__(self, config: WechatPayConfig) -> None:
        self.config = config
        self.app_id = config.appid
        self.seller_id = config.mchid
        self._client = sdk.make_client(config)
        self._public_key = self._client._core._public_key  # parsed once by the SDK

    async def _call(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(function, self._client, *args, **kwargs)

    async def launch(self, request: PaymentRequest) -> PaymentLaunch:
        """JSAPI / APP: the client parameters with their signature; H5: a page URL; Native: a QR code."""
        if request.method not in ("jsapi", "app", "h5", "native"):
            raise ChannelError("METHOD_NOT_SUPPORTED", request.method)
        if request.method == "jsapi" and not request.payer_openid:
            raise ChannelError("OPENID_REQUIRED", "JSAPI needs the payer's openid")
        expires = datetime.now(UTC) + timedelta(minutes=request.timeout_minutes)
        biz = {
            "description": request.subject[:127],
            "out_trade_no": request.out_trade_no,
            "total": request.total_fen,
            "time_expire": rfc3339(expires),
        }
        placed = await self._call(
            sdk.pay, request.method, biz, openid=request.payer_openid, client_ip=request.client_ip
        )
        if request.method == "h5":
            return PaymentLaunch(method="h5", pay_url=str(placed["h5_url"]))
        if request.method == "native":
            return PaymentLaunch(method="native", qr_code=str(placed["code_url"]))
        prepay_id, stamp, nonce = str(placed["prepay_id"]), sdk.now_seconds(), sdk.nonce()
        if request.method == "jsapi":
            package = f"prepay_id={prepay_id}"
            sign = sdk.client_signature(self._client, [self.app_id, stamp, nonce, package])
            parameters = {
                "appId": self.app_id,
                "timeStamp": stamp,
                "nonceStr": nonce,
                "package": package,
                "signType": "RSA",
                "paySign": sign,
            }
            return PaymentLaunch(method="jsapi", app_parameters=parameters)
        sign = sdk.client_signature(self._client, [self.app_id, stamp, nonce, prepay_id])
        parameters = {
            "appid": self.app_id,
            "partnerid": self.seller_id,
            "prepayid": prepay_id,
            "package": "Sign=WXPay",
            "noncestr": nonce,
            "timestamp": stamp,
            "sign": sign,
        }
        return PaymentLaunch(method="app", app_parameters=parameters)

    async def query(self, out_trade_no: str) -> TradeState:
        """The trade by our number; one the buyer never opened is NOT_EXIST."""
        try:
            found = await self._call(sdk.query, out_trade_no)
        except ChannelError as error:
            if error.code == "ORDER_NOT_EXIST":
                return TradeState(out_trade_no=out_trade_no, status="NOT_EXIST")
            raise
        amount = found.get("amount") or {}
        return TradeState(
            out_trade_no=out_trade_no,
            status=_STATES.get(str(found.get("trade_state")), "WAIT_BUYER_PAY"),
            trade_no=found.get("transaction_id"),
            total_fen=int(amount["total"]) if "total" in amount else None,
            paid_at=parse_time(found.get("success_time")),
        )

    async def close(self, out_trade_no: str) -> None:
        """Close an unpaid trade (one never opened needs no closing)."""
        try:
            await self._call(sdk.close, out_trade_no)
        except ChannelError as error:
            if error.code != "ORDER_NOT_EXIST":
                raise

    async def refund(self, out_trade_no: str, out_request_no: str, refund_fen: int, reason: str) -> RefundResult:
        """Refund part of a paid trade (WeChat wants the trade's total too); the same number refunds once.

        WeChat usually answers PROCESSING: the refund notification (or the reconciling job's query) books it.
        """
        trade = await self.query(out_trade_no)
        if trade.total_fen is None:
            raise ChannelError("ORDER_NOT_EXIST", out_trade_no)
        answer = await self._call(
            sdk.refund, out_trade_no, out_request_no, refund_fen, trade.total_fen, reason, self.config.refund_notify_url
        )
        return self._refund_result(answer, out_request_no, refund_fen)

    async def refund_query(self, out_request_no: str, refund_fen: int) -> RefundResult:
        """Ask about a refund again (the job's way when its notification did not come)."""
        return self._refund_result(await self._call(sdk.refund_query, out_request_no), out_request_no, refund_fen)

    @staticmethod
    def _refund_result(answer: dict[str, Any], out_request_no: str, refund_fen: int) -> RefundResult:
        refunded = int((answer.get("amount") or {}).get("refund", -1))
        if refunded != refund_fen:
            raise ChannelError("REFUND_AMOUNT_MISMATCH", f"{out_request_no}: {refunded}")
        status = answer.get("status")
        if status == "SUCCESS":
            return RefundResult(
                out_request_no=out_request_no, refund_fen=refund_fen, refunded_at=parse_time(answer.get("success_time"))
            )
        if status in ("PROCESSING", "ABNORMAL"):  # not final: ABNORMAL waits for the merchant or the bank
            raise ChannelError("REFUND_PROCESSING", f"{out_request_no}: {status}")
        raise ChannelError(f"REFUND_{status}", out_request_no)

    async def _bill(self, describe: Any, day: date) -> bytes:
        try:
            described = await self._call(describe, day)
        except ChannelError as error:
            if error.code in _NOT_READY:
                raise ChannelError("BILL_NOT_READY", error.code) from None
            if error.code == "NO_STATEMENT_EXIST":  # a day without a single trade: an empty bill
                return b""
            raise
        packed = await self._call(sdk.download, str(described["download_url"]))
        content = gzip.decompress(packed) if packed[:2] == b"\x1f\x8b" else packed
        # The SDK never compares the hash WeChat gives with the file it downloaded: a truncated or
        # tampered bill would be reconciled as if complete.
        if described.get("hash_type", "SHA1").upper() != "SHA1" or (
            hashlib.sha1(content).hexdigest().lower() != str(described.get("hash_value", "")).lower()  # noqa: S324 - WeChat's
        ):
            raise ChannelError("BILL_HASH_MISMATCH", day.isoformat())
        return content

    async def bill_url(self, day: date) -> str:
        """Where the day's trade bill can be downloaded (valid 5 minutes, the download signed by us)."""
        described = await self._call(sdk.trade_bill, day)
        return str(described["download_url"])

    async def bill(self, day: date) -> bytes:
        """The day's trade bill (ALL), decompressed and checked against its SHA1."""
        return await self._bill(sdk.trade_bill, day)

    async def fund_flow_bill(self, day: date) -> bytes:
        """The day's fund-flow bill of the basic account, decompressed and checked against its SHA1."""
        return await self._bill(sdk.fundflow_bill, day)

    def parse_bill(self, content: bytes) -> Iterator[BillRow]:
        """The detail rows of the trade bill."""
        return parse_bill(content)

    def parse_notification(self, inbound: Inbound) -> Notification:
        """Verify the raw body and its headers, decrypt the resource, read what orders and refunds need."""
        checked = sdk.verify_notification(
            inbound.body,
            inbound.headers,
            public_key_id=self.config.public_key_id,
            public_key=self._public_key,
            apiv3_key=self.config.apiv3_key,
            now=time.time(),
        )
        event = str(checked.envelope.get("event_type", ""))
        found = checked.resource
        amount = found.get("amount") or {}
        # What is kept of it: the envelope's id and event, and the trade's numbers and amounts (never the
        # ciphertext's other fields: the payer's openid, bank, attach).
        kept = {
            "id": str(checked.envelope.get("id", "")),
            "event_type": event,
            **{
                k: str(found[k])
                for k in ("out_trade_no", "transaction_id", "trade_state", "out_refund_no")
                if k in found
            },
            **({"refund_status": str(found["refund_status"])} if "refund_status" in found else {}),
            **({"total": str(amount["total"])} if "total" in amount else {}),
            **({"refund": str(amount["refund"])} if "refund" in amount else {}),
        }
        common: dict[str, Any] = {
            "authentic": checked.problem is None,
            "problem": checked.problem,
            "notify_id": str(checked.envelope.get("id") or "") or None,
            "out_trade_no": found.get("out_trade_no"),
            "trade_no": found.get("transaction_id"),
            "total_fen": int(amount["total"]) if "total" in amount else None,
            "app_id": found.get("appid", self.app_id) if event.startswith("REFUND") else found.get("appid"),
            "seller_id": found.get("mchid"),
            "params": kept,
        }
        if event.startswith("REFUND."):
            refund = amount.get("refund")
            return Notification(
                **common,
                kind="refund",
                status="REFUND_SUCCESS" if found.get("refund_status") == "SUCCESS" else str(found.get("refund_status")),
                request_no=found.get("out_refund_no"),
                refund_fen=int(refund) if refund is not None else None,
                refunded_at=parse_time(found.get("success_time")),
            )
        status = _STATES.get(str(found.get("trade_state")), str(found.get("trade_state")))
        return Notification(**common, status=status, paid_at=parse_time(found.get("success_time")))

    def acknowledgement(self, accepted: bool) -> Acknowledgement:
        """WeChat stops retrying on a 2xx; a refusal is a 5xx with its JSON body."""
        if accepted:
            return Acknowledgement(status_code=200, body='{"code":"SUCCESS"}', media_type="application/json")
        return Acknowledgement(
            status_code=500, body='{"code":"FAIL","message":"not accepted"}', media_type="application/json"
        )
