"""GraphQL subscriptions over WebSocket with the graphql-transport-ws protocol (graphql-ws library).

connection_init carries the access token ({"authorization": "Bearer ..."}) because browsers cannot
set headers on a WebSocket; the server acks, then runs each `subscribe` until `complete`.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import msgspec
from graphql import ExecutionResult as CoreResult
from litestar import WebSocket, websocket
from litestar.exceptions import SerializationException, WebSocketDisconnect
from strawberry.types import ExecutionResult

from backend.errors import DomainError, ErrorCode
from backend.graphql.context import Context
from backend.graphql.errors import format_error
from backend.graphql.schema import build_schema
from backend.i18n import negotiate
from backend.identity.models import RequestMeta

PROTOCOL = "graphql-transport-ws"
INIT_TIMEOUT_SECONDS = 10
MAX_SUBSCRIPTIONS = 20  # each holds a Redis connection
# Close codes of the protocol.
UNAUTHORIZED, FORBIDDEN_INIT, TOO_MANY_INITS, DUPLICATE_ID, INIT_TIMEOUT, BAD_MESSAGE = (
    4401,
    4403,
    4429,
    4409,
    4408,
    4400,
)


class _Connection:
    def __init__(self, socket: WebSocket[Any, Any, Any]) -> None:
        self.socket = socket
        resources = socket.app.state.resources
        self.context = Context(
            resources, negotiate(socket.headers.get("accept-language")), "",
            meta=RequestMeta(ip=socket.client.host if socket.client else None,
                             user_agent=socket.headers.get("user-agent")),
        )  # fmt: skip
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.contexts: dict[str, Context] = {}
        self.send_lock = asyncio.Lock()

    async def send(self, message: dict[str, Any]) -> None:
        async with self.send_lock:
            await self.socket.send_data(msgspec.json.encode(message).decode(), mode="text")

    def errors(self, result: ExecutionResult | CoreResult) -> list[dict[str, Any]]:
        ctx = self.context
        return [format_error(e, ctx.resources.messages, ctx.locale, ctx.request_id) for e in result.errors or []]

    async def start(self, operation_id: str, payload: dict[str, Any]) -> None:
        """Set the subscription up (its source is listening when this returns), then stream it in a task."""
        # Each subscription gets its own context: sessions are not shared between operations.
        ctx = Context(self.context.resources, self.context.locale, "", self.context.principal, self.context.meta)
        result = await build_schema().subscribe(
            payload.get("query") or "", variable_values=payload.get("variables"), context_value=ctx,
            operation_name=payload.get("operationName"),
        )  # fmt: skip
        if isinstance(result, ExecutionResult | CoreResult):
            await ctx.finish()
            await self.send({"id": operation_id, "type": "error", "payload": self.errors(result)})
            return
        self.contexts[operation_id] = ctx
        self.tasks[operation_id] = asyncio.create_task(self.run(operation_id, result, ctx))

    async def stop(self, operation_id: str) -> None:
        """End one subscription: cancel its stream and release what it holds, started or not."""
        task = self.tasks.pop(operation_id, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        ctx = self.contexts.pop(operation_id, None)
        if ctx is not None:
            await ctx.finish()

    async def run(self, operation_id: str, result: Any, ctx: Context) -> None:
        """Send each event of a subscription until it ends or the client completes it."""
        try:
            async for item in result:
                message: dict[str, Any] = {"data": item.data}
                if item.errors:
                    message["errors"] = self.errors(item)
                await self.send({"id": operation_id, "type": "next", "payload": message})
            await self.send({"id": operation_id, "type": "complete"})
        except asyncio.CancelledError:
            raise
        finally:
            await ctx.finish()
            self.tasks.pop(operation_id, None)
            self.contexts.pop(operation_id, None)


async def _authenticate(connection: _Connection, payload: Any) -> bool:
    token = ""
    if isinstance(payload, dict):
        header = str(payload.get("authorization") or payload.get("Authorization") or "")
        scheme, _, token = header.partition(" ")
        if header and scheme.lower() != "bearer":
            return False
    if not token.strip():
        return True  # anonymous: subscriptions that need a citizen answer UNAUTHENTICATED
    try:
        connection.context.principal = await connection.context.identity.authenticate(token.strip())
    except DomainError:
        return False
    finally:
        await connection.context.close()
    return True


@websocket("/graphql", include_in_schema=False)
async def graphql_ws(socket: WebSocket[Any, Any, Any]) -> None:
    """Serve graphql-transport-ws subscriptions."""
    requested = [p.strip() for p in socket.headers.get("sec-websocket-protocol", "").split(",")]
    if PROTOCOL not in requested:
        await socket.close(code=4406, reason="Subprotocol not acceptable")
        return
    await socket.accept(subprotocols=PROTOCOL)
    connection = _Connection(socket)
    try:
        try:
            first = await asyncio.wait_for(socket.receive_json(), INIT_TIMEOUT_SECONDS)
        except TimeoutError:
            await socket.close(code=INIT_TIMEOUT, reason="Connection initialisation timeout")
            return
        except (ValueError, TypeError, SerializationException):
            await socket.close(code=BAD_MESSAGE, reason="Invalid message")
            return
        if not isinstance(first, dict) or first.get("type") != "connection_init":
            await socket.close(code=UNAUTHORIZED, reason="Unauthorized")
            return
        if not await _authenticate(connection, first.get("payload")):
            await socket.close(code=FORBIDDEN_INIT, reason=ErrorCode.UNAUTHENTICATED.value)
            return
        await connection.send({"type": "connection_ack"})
        while True:
            try:
                message = await socket.receive_json()
            except (ValueError, TypeError, SerializationException):  # not JSON: the protocol says close with 4400
                await socket.close(code=BAD_MESSAGE, reason="Invalid message")
                return
            kind = message.get("type") if isinstance(message, dict) else None
            if kind == "ping":
                await connection.send({"type": "pong"})
            elif kind == "pong":
                continue
            elif kind == "subscribe":
                operation_id = str(message.get("id") or "")
                if not operation_id or operation_id in connection.tasks:
                    await socket.close(code=DUPLICATE_ID, reason=f"Subscriber for {operation_id} already exists")
                    return
                if len(connection.tasks) >= MAX_SUBSCRIPTIONS:
                    await socket.close(code=TOO_MANY_INITS, reason="Too many subscriptions on one connection")
                    return
                payload = message.get("payload") if isinstance(message.get("payload"), dict) else {}
                await connection.start(operation_id, payload)
            elif kind == "complete":
                await connection.stop(str(message.get("id")))
            elif kind == "connection_init":
                await socket.close(code=TOO_MANY_INITS, reason="Too many initialisation requests")
                return
            else:
                await socket.close(code=BAD_MESSAGE, reason="Invalid message")
                return
    except WebSocketDisconnect:
        pass
    finally:
        for operation_id in list(connection.contexts):
            await connection.stop(operation_id)
