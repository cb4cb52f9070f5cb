"""What both payment sandboxes run beside their gateway: a timer that sends the notifications due."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

import httpx


class Notifying(Protocol):
    """A sandbox that sends due notifications with its own HTTP client."""

    client: httpx.AsyncClient

    def deliver(self) -> Awaitable[Any]:
        """Send every notification due now."""
        ...


def notifier_lifespan(
    sandbox: Notifying, *, auto_deliver: bool, tick_seconds: float
) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """A Litestar lifespan: with auto_deliver, what is due goes out every tick; the client closes at the end."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        task = None
        if auto_deliver:

            async def loop() -> None:
                while True:
                    await asyncio.sleep(tick_seconds)  # a real server's timer, not test synchronization
                    with contextlib.suppress(Exception):
                        await sandbox.deliver()

            task = asyncio.create_task(loop())
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
            await sandbox.client.aclose()

    return lifespan
