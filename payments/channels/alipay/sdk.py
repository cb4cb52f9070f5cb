"""Every call into alipay-sdk-python, and the fixes for its known defects (see ../shared/research/alipay.md).

The SDK is synchronous: the adapter runs these functions in a thread. Fixes, applied once at import,
without forking the SDK:
- the gateway's port was dropped (only 80/443 worked): keep the URL's port;
- request timestamps used the host's local time: Alipay expects Beijing time (UTC+8);
- private keys had to be PKCS#1 bodies: PKCS#8 PEM is converted;
- a bad response signature, a non-200 reply or an unsigned error reply became exceptions without the
  gateway's code: they are turned into ChannelError with the code when it can be read;
- verifying a signature RAISED on a mismatch: `verify_notification` answers False instead.
"""

from __future__ import annotations

import base64
import datetime as _datetime
import functools
import http.client
import json
import re
import types
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from alipay.aop.api import DefaultAlipayClient as client_module  # noqa: N813 - the module, not the class
from alipay.aop.api.AlipayClientConfig import AlipayClientConfig
from alipay.aop.api.DefaultAlipayClient import DefaultAlipayClient
from alipay.aop.api.exception.Exception import AopException
from alipay.aop.api.request.AlipayDataDataserviceBillDownloadurlQueryRequest import (
    AlipayDataDataserviceBillDownloadurlQueryRequest,
)
from alipay.aop.api.request.AlipayTradeAppPayRequest import AlipayTradeAppPayRequest
from alipay.aop.api.request.AlipayTradeCloseRequest import AlipayTradeCloseRequest
from alipay.aop.api.request.AlipayTradeFastpayRefundQueryRequest import AlipayTradeFastpayRefundQueryRequest
from alipay.aop.api.request.AlipayTradePrecreateRequest import AlipayTradePrecreateRequest
from alipay.aop.api.request.AlipayTradeQueryRequest import AlipayTradeQueryRequest
from alipay.aop.api.request.AlipayTradeRefundRequest import AlipayTradeRefundRequest
from alipay.aop.api.request.AlipayTradeWapPayRequest import AlipayTradeWapPayRequest
from alipay.aop.api.util import SignatureUtils, WebUtils
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from payments.channels.base import ChannelError

BEIJING = ZoneInfo("Asia/Shanghai")


def _get_http_connection(url: str, query_string: str, timeout: int) -> tuple[str, http.client.HTTPConnection]:
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    connection_class = http.client.HTTPSConnection if secure else http.client.HTTPConnection
    connection = connection_class(host=parts.hostname or "", port=port, timeout=timeout)
    return f"{parts.scheme}://{parts.hostname}:{port}{parts.path}?{query_string}", connection


class _BeijingDatetime(_datetime.datetime):
    @classmethod
    def now(cls, tz: _datetime.tzinfo | None = None) -> _BeijingDatetime:
        moment = _datetime.datetime.now(tz or BEIJING)
        return cls(*moment.timetuple()[:6], moment.microsecond)


def _patch() -> None:
    WebUtils.get_http_connection = _get_http_connection
    # The client module does `import datetime` and calls datetime.datetime.now(): give it Beijing's.
    client_module.datetime = types.SimpleNamespace(datetime=_BeijingDatetime)


_patch()


