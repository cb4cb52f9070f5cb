"""Redis pub/sub for the whole process over ONE connection: every live subscription shares it.

A connection per subscription let one citizen with a few sockets drain the process's Redis pool,
and then sign-in, sign-out and health failed for everyone. Here one reader task owns the process's
only pub/sub connection and hands each message to the local listeners of its channel, however many
there are; the rest of the service never waits for a connection because of them.

Messages published while the connection is down are lost (pub/sub keeps nothing): watchers are told
when the connection comes back so they can catch up from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import structlog
from redis.asyncio import Redis

from backend.errors import CommonErrorCode, DomainError

log = structlog.get_logger("backend.broadcast")

# Subscribed for the connection's whole life, so the reader always has something to wait on.
_ALIVE = b"onewindow:broadcast"
# A slow consumer holds at most this many undelivered messages; older ones are dropped first.
QUEUE_SIZE = 64
SUBSCRIBE_TIMEOUT_SECONDS = 5.0


class Listener:
    """One local subscriber of a channel: read `get()` until `close()`."""

    def __init__(self, broadcast: Broadcast, channel: bytes) -> None:
        self.channel = channel
        self._broadcast = broadcast
        self._queue: asyncio.Queue[bytes] = asyncio.Queue(QUEUE_SIZE)
        self._closed = False

    def deliver(self, data: bytes) -> None:
        """Queue a message without waiting; a full queue loses its oldest message, not the newest."""
        if self._queue.full():
            self._queue.get_nowait()
            log.warning("broadcast.listener_behind", channel=self.channel.decode(errors="replace"))
        self._queue.put_nowait(data)

    async def get(self) -> bytes:
        """The next message of the channel."""
        return await self._queue.get()

    async def close(self) -> None:
        """Stop listening (idempotent)."""
        if not self._closed:
            self._closed = True
            await self._broadcast.remove(self)


class Broadcast:
    """Every pub/sub channel this process listens to, over one Redis connection and one reader task."""

    def __init__(self, redis: Redis, *, max_listeners: int = 10_000) -> None:
        self._redis = redis
        self.max_listeners = max_listeners
        self._listeners: dict[bytes, set[Listener]] = {}
        self._watchers: dict[bytes, Callable[[], None]] = {}
        self._pubsub: Any = None
        # What this connection asked Redis for (redis-py's own record lags behind UNSUBSCRIBE replies).
        self._subscribed: set[bytes] = set()
        # Subscriptions sent and not yet confirmed: True once Redis confirms, False if the connection drops.
        self._confirmed: dict[bytes, asyncio.Future[bool]] = {}
        # SUBSCRIBE and UNSUBSCRIBE go out one at a time, so they reach Redis in the order decided.
        self._commands = asyncio.Lock()
        self._connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def listener_count(self) -> int:
        """How many local listeners are open."""
        return sum(len(x) for x in self._listeners.values())

    def watch(self, channel: bytes, callback: Callable[[], None]) -> None:
        """Call `callback` on every message of `channel`, and after a reconnection (messages may be lost)."""
        self._watchers[channel] = callback

    async def start(self, wait: float = 5.0) -> None:
        """Start the reader; returns once it is subscribed, or after `wait` seconds if Redis is away."""
        self._task = asyncio.create_task(self._run(), name="broadcast-reader")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._connected.wait(), wait)

    async def close(self) -> None:
        """Stop the reader and drop the connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def listen(self, channel: bytes) -> Listener:
        """A listener of `channel`, subscribed at Redis when this returns (nothing published after is missed).

        TOO_MANY_SUBSCRIPTIONS when the process holds its most; TEMPORARILY_UNAVAILABLE without Redis.
        """
        if self.listener_count >= self.max_listeners:
            raise DomainError(CommonErrorCode.TOO_MANY_SUBSCRIPTIONS)
        listener = Listener(self, channel)
        self._listeners.setdefault(channel, set()).add(listener)
        try:
            await self._ensure_subscribed(channel)
        except BaseException:
            await self.remove(listener)
            raise
        return listener

    async def remove(self, listener: Listener) -> None:
        """Forget a listener; the channel is unsubscribed at Redis when its last listener leaves."""
        channel = listener.channel
        listeners = self._listeners.get(channel)
        if listeners is None:
            return
        listeners.discard(listener)
        if listeners:
            return
        del self._listeners[channel]
        async with self._commands:
            if channel in self._listeners or channel in self._watchers or channel not in self._subscribed:
                return  # somebody subscribed again meanwhile, or the connection is gone anyway
            self._subscribed.discard(channel)
            with contextlib.suppress(Exception):  # a lost connection unsubscribes everything by itself
                await self._pubsub.unsubscribe(channel)

    async def _ensure_subscribed(self, channel: bytes) -> None:
        async with self._commands:
            pubsub = self._pubsub
            if pubsub is None:
                raise DomainError(CommonErrorCode.TEMPORARILY_UNAVAILABLE)
            waiting = self._confirmed.get(channel)
            if waiting is None:
                if channel in self._subscribed:
                    return
                waiting = self._confirmed[channel] = asyncio.get_running_loop().create_future()
                self._subscribed.add(channel)
                try:
                    await pubsub.subscribe(channel)
                except Exception:
                    self._confirmed.pop(channel, None)
                    self._subscribed.discard(channel)
                    raise DomainError(CommonErrorCode.TEMPORARILY_UNAVAILABLE) from None
        try:
            confirmed = await asyncio.wait_for(asyncio.shield(waiting), SUBSCRIBE_TIMEOUT_SECONDS)
        except TimeoutError:
            confirmed = False
        if not confirmed:
            raise DomainError(CommonErrorCode.TEMPORARILY_UNAVAILABLE)

    def _dispatch(self, message: dict[str, Any]) -> None:
        channel = message.get("channel")
        if not isinstance(channel, bytes):
            return
        kind = message.get("type")
        if kind == "subscribe":
            waiting = self._confirmed.pop(channel, None)
            if waiting is not None and not waiting.done():
                waiting.set_result(True)
        elif kind == "message":
            watcher = self._watchers.get(channel)
            if watcher is not None:
                watcher()
            for listener in tuple(self._listeners.get(channel, ())):
                listener.deliver(message["data"])

    async def _run(self) -> None:
        pause, connected_before = 0.5, False
        while True:
            pubsub = self._redis.pubsub()
            try:
                channels = {_ALIVE, *self._watchers, *self._listeners}
                await pubsub.subscribe(*channels)
                self._pubsub, self._subscribed = pubsub, channels
                self._connected.set()
                if connected_before:
                    log.info("broadcast.reconnected")
                    for watcher in self._watchers.values():
                        watcher()  # what was published while we were away is lost: catch up
                connected_before, pause = True, 0.5
                while True:
                    message = await pubsub.get_message(timeout=None)
                    if message is not None:
                        self._dispatch(message)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # connection lost: listeners stay, and are resubscribed on reconnect
                log.warning("broadcast.disconnected", error=type(error).__name__)
            finally:
                self._pubsub, self._subscribed = None, set()
                self._connected.clear()
                for waiting in self._confirmed.values():
                    if not waiting.done():
                        waiting.set_result(False)
                self._confirmed.clear()
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(pause)  # back-off before reconnecting, not synchronization
            pause = min(pause * 2, 30.0)
