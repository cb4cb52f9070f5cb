"""Every call into wechatpayv3 (2.0.4), and the guards against what its users report (../shared/research/finance.md).

The sync client runs in a thread (the adapter's `asyncio.to_thread`). Guards:
- public-key mode only (the WeChat Pay public key and its PUB_KEY_ID): the client never downloads
  /v3/certificates, which merchants opened since 2024 do not have;
- the SDK's base URL is hard-coded: `make_client` points it at the configured gateway, in one place;
- no logger is handed to the SDK: its debug lines print the Authorization header and decrypted bodies;
- notifications are verified here, not with `callback()`: on the raw body bytes, refusing stale
  timestamps (replay), and telling a bad signature from a key that is not ours (the SDK answers None for
  both, and tries to parse a PUB_KEY_ID as a certificate serial);
- a non-2xx reply becomes ChannelError with WeChat's own `code`.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import requests
from wechatpayv3 import WeChatPay, WeChatPayType
from wechatpayv3.utils import aes_decrypt, rsa_verify

from payments.channels.base import ChannelError

BEIJING = ZoneInfo("Asia/Shanghai")
SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
FRESH_SECONDS = 300
"""WeChat refuses requests more than 5 minutes off; we refuse notifications the same way (a replay)."""


class WechatPayConfig(msgspec.Struct, frozen=True, kw_only=True):
    """The merchant's identity at WeChat Pay, its keys, and where the API and our notify URLs are."""

    mchid: str
    appid: str
    cert_serial_no: str  # the merchant's API certificate serial: names the key requests are signed with
    private_key: str  # PEM (PKCS#8)
    apiv3_key: str  # 32 characters: decrypts notifications
    public_key: str  # the WeChat Pay public key (PEM): verifies responses and notifications
    public_key_id: str  # PUB_KEY_ID_...: what Wechatpay-Serial names when WeChat signed with it
    gateway: str  # https://api.mch.weixin.qq.com, or the sandbox's
    notify_url: str  # payments
    refund_notify_url: str  # refunds: their own notifications
    timeout_seconds: int = 15


def make_client(config: WechatPayConfig) -> WeChatPay:
    """A configured sync client in public-key mode, without a logger (see the module's docstring)."""
    client = WeChatPay(
        wechatpay_type=WeChatPayType.NATIVE,
        mchid=config.mchid,
        private_key=config.private_key,
        cert_serial_no=config.cert_serial_no,
        appid=config.appid,
        apiv3_key=config.apiv3_key,
        notify_url=config.notify_url,
        logger=None,
        timeout=(5, config.timeout_seconds),
        public_key=config.public_key,
        public_key_id=config.public_key_id,
    )
    # The SDK hard-codes https://api.mch.weixin.qq.com (Core._gate_way) and has no option for it: the one
    # place the configured gateway (production's, or the local sandbox's) replaces it.
    client._core._gate_way = config.gateway.rstrip("/")
    return client


def _answer(call: Any, *args: Any, **kwargs: Any) -> tuple[int, Any]:
    """Run one SDK call; a transport failure or an unsigned/forged reply becomes a ChannelError."""
    try:
        code, body = call(*args, **kwargs)
    except requests.RequestException as error:
        raise ChannelError("UNREACHABLE", type(error).__name__) from None
    except Exception as error:  # the SDK raises bare Exception for a response whose signature fails
        raise ChannelError(
            "SIGNATURE_INVALID" if "signature" in str(error) else "GATEWAY_ERROR", str(error)[:200]
        ) from None
    if not 200 <= code < 300:
        try:
            reply = json.loads(body)
        except (TypeError, ValueError):
            reply = {}
        raise ChannelError(str(reply.get("code") or f"HTTP_{code}"), str(reply.get("message", ""))[:200])
    return code, body


