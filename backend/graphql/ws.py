"""GraphQL subscriptions over WebSocket with the graphql-transport-ws protocol (graphql-ws library).

connection_init carries the access token ({"authorization": "Bearer ..."}) because browsers cannot
set headers on a WebSocket; the server acks, then runs each `subscribe` until `complete`.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from enum import StrEnum
from typing import Any

import msgspec
import structlog
from graphql import ExecutionResult as CoreResult
from graphql import GraphQLError
from litestar import WebSocket, websocket
from litestar.exceptions import SerializationException, WebSocketDisconnect
from strawberry.types import ExecutionResult

from backend.errors import MESSAGES, CommonErrorCode, DomainError
from backend.graphql.context import Context
from backend.graphql.documents import trusted_documents
from backend.graphql.errors import format_error
from backend.graphql.http import out_of_bounds, sent_values
from backend.graphql.schema import build_schema
from backend.i18n import negotiate
from backend.identity.models import RequestMeta
from backend.logs import hiding_request_values
from backend.outages import UNAVAILABLE

log = structlog.get_logger("backend.graphql.ws")

PROTOCOL = "graphql-transport-ws"
INIT_TIMEOUT_SECONDS = 10
# What one socket, one citizen (or one anonymous address) and one process may hold open. Redis is not
# what runs out (one connection carries every subscription, backend.broadcast): memory and the
# reads each update makes are.
MAX_SUBSCRIPTIONS = 20
MAX_SOCKETS_PER_OWNER = 5
MAX_SUBSCRIPTIONS_PER_OWNER = 40
MAX_SOCKETS = 10_000
TRY_AGAIN_LATER = 1013  # RFC 6455: the server cannot serve this now (Redis or the database is away)
# Close codes of the protocol.
UNAUTHORIZED, FORBIDDEN_INIT, TOO_MANY_INITS, DUPLICATE_ID, INIT_TIMEOUT, BAD_MESSAGE = (
    4401,
    4403,
    4429,
    4409,
    4408,
    4400,
)


class Occupancy:
    """Sockets and subscriptions open in this process, per owner (a citizen, or an anonymous address)."""

    def __init__(self) -> None:
        self.sockets: Counter[str] = Counter()
        self.subscriptions: Counter[str] = Counter()

    def open_socket(self, owner: str) -> bool:
        """Count a socket in; False when the owner or the process already holds the most."""
        if self.sockets[owner] >= MAX_SOCKETS_PER_OWNER or self.sockets.total() >= MAX_SOCKETS:
            return False
        self.sockets[owner] += 1
        return True

    def add_subscription(self, owner: str) -> bool:
        """Count a subscription in; False when the owner already holds the most."""
        if self.subscriptions[owner] >= MAX_SUBSCRIPTIONS_PER_OWNER:
            return False
        self.subscriptions[owner] += 1
        return True

    @staticmethod
    def _release(counter: Counter[str], owner: str) -> None:
        counter[owner] -= 1
        if counter[owner] <= 0:
            del counter[owner]

    def close_socket(self, owner: str) -> None:
        """Count a socket out."""
        self._release(self.sockets, owner)

    def remove_subscription(self, owner: str) -> None:
        """Count a subscription out."""
        self._release(self.subscriptions, owner)


def _occupancy(socket: WebSocket[Any, Any, Any]) -> Occupancy:
    state = socket.app.state
    if "live_occupancy" not in state:
        state["live_occupancy"] = Occupancy()
    occupancy: Occupancy = state["live_occupancy"]
    return occupancy


class _Connection:
    def __init__(self, socket: WebSocket[Any, Any, Any]) -> None:
        self.socket = socket
        resources = socket.app.state.resources
        self.context = Context(
            resources,
            negotiate(socket.headers.get("accept-language")),
            "",
            meta=RequestMeta(
                ip=socket.client.host if socket.client else None, user_agent=socket.headers.get("user-agent")
            ),
        )
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.contexts: dict[str, Context] = {}
        self.send_lock = asyncio.Lock()
        self.occupancy = _occupancy(socket)
        self.owner = ""  # known once connection_init is authenticated

    def refuse(self, operation_id: str, code: StrEnum, **params: Any) -> dict[str, Any]:
        """An `error` message for one operation, with a coded, localized error."""
        ctx = self.context
        message = ctx.gettext(MESSAGES[code], request_id=ctx.request_id, **params)
        error = {"message": message, "extensions": {"code": code.value}}
        return {"id": operation_id, "type": "error", "payload": [error]}

    async def send(self, message: dict[str, Any]) -> None:
        async with self.send_lock:
            await self.socket.send_data(msgspec.json.encode(message).decode(), mode="text")

    def errors(self, result: ExecutionResult | CoreResult) -> list[dict[str, Any]]:
        ctx = self.context
        return [format_error(e, ctx.resources.messages, ctx.locale, ctx.request_id) for e in result.errors or []]

    async def start(self, operation_id: str, payload: dict[str, Any]) -> None:
        """Set the subscription up, then stream it in a task; returns once its source is listening.

        Every outcome is answered: a stream, or an `error` message (never silence, whatever failed).
        """
        if not self.occupancy.add_subscription(self.owner):
            await self.send(self.refuse(operation_id, CommonErrorCode.TOO_MANY_SUBSCRIPTIONS))
            return
        # Each subscription gets its own context: sessions are not shared between operations.
        ctx = Context(
            self.context.resources, self.context.locale, uuid.uuid4().hex, self.context.principal, self.context.meta
        )
        ctx.on_finish(lambda: self._released(self.owner))
        query, variables, document_id = payload.get("query"), payload.get("variables"), payload.get("documentId")
        # A documents-only app subscribes by documentId too: no text slips past over the socket.
        text = await trusted_documents(self.socket.app.state).text(
            ctx, query if isinstance(query, str) else None, document_id if isinstance(document_id, str) else None
        )
        await ctx.end_transaction()
        query = text if isinstance(text, str) else ""
        refused = text if isinstance(text, DomainError) else out_of_bounds(query, variables)
        if refused is not None:
            await ctx.finish()
            await self.send(self.refuse(operation_id, refused.code, **refused.params))
            return
        # The task inherits this context: its log lines too keep what the caller sent out.
        with hiding_request_values(lambda: sent_values(query, variables)):
            stream = await build_schema(ctx.settings.introspection).subscribe(
                query, variable_values=variables, context_value=ctx, operation_name=payload.get("operationName")
            )
            task = asyncio.create_task(self.run(operation_id, stream, ctx))
        self.contexts[operation_id] = ctx
        self.tasks[operation_id] = task
        # The stream parses, validates and calls the resolver only once iterated, in the task. Wait until
        # the resolver's source listens (or the stream ended): an update published right after the
        # client's next message must not be missed.
        live = asyncio.ensure_future(ctx.live.wait())
        await asyncio.wait({live, task}, return_when=asyncio.FIRST_COMPLETED)
        live.cancel()

    async def _released(self, owner: str) -> None:
        self.occupancy.remove_subscription(owner)

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

    async def run(self, operation_id: str, stream: Any, ctx: Context) -> None:
        """Send each event of a subscription until it ends or the client completes it."""
        first = True
        try:
            async for item in stream:
                if first and item.data is None and item.errors:
                    # Refused before it started (invalid, unauthenticated): an `error` message, no `complete`.
                    await self.send({"id": operation_id, "type": "error", "payload": self.errors(item)})
                    return
                first = False
                message: dict[str, Any] = {"data": item.data}
                if item.errors:
                    message["errors"] = self.errors(item)
                await self.send({"id": operation_id, "type": "next", "payload": message})
                await ctx.record_reads()  # each update a mini-program receives is a read of it
            await self.send({"id": operation_id, "type": "complete"})
        except asyncio.CancelledError:
            raise
        except WebSocketDisconnect:
            pass  # the client went away: nothing left to tell it
        except GraphQLError as error:  # strawberry lets a document the parser refuses escape the stream
            payload = [format_error(error, ctx.resources.messages, ctx.locale, ctx.request_id)]
            with contextlib.suppress(Exception):
                await self.send({"id": operation_id, "type": "error", "payload": payload})
        except Exception:
            log.exception("graphql.subscription_failed", request_id=ctx.request_id)
            with contextlib.suppress(Exception):
                await self.send(self.refuse(operation_id, CommonErrorCode.INTERNAL_ERROR))
        finally:
            await ctx.finish()
            self.tasks.pop(operation_id, None)
            self.contexts.pop(operation_id, None)


async def _authenticate(connection: _Connection, payload: Any) -> bool:
    header = ""
    if isinstance(payload, dict):
        header = str(payload.get("authorization") or payload.get("Authorization") or "")
    scheme, _, token = header.partition(" ")
    if header and scheme.lower() != "bearer":
        return False
    if not token.strip():
        return True  # anonymous: subscriptions that need a citizen answer UNAUTHENTICATED
    try:
        outcome = await connection.context.identity.access.bearer(header)
    finally:
        await connection.context.close()
    if isinstance(outcome, DomainError):
        return False
    connection.context.principal = outcome
    return True


def _owner(connection: _Connection) -> str:
    principal = connection.context.principal
    if principal is not None:
        return f"{principal.subject_type.value}:{principal.subject_id}"
    return f"address:{connection.context.meta.ip}"


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
        try:
            authenticated = await _authenticate(connection, first.get("payload"))
        except UNAVAILABLE:
            await socket.close(code=TRY_AGAIN_LATER, reason=CommonErrorCode.TEMPORARILY_UNAVAILABLE.value)
            return
        if not authenticated:
            await socket.close(code=FORBIDDEN_INIT, reason=CommonErrorCode.UNAUTHENTICATED.value)
            return
        owner = _owner(connection)
        if not connection.occupancy.open_socket(owner):
            await socket.close(code=TOO_MANY_INITS, reason="Too many connections")
            return
        connection.owner = owner
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
        if connection.owner:
            connection.occupancy.close_socket(connection.owner)
