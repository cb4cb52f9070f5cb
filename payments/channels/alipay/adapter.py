"""The Alipay channel: the Channel interface over sdk.py, every SDK call run off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qsl

import httpx
import msgspec

from payments.channels.alipay import sdk
from payments.channels.alipay.bill import parse_bill
from payments.channels.base import (
    BILL_NOT_READY,
    Acknowledgement,
    BillRow,
    ChannelError,
    Inbound,
    Notification,
    PaymentLaunch,
    PaymentRequest,
    RefundResult,
    TradeState,
)
from payments.money import to_fen, to_yuan

BILL_NOT_EXIST = ("isp.bill_not_exist", "BILL_NOT_EXIST")
"""Alipay's sub_code for a bill not produced yet (a future day, or before ~10:00 the day after)."""


def _beijing(value: str | None) -> datetime | None:
    """Alipay's "2026-11-22 23:59:58" (Beijing time) as an aware UTC datetime."""
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=sdk.BEIJING).astimezone(UTC)
    except ValueError:
        return None


class AlipayConfig(msgspec.Struct, frozen=True, kw_only=True):
    """The merchant's identity at Alipay and where the gateway is."""

    app_id: str
    seller_id: str  # the merchant's Alipay user id (2088...): notifications must name it
    app_private_key: str  # PEM, PKCS#1 or PKCS#8
    alipay_public_key: str  # PEM
    gateway: str  # https://openapi.alipay.com/gateway.do, or the sandbox's
    timeout_seconds: int = 15


class AlipayChannel:
    """Alipay through the official SDK."""

    name = "alipay"

    def __init__(self, config: AlipayConfig) -> None:
        self.config = config
        self.app_id = config.app_id
        self.seller_id = config.seller_id
        self._client = sdk.make_client(
            config.app_id, config.app_private_key, config.alipay_public_key, config.gateway, config.timeout_seconds
        )

    async def _call(self, function: Any, *args: Any) -> Any:
        return await asyncio.to_thread(function, self._client, *args)

    async def launch(self, request: PaymentRequest) -> PaymentLaunch:
        """An app order string, a WAP URL, or a QR code, for the buyer to pay."""
        biz = {
            "out_trade_no": request.out_trade_no,
            "total_amount": to_yuan(request.total_fen),
            "subject": request.subject[:256],
            "timeout_express": f"{request.timeout_minutes}m",
        }
        if request.method == "app":
            biz["product_code"] = "QUICK_MSECURITY_PAY"
            return PaymentLaunch(method="app", order_string=await self._call(sdk.app_pay, biz, request.notify_url))
        if request.method == "wap":
            biz["product_code"] = "QUICK_WAP_WAY"
            url = await self._call(sdk.wap_pay, biz, request.notify_url, request.return_url)
            return PaymentLaunch(method="wap", pay_url=url)
        response = await self._call(sdk.precreate, biz, request.notify_url)
        return PaymentLaunch(method="qr", qr_code=response["qr_code"])

    async def query(self, out_trade_no: str) -> TradeState:
        """alipay.trade.query; a trade the buyer never opened is NOT_EXIST."""
        try:
            response = await self._call(sdk.query, out_trade_no)
        except ChannelError as error:
            if error.code == "ACQ.TRADE_NOT_EXIST":
                return TradeState(out_trade_no=out_trade_no, status="NOT_EXIST")
            raise
        return TradeState(
            out_trade_no=out_trade_no,
            status=response["trade_status"],
            trade_no=response.get("trade_no"),
            total_fen=to_fen(response["total_amount"]) if response.get("total_amount") else None,
            paid_at=_beijing(response.get("send_pay_date")),
        )

    async def close(self, out_trade_no: str) -> None:
        """Close an unpaid trade (a trade never opened needs no closing)."""
        try:
            await self._call(sdk.close, out_trade_no)
        except ChannelError as error:
            if error.code != "ACQ.TRADE_NOT_EXIST":
                raise

    async def refund(self, out_trade_no: str, out_request_no: str, refund_fen: int, reason: str) -> RefundResult:
        """Refund part of a paid trade; the same out_request_no refunds once."""
        biz = {
            "out_trade_no": out_trade_no,
            "out_request_no": out_request_no,
            "refund_amount": to_yuan(refund_fen),
            "refund_reason": reason[:256],
        }
        response = await self._call(sdk.refund, biz)
        if response.get("fund_change") == "Y":
            refunded_at = _beijing(response.get("gmt_refund_pay"))
            return RefundResult(out_request_no=out_request_no, refund_fen=refund_fen, refunded_at=refunded_at)
        # "N": nothing moved now. Either this request refunded before (a retry) or it is still being
        # processed; only the refund query says which, and for how much.
        confirmed = await self._call(sdk.refund_query, out_trade_no, out_request_no)
        if confirmed.get("refund_status") == "REFUND_SUCCESS" and confirmed.get("refund_amount"):
            if to_fen(confirmed["refund_amount"]) != refund_fen:
                raise ChannelError("REFUND_AMOUNT_MISMATCH", f"{out_request_no}: {confirmed['refund_amount']}")
            refunded_at = _beijing(confirmed.get("gmt_refund_pay"))
            return RefundResult(out_request_no=out_request_no, refund_fen=refund_fen, refunded_at=refunded_at)
        raise ChannelError("REFUND_UNCONFIRMED", out_request_no)

    async def bill_url(self, day: date) -> str:
        """The day's trade bill (a GBK zip), valid for about 30 seconds."""
        try:
            response = await self._call(sdk.bill_download_url, day.isoformat())
        except ChannelError as error:
            if error.code in BILL_NOT_EXIST:  # a day whose bill Alipay has not produced yet
                raise ChannelError(BILL_NOT_READY, str(error)) from None
            raise
        return str(response["bill_download_url"])

    async def bill(self, day: date) -> bytes:
        """Download the day's trade bill (the URL is valid for about 30 seconds: fetch it at once)."""
        url = await self.bill_url(day)
        async with httpx.AsyncClient(timeout=self.config.timeout_seconds) as client:
            response = await client.get(url)
        if response.status_code != 200:
            raise ChannelError("BILL_DOWNLOAD_FAILED", f"HTTP {response.status_code}")
        return response.content

    def parse_bill(self, content: bytes) -> Iterator[BillRow]:
        """The detail rows of the bill zip."""
        return parse_bill(content)

    def parse_notification(self, inbound: Inbound) -> Notification:
        """Verify the signature of the form's parameters and read the fields orders need."""
        params = dict(parse_qsl(inbound.body.decode("utf-8", "replace"), keep_blank_values=True))
        authentic = sdk.verify_notification(params, self.config.alipay_public_key)
        try:
            total = to_fen(params["total_amount"]) if params.get("total_amount") else None
        except ValueError:
            total = None
        return Notification(
            authentic=authentic,
            notify_id=params.get("notify_id"),
            out_trade_no=params.get("out_trade_no"),
            trade_no=params.get("trade_no"),
            status=params.get("trade_status"),
            total_fen=total,
            app_id=params.get("app_id"),
            seller_id=params.get("seller_id"),
            params={k: v for k, v in params.items() if k != "sign"},
            paid_at=_beijing(params.get("gmt_payment")),
            problem=None if authentic else "signature",
        )

    def acknowledgement(self, accepted: bool) -> Acknowledgement:
        """Alipay stops retrying only on exactly `success` (HTTP 200 either way)."""
        return Acknowledgement(status_code=200, body="success" if accepted else "fail", media_type="text/plain")