def _json(call: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    _, body = _answer(call, *args, **kwargs)
    found: dict[str, Any] = json.loads(body) if body else {}
    return found


_TYPES = {
    "jsapi": WeChatPayType.JSAPI,
    "app": WeChatPayType.APP,
    "h5": WeChatPayType.H5,
    "native": WeChatPayType.NATIVE,
}


def pay(
    client: WeChatPay,
    method: str,
    biz: dict[str, Any],
    *,
    openid: str | None = None,
    client_ip: str | None = None,
) -> dict[str, Any]:
    """Place the order (统一下单): prepay_id (JSAPI, APP), h5_url (H5) or code_url (Native)."""
    scene = {"payer_client_ip": client_ip or "127.0.0.1", "h5_info": {"type": "Wap"}} if method == "h5" else None
    return _json(
        client.pay,
        description=biz["description"],
        out_trade_no=biz["out_trade_no"],
        amount={"total": biz["total"], "currency": "CNY"},
        time_expire=biz["time_expire"],
        payer={"openid": openid} if method == "jsapi" else None,
        scene_info=scene,
        pay_type=_TYPES[method],
    )


def client_signature(client: WeChatPay, fields: list[str]) -> str:
    """RSA-SHA256 over the fields, one a line: the paySign (JSAPI) or sign (APP) the phone passes on."""
    return str(client.sign(fields))


def nonce() -> str:
    """A random string for a launch's nonceStr."""
    return secrets.token_hex(16)


def now_seconds() -> str:
    """The Unix time in seconds, as WeChat's timestamps are written."""
    return str(int(time.time()))


def query(client: WeChatPay, out_trade_no: str) -> dict[str, Any]:
    """The trade by our number (ChannelError ORDER_NOT_EXIST before the buyer opened it)."""
    return _json(client.query, out_trade_no=out_trade_no)


def close(client: WeChatPay, out_trade_no: str) -> None:
    """Close an unpaid trade (204 No Content)."""
    _answer(client.close, out_trade_no)


def refund(
    client: WeChatPay,
    out_trade_no: str,
    out_refund_no: str,
    refund_fen: int,
    total_fen: int,
    reason: str,
    notify_url: str,
) -> dict[str, Any]:
    """申请退款 (idempotent on out_refund_no); its notification goes to `notify_url`."""
    return _json(
        client.refund,
        out_refund_no=out_refund_no,
        amount={"refund": refund_fen, "total": total_fen, "currency": "CNY"},
        out_trade_no=out_trade_no,
        reason=reason[:80] or None,
        notify_url=notify_url,
    )


def refund_query(client: WeChatPay, out_refund_no: str) -> dict[str, Any]:
    """查询单笔退款."""
    return _json(client.query_refund, out_refund_no=out_refund_no)


def trade_bill(client: WeChatPay, day: date) -> dict[str, Any]:
    """The day's trade bill (ALL, gzip): hash_type, hash_value and a download_url valid 5 minutes."""
    return _json(client.trade_bill, bill_date=day.isoformat(), bill_type="ALL", tar_type="GZIP")


def fundflow_bill(client: WeChatPay, day: date) -> dict[str, Any]:
    """The day's fund-flow bill of the basic account (gzip), described like the trade bill."""
    return _json(client.fundflow_bill, bill_date=day.isoformat(), account_type="BASIC", tar_type="GZIP")


def download(client: WeChatPay, url: str) -> bytes:
    """A bill file (the download is signed by us, its reply is not signed by WeChat)."""
    _, body = _answer(client.download_bill, url)
    return body if isinstance(body, bytes) else str(body).encode()


class Verified(msgspec.Struct, frozen=True, kw_only=True):
    """A notification's envelope after the checks: `problem` says why it is not to be trusted."""

    problem: str | None  # None | signature | unknown_key | stale | malformed | undecryptable
    envelope: dict[str, Any]
    resource: dict[str, Any]


def _header(headers: Mapping[str, str], name: str) -> str:
    return headers.get(name) or headers.get(name.lower()) or ""


def verify_notification(
    body: bytes, headers: Mapping[str, str], *, public_key_id: str, public_key: Any, apiv3_key: str, now: float
) -> Verified:
    """Check a notification on its raw body bytes, then decrypt its resource (AEAD_AES_256_GCM).

    Re-encoding the JSON before checking (what frameworks do) changes the bytes and fails a genuine
    signature, so only the bytes as received are checked.
    """
    serial, timestamp = _header(headers, "Wechatpay-Serial"), _header(headers, "Wechatpay-Timestamp")
    signature, nonce_value = _header(headers, "Wechatpay-Signature"), _header(headers, "Wechatpay-Nonce")
    try:
        text = body.decode("utf-8")
        envelope: dict[str, Any] = json.loads(text)
    except ValueError:
        return Verified(problem="malformed", envelope={}, resource={})
    if not isinstance(envelope, dict):
        return Verified(problem="malformed", envelope={}, resource={})
    if serial != public_key_id:
        return Verified(problem="unknown_key", envelope=envelope, resource={})
    if _header(headers, "Wechatpay-Signature-Type") not in ("", SIGNATURE_TYPE) or not rsa_verify(
        timestamp, nonce_value, text, signature, public_key
    ):
        return Verified(problem="signature", envelope=envelope, resource={})
    if not timestamp.isdigit() or abs(now - int(timestamp)) > FRESH_SECONDS:
        return Verified(problem="stale", envelope=envelope, resource={})
    resource = envelope.get("resource") or {}
    if resource.get("algorithm") != "AEAD_AES_256_GCM":
        return Verified(problem="malformed", envelope=envelope, resource={})
    try:
        plain = aes_decrypt(
            nonce=str(resource.get("nonce", "")),
            ciphertext=str(resource.get("ciphertext", "")),
            associated_data=str(resource.get("associated_data") or ""),
            apiv3_key=apiv3_key,
        )
    except ValueError:
        plain = None
    if plain is None:
        return Verified(problem="undecryptable", envelope=envelope, resource={})
    return Verified(problem=None, envelope=envelope, resource=json.loads(plain))
