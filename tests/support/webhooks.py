"""A mini-program's webhook endpoint on a real loopback port: records every request (headers, raw body)
and answers what the test tells it to."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import msgspec


class Received(msgspec.Struct, frozen=True):
    """One request as the endpoint saw it."""

    headers: dict[str, str]
    body: bytes

    @property
    def webhook_id(self) -> str:
        """The delivery's id (stable across retries)."""
        return self.headers["webhook-id"]

    def payload(self) -> dict[str, Any]:
        """The decoded body."""
        decoded: dict[str, Any] = msgspec.json.decode(self.body)
        return decoded


class Receiver:
    """The endpoint's record; `answer(received) -> status` decides each reply (204 by default)."""

    def __init__(self, url: str, answer: Callable[[Received], int]) -> None:
        self.url = url
        self.answer = answer
        self.received: list[Received] = []
        self._lock = threading.Lock()

    def record(self, received: Received) -> int:
        """Keep a request; the status to answer."""
        with self._lock:
            self.received.append(received)
        return self.answer(received)

    def snapshot(self) -> list[Received]:
        """What arrived so far."""
        with self._lock:
            return list(self.received)


@contextmanager
def receiver(answer: Callable[[Received], int] = lambda _: 204) -> Iterator[Receiver]:
    """A webhook endpoint on 127.0.0.1 for the block's duration."""
    holder: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {key.lower(): value for key, value in self.headers.items()}
            status = holder["receiver"].record(Received(headers, body))
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # quiet: the test reads the record
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["receiver"] = Receiver(f"http://127.0.0.1:{server.server_address[1]}/hooks", answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder["receiver"]
    finally:
        server.shutdown()
        server.server_close()
