"""Serve an ASGI app on a real loopback port from a thread (for protocols that need real HTTP both ways)."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

ONEWINDOW = Path(sys.executable).parent / "onewindow"
BANNER = "onewindow is listening on "


def listener() -> tuple[socket.socket, str]:
    """A socket bound to a free loopback port, and its base URL (known before the app is built)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock, f"http://127.0.0.1:{sock.getsockname()[1]}"


@contextmanager
def served(app: Any, sock: socket.socket) -> Iterator[None]:
    """Run `app` with uvicorn on `sock` until the block ends; returns once it accepts connections."""
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    started = threading.Event()
    original = server.startup

    async def startup(sockets: Any = None) -> None:
        await original(sockets=sockets)
        started.set()

    server.startup = startup  # type: ignore[method-assign]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    if not started.wait(timeout=60):
        raise RuntimeError("the server did not start")
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def onewindow_serve(env: dict[str, str], *extra: str) -> tuple[subprocess.Popen[str], str, list[str]]:
    """`onewindow serve` on a free loopback port: the process, its base URL, and its output so far.

    Returns once the server prints that it listens (its banner comes after the socket is bound).
    """
    process = subprocess.Popen(
        [str(ONEWINDOW), "serve", "--host", "127.0.0.1", "--port", "0", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    output: list[str] = []
    for line in process.stdout:
        output.append(line)
        if line.startswith(BANNER):
            return process, line.split()[-1], output
    raise RuntimeError("onewindow serve ended before it listened:\n" + "".join(output))
