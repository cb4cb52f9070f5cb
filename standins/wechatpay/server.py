"""The WeChat Pay sandbox's keys, state and signing: what its API and its controls share."""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from datetime import date
from typing import Any

import httpx
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from litestar import Request
from litestar.response import Response

from standins.wechatpay.keys import SandboxKeys
from standins.wechatpay.state import Delivery, Gateway

SKEW_SECONDS = 300
_AUTH = re.compile(r'(\w+)="([^"]*)"')
_TYPES = {"jsapi": "JSAPI", "app": "APP", "h5": "MWEB", "native": "NATIVE"}


def _compact(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class Sandbox:
    """The sandbox's keys, state, download tokens and outbound notifier."""

    def __init__(self, keys: SandboxKeys, mchid: str, appid: str, public_url: str) -> None:
        self.keys = keys
        self.gateway = Gateway(mchid, appid)
        self.public_url = public_url.rstrip("/")
        self.tokens: dict[str, tuple[str, date, bool, float]] = {}  # token -> (bill, day, gzip, expires)
        self.client = httpx.AsyncClient(timeout=10)

    def signed_headers(self, body: str, *, stamp: int | None = None, serial: str | None = None) -> dict[str, str]:
        """The public-key mode's signature headers over `TIMESTAMP\\nNONCE\\nBODY\\n`."""
        timestamp, nonce = str(stamp if stamp is not None else int(time.time())), secrets.token_hex(16)
        return {
            "Wechatpay-Serial": serial or self.keys.public_key_id,
            "Wechatpay-Timestamp": timestamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": self.keys.sign(f"{timestamp}\n{nonce}\n{body}\n"),
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        }

    def reply(self, data: dict[str, Any] | None, status: int = 200) -> Response[bytes]:
        """A signed JSON reply (204: no body, still signed)."""
        body = _compact(data) if data is not None else ""
        headers = {**self.signed_headers(body), "Request-ID": secrets.token_hex(8)}
        media = "application/json" if data is not None else "text/plain"
        return Response(body.encode(), status_code=status, media_type=media, headers=headers)

    def error(self, status: int, code: str, message: str) -> Response[bytes]:
        """WeChat's error reply: {"code", "message"} (signed like any reply)."""
        return self.reply({"code": code, "message": message}, status)

    def notification(self, delivery: Delivery) -> dict[str, Any]:
        """The envelope of a notification, its resource encrypted with the APIv3 key (AEAD_AES_256_GCM)."""
        nonce, associated = secrets.token_hex(6), "transaction" if delivery.event_type.startswith("TRANS") else "refund"
        plain = _compact(delivery.resource).encode()
        cipher = AESGCM(self.keys.apiv3_key.encode()).encrypt(nonce.encode(), plain, associated.encode())
        return {
            "id": delivery.id,
            "create_time": self.gateway.now().isoformat(timespec="seconds"),
            "resource_type": "encrypt-resource",
            "event_type": delivery.event_type,
            "summary": delivery.summary,
            "resource": {
                "original_type": associated,
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": base64.b64encode(cipher).decode(),
                "associated_data": associated,
                "nonce": nonce,
            },
        }

    def signed_notification(self, delivery: Delivery, fault: str | None = None) -> tuple[str, dict[str, str]]:
        """A notification's body and headers, as sent (or as a fault makes them)."""
        body = _compact(self.notification(delivery))
        stamp = int(time.time()) - (600 if fault == "stale" else 0)
        headers = self.signed_headers(
            body, stamp=stamp, serial="PUB_KEY_ID_NOT_OURS" if fault == "unknown_key" else None
        )
        if fault == "tamper":
            body = body.replace('"summary":"', '"summary":"!', 1)  # changed on the way: the signature fails
        return body, headers

    async def deliver(self, only: str | None = None) -> int:
        """Process refunds in progress, then send every due notification (of one trade, when `only`)."""
        gateway = self.gateway
        gateway.process_refunds()
        sent = 0
        for delivery in [d for d in gateway.deliveries if not d.done and d.due <= gateway.now()]:
            if only is not None and delivery.out_trade_no != only:
                continue
            fault = gateway.faults.pop(0) if gateway.faults else None
            sent += 1
            if fault == "drop":
                gateway.after_attempt(delivery, "(dropped)", False)
                continue
            body, headers = self.signed_notification(delivery, fault)
            for _ in range(2 if fault == "duplicate" else 1):
                try:
                    response = await self.client.post(
                        delivery.url, content=body.encode(), headers={**headers, "Content-Type": "application/json"}
                    )
                    answer, accepted = f"{response.status_code} {response.text}", 200 <= response.status_code < 300
                except httpx.HTTPError as error:
                    answer, accepted = f"(unreachable: {error})", False
            gateway.after_attempt(delivery, answer, accepted)
        return sent


def _sandbox(request: Request[Any, Any, Any]) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox
