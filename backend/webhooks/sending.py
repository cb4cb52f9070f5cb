"""One HTTP try of one delivery: signed, within the timeout, no redirect followed, little of the answer
read (the status code is the answer; a body could be anything, of any size)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import httpx
import msgspec

from backend.webhooks import egress, signing

READ_AT_MOST = 1024
"""Bytes of a response body read before the connection is dropped."""

USER_AGENT = "onewindow-webhooks/1"


class Outcome(msgspec.Struct, frozen=True):
    """What one try got: a status code, or no answer and why."""

    status_code: int | None
    latency_ms: int
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        """A 2xx answer: the endpoint has the event."""
        return self.status_code is not None and 200 <= self.status_code < 300


def client(concurrency: int) -> httpx.AsyncClient:
    """The HTTP client of one delivery run: keeps connections to the endpoint open between deliveries."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(follow_redirects=False, limits=limits, timeout=None, trust_env=False)  # noqa: S113 (send bounds each try)


async def send(
    http: httpx.AsyncClient,
    url: str,
    secrets: Sequence[str],
    message_id: str,
    body: str,
    *,
    timeout: float,  # noqa: ASYNC109 (the whole try, name lookup included)
    public_only: bool,
) -> Outcome:
    """POST `body` to `url`, signed now with every current secret."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    headers = signing.headers(secrets, message_id, int(time.time()), body)
    headers |= {"content-type": "application/json", "user-agent": USER_AGENT}
    try:
        async with asyncio.timeout(timeout):
            target = await egress.target(url, public_only=public_only)
            if target.host_header:
                headers["host"] = target.host_header
            extensions = {"sni_hostname": target.server_name} if target.server_name else {}
            request = http.build_request("POST", target.url, content=body.encode(), headers=headers)
            request.extensions.update(extensions)
            response = await http.send(request, stream=True)
            try:
                read = 0
                async for chunk in response.aiter_raw():
                    read += len(chunk)
                    if read >= READ_AT_MOST:
                        break
            finally:
                await response.aclose()
    except egress.BlockedError:
        return Outcome(None, took(), egress.BLOCKED)
    except TimeoutError:
        return Outcome(None, took(), "timeout")
    except httpx.ConnectError:
        return Outcome(None, took(), "connection refused")
    except httpx.HTTPError as error:
        return Outcome(None, took(), f"no answer: {type(error).__name__}"[:200])
    return Outcome(response.status_code, took())
