"""Real PostgreSQL and Redis servers for the test session, started from the Debian binaries.

Both listen on free loopback ports in private temporary folders and are stopped at the end. As root
(CI here runs as root) PostgreSQL, which refuses to run as root, runs as the `postgres` user that
Debian's package creates.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


class ServerMissingError(RuntimeError):
    """A server binary is not installed: `make test` installs it (apt-get)."""


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pg_bindir() -> Path:
    configured = os.environ.get("ONEWINDOW_TEST_PG_BINDIR")
    candidates = (
        [Path(configured)]
        if configured
        else sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    )
    for candidate in candidates:
        if (candidate / "pg_ctl").exists():
            return candidate
    raise ServerMissingError("PostgreSQL server binaries not found (apt-get install postgresql)")


@dataclass
class PostgresServer:
    """A throw-away PostgreSQL cluster."""

    bindir: Path
    folder: Path
    port: int
    version: str
    run_as: list[str]

    @property
    def admin_url(self) -> str:
        """asyncpg URL of the maintenance database."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        """asyncpg URL of a database on this server."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    @classmethod
    def start(cls, *, durable: bool = False) -> PostgresServer:
        """initdb + pg_ctl start on a free port; fsync off (the data is thrown away) unless `durable`
        (benchmarks of money paths measure with every commit flushed, as production runs)."""
        bindir = _pg_bindir()
        folder = Path(tempfile.mkdtemp(prefix="onewindow-pg-"))
        run_as: list[str] = []
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise ServerMissingError(
                    "running as root needs the postgres user (apt-get install postgresql)"
                ) from None
            os.chown(folder, user.pw_uid, user.pw_gid)
            run_as = ["runuser", "-u", "postgres", "--"]
        data, log = folder / "data", folder / "server.log"
        subprocess.run(
            [
                *run_as,
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
        )
        port = free_port()
        speed = "" if durable else "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 {speed}-c max_connections=200"
        subprocess.run(
            [
                *run_as,
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(log),
                "-w",
                "-t",
                "60",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        out = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True, text=True).stdout
        version = re.sub(r"^postgres \(PostgreSQL\) ", "", out.strip())
        return cls(bindir, folder, port, version, run_as)

    def stop(self) -> None:
        """Stop the server and delete its files."""
        subprocess.run(
            [*self.run_as, str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def _system_redis_server() -> str | None:
    """Debian's redis-server: never the copy the embedded-Redis package puts into the virtualenv."""
    configured = os.environ.get("ONEWINDOW_TEST_REDIS_SERVER")
    if configured:
        return configured
    venv = Path(sys.prefix).resolve()
    for folder in [*os.environ.get("PATH", "").split(os.pathsep), "/usr/bin", "/usr/local/bin"]:
        candidate = Path(folder) / "redis-server"
        if candidate.is_file() and os.access(candidate, os.X_OK) and venv not in candidate.resolve().parents:
            return str(candidate)
    return None


@dataclass
class RedisServer:
    """A throw-away redis-server (Debian's binary, not the embedded one)."""

    process: subprocess.Popen[bytes]
    folder: Path
    port: int
    version: str

    @property
    def url(self) -> str:
        """redis:// URL of database 0."""
        return f"redis://127.0.0.1:{self.port}/0"

    @classmethod
    def start(cls) -> RedisServer:
        """Start redis-server on a free loopback port, without persistence."""
        binary = _system_redis_server()
        if binary is None:
            raise ServerMissingError("redis-server not found (apt-get install redis-server)")
        folder = Path(tempfile.mkdtemp(prefix="onewindow-redis-"))
        port = free_port()
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(folder),
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.02)  # waiting for a child process to listen, not test synchronization
        out = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
        version = next((w.split("=")[1] for w in out.split() if w.startswith("v=")), out.strip())
        return cls(process, folder, port, version)

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        self.process.terminate()
        self.process.wait(timeout=10)
        if self.process.stderr:
            self.process.stderr.close()
        shutil.rmtree(self.folder, ignore_errors=True)
