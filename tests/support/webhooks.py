"""Webhook receivers for tests: real HTTP servers on 127.0.0.1 that verify EVERY delivery with the
maintained `standardwebhooks` package (never with the platform's own signing code), as an app's
developer would from the guide."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError


@dataclass(frozen=True)
class Received:
    """One request the receiver got: its webhook-id, body, which secrets verified it, what it answered."""

    message_id: str
    timestamp: str
    body: str
    verified_by: tuple[str, ...]
    answered: int
    payload: Any


Responder = Callable[[str, int], int]
"""(webhook-id, how many times this id arrived so far, this one included) -> the status to answer."""


def always(status: int) -> Responder:
    """Answer every delivery with `status`."""
    return lambda _id, _count: status


@dataclass
class Receiver:
    """A real endpoint: verifies with each of `secrets`, answers what `respond` says."""

    secrets: list[str] = field(default_factory=list)
    respond: Responder = field(default_factory=lambda: always(204))
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    truncated: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """The endpoint's URL."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks"

    @property
    def port(self) -> int:
        """The port it listens on."""
        assert self._server is not None
        return int(self._server.server_address[1])

    def start(self) -> Receiver:
        """Listen on a free loopback port, in a thread."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                raw = self.rfile.read(length)
                if len(raw) < length:
                    # The sender died mid-request (a killed worker): like any HTTP server, drop the
                    # truncated request rather than judge its signature on half a body.
                    receiver.truncated += 1
                    return
                body = raw.decode()
                headers = {key.lower(): value for key, value in self.headers.items()}
                status = receiver._handle(body, headers)
                if receiver.delay:
                    time.sleep(receiver.delay)
                try:
                    self.send_response(status)
                    self.send_header("content-length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except (BrokenPipeError, ConnectionResetError):
                    return  # the sender went away (a killed worker): the request counts as received

            def log_message(self, *_args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _handle(self, body: str, headers: dict[str, str]) -> int:
        verified: list[str] = []
        payload: Any = None
        for secret in self.secrets:
            try:
                payload = Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
            verified.append(secret)
        message_id = headers.get("webhook-id", "")
        with self._lock:
            if not verified:
                self.unverified.append(message_id)
                return 400
            count = 1 + sum(1 for r in self.received if r.message_id == message_id)
            status = self.respond(message_id, count)
            self.received.append(
                Received(message_id, headers["webhook-timestamp"], body, tuple(verified), status, payload)
            )
        return status

    def ids(self) -> list[str]:
        """The webhook-ids received, in order (repeats included)."""
        with self._lock:
            return [r.message_id for r in self.received]

    def bodies(self) -> list[dict[str, Any]]:
        """The received bodies, parsed."""
        with self._lock:
            return [json.loads(r.body) for r in self.received]