def pkcs1_private_key(pem: str) -> str:
    """The PKCS#1 PEM the SDK needs, from a PKCS#1 or PKCS#8 PEM."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()


def public_key_body(pem: str) -> str:
    """A public key as the SDK wants it (SubjectPublicKeyInfo PEM)."""
    key = serialization.load_pem_public_key(pem.encode())
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def make_client(app_id: str, app_private_key: str, alipay_public_key: str, gateway: str, timeout: int) -> Any:
    """A configured DefaultAlipayClient."""
    config = AlipayClientConfig()
    config.app_id = app_id
    config.app_private_key = pkcs1_private_key(app_private_key)
    config.alipay_public_key = public_key_body(alipay_public_key)
    config.server_url = gateway
    config.sign_type = "RSA2"
    config.timeout = timeout
    return DefaultAlipayClient(alipay_client_config=config)


_CODE = re.compile(r'"code"\s*:\s*"(\d+)"')
_SUB_CODE = re.compile(r'"sub_code"\s*:\s*"([^"]+)"')


def _execute(client: Any, request: Any) -> dict[str, Any]:
    try:
        raw = client.execute(request)
    except (AopException, TypeError, ValueError) as error:
        text = str(error)
        sub = _SUB_CODE.search(text)
        code = _CODE.search(text)
        raise ChannelError(sub.group(1) if sub else code.group(1) if code else "GATEWAY_ERROR", text[:300]) from None
    except OSError as error:
        raise ChannelError("UNREACHABLE", str(error)) from None
    response: dict[str, Any] = json.loads(raw)
    if response.get("code") != "10000":
        raise ChannelError(response.get("sub_code") or response.get("code") or "UNKNOWN", response.get("sub_msg", ""))
    return response


def _request(cls: Any, biz: dict[str, Any], notify_url: str | None = None) -> Any:
    request = cls()
    request.biz_content = biz
    if notify_url:
        request.notify_url = notify_url
    return request


def app_pay(client: Any, biz: dict[str, Any], notify_url: str) -> str:
    """The order string the phone app hands to Alipay's SDK (signed here, sent by the phone)."""
    return str(client.sdk_execute(_request(AlipayTradeAppPayRequest, biz, notify_url)))


def wap_pay(client: Any, biz: dict[str, Any], notify_url: str, return_url: str | None) -> str:
    """The URL a mobile browser opens to pay."""
    request = _request(AlipayTradeWapPayRequest, biz, notify_url)
    if return_url:
        request.return_url = return_url
    return str(client.page_execute(request, http_method="GET"))


def precreate(client: Any, biz: dict[str, Any], notify_url: str) -> dict[str, Any]:
    """A QR code to scan (alipay.trade.precreate)."""
    return _execute(client, _request(AlipayTradePrecreateRequest, biz, notify_url))


def query(client: Any, out_trade_no: str) -> dict[str, Any]:
    """alipay.trade.query."""
    return _execute(client, _request(AlipayTradeQueryRequest, {"out_trade_no": out_trade_no}))


def close(client: Any, out_trade_no: str) -> dict[str, Any]:
    """alipay.trade.close."""
    return _execute(client, _request(AlipayTradeCloseRequest, {"out_trade_no": out_trade_no}))


def refund(client: Any, biz: dict[str, Any]) -> dict[str, Any]:
    """alipay.trade.refund (idempotent on out_request_no)."""
    return _execute(client, _request(AlipayTradeRefundRequest, biz))


def refund_query(client: Any, out_trade_no: str, out_request_no: str) -> dict[str, Any]:
    """alipay.trade.fastpay.refund.query."""
    # gmt_refund_pay (when the refund happened: the bill's day) comes back only when asked for
    biz = {"out_trade_no": out_trade_no, "out_request_no": out_request_no, "query_options": ["gmt_refund_pay"]}
    return _execute(client, _request(AlipayTradeFastpayRefundQueryRequest, biz))


def bill_download_url(client: Any, bill_date: str) -> dict[str, Any]:
    """alipay.data.dataservice.bill.downloadurl.query for a day's trade bill."""
    biz = {"bill_type": "trade", "bill_date": bill_date}
    return _execute(client, _request(AlipayDataDataserviceBillDownloadurlQueryRequest, biz))


def notification_content(params: dict[str, str]) -> str:
    """What an async notification's signature covers: every parameter but sign and sign_type, sorted."""
    # Empty values are not signed (as in Alipay's request signing, and as the sandbox signs).
    signed = {k: v for k, v in params.items() if k not in ("sign", "sign_type") and v != ""}
    return SignatureUtils.get_sign_content(signed)  # type: ignore[no-any-return]


def verify_notification(params: dict[str, str], alipay_public_key: str) -> bool:
    """Whether Alipay signed this notification (False, never an exception, for a forged one).

    The SDK has no helper for notifications and its `verify_with_rsa` parses the key on every call
    (pure Python) and raises on a mismatch; this checks the same SHA256withRSA signature over the same
    content with a key parsed once.
    """
    signature = params.get("sign")
    if not signature or params.get("sign_type", "RSA2") != "RSA2":
        return False
    try:
        _public_key(alipay_public_key).verify(
            base64.b64decode(signature), notification_content(params).encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


@functools.lru_cache(maxsize=8)
def _public_key(pem: str) -> RSAPublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    assert isinstance(key, RSAPublicKey)
    return key
