"""A trusted public catalog document over GET, from the response cache, against bare msgspec bytes.

    cd /work/main && uv run python bench/trusted_get_bench.py [--duration 10] [--rounds 3]

Issue 16's target: the platform's catalog document `MatterList` with `first: 50`, fetched anonymously
over GET by its documentId (so answered from the per-process response cache), reaches at least 0.5x
the req/s of a bare endpoint returning the same bytes from memory.

One server process (this file with --serve, one uvicorn worker, uvloop + httptools, like `onewindow
serve`) holds, on a fresh embedded database and Redis:
- the real app (backend.app.create_app) with one extra route, GET /bench/bare, added here only:
  it returns the GraphQL answer's bytes from memory through the same middleware as /graphql;
- on a second port, a bare Litestar app with that route alone (no middleware at all), for reference.
The driver checks the three answer the same bytes, then runs `wrk -t2 -c32 --latency` on each in
turn, round after round (ratios within one run are what to compare on a shared machine), and prints
a markdown table: req/s, p50/p99, and the ratio of the GraphQL GET to each bare endpoint.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from litestar import Litestar, get
from litestar.response import Response

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

from graphql_bench import (  # noqa: E402 - the shared benchmark helpers, found beside this file
    HOST,
    BenchError,
    cpu_busy,
    machine_info,
    parse_wrk,
)

RATIO_TARGET = 0.5
CONNECTIONS = 32
THREADS = 2
OPERATION = "MatterList"
VARIABLES = {"first": 50}
BARE_PATH = "/bench/bare"


# --- the server (this file with --serve) -------------------------------------------------------
_BARE_FILE: list[Path] = []
_HELD: list[bytes] = []


@get(BARE_PATH, include_in_schema=False)
async def bare() -> Response[bytes]:
    """The GraphQL answer's bytes, from memory (read once from the file the driver wrote)."""
    if not _HELD:
        _HELD.append(_BARE_FILE[0].read_bytes())
    return Response(_HELD[0], media_type="application/json")


def serve(bytes_file: Path) -> None:
    """The real app plus the bare route, and the bare route alone on a second port."""
    import asyncio
    import socket

    import uvicorn

    from backend.app import create_app
    from backend.cli.catalog import prepare_database
    from backend.settings import get_settings

    settings = get_settings()
    asyncio.run(prepare_database(settings))
    _BARE_FILE.append(bytes_file)
    app = create_app(settings)
    app.register(bare)
    alone = Litestar(route_handlers=[bare], openapi_config=None, logging_config=None)

    def listening() -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, 0))
        sock.listen(2048)
        return sock

    def server(asgi: Any) -> uvicorn.Server:
        config = uvicorn.Config(asgi, loop="uvloop", http="httptools", lifespan="on", access_log=False, log_config=None)
        return uvicorn.Server(config)

    real_sock, bare_sock = listening(), listening()
    print(f"ports {real_sock.getsockname()[1]} {bare_sock.getsockname()[1]}", flush=True)

    async def both() -> None:
        await asyncio.gather(server(app).serve([real_sock]), server(alone).serve([bare_sock]))

    asyncio.run(both())


# --- the driver ---------------------------------------------------------------------------------
def fetch(port: int, target: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET on loopback; (status, headers, body)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", target, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def document_target() -> str:
    """The GET target of the platform's catalog document: MatterList with first 50."""
    from backend.platform.documents import document_id

    body = (ROOT / "graphql" / "operations" / "catalog.graphql").read_text(encoding="utf-8")
    query = {"documentId": document_id(body), "operationName": OPERATION, "variables": json.dumps(VARIABLES)}
    return "/graphql?" + urlencode(query)


def wrk(url: str, duration: float) -> dict[str, Any]:
    """One wrk run; the request timeout is raised so slow answers count in p99."""
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration:g}s", "--latency", "--timeout", "10s", url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=False)
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


def wait_ports(log_path: Path, proc: subprocess.Popen[bytes], timeout: float) -> tuple[int, int]:
    """The two ports the server printed (bounded wait)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in log_path.read_text(errors="replace").splitlines():
            if line.startswith("ports "):
                real, bare = line.split()[1:3]
                return int(real), int(bare)
        if proc.poll() is not None:
            raise BenchError(f"the server exited with {proc.returncode}:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.2)
    raise BenchError(f"no ports within {timeout:.0f}s:\n{log_path.read_text(errors='replace')}")


def wait_answer(port: int, target: str, timeout: float) -> bytes:
    """The document's answer once the app serves it (bounded wait)."""
    deadline, last = time.monotonic() + timeout, ""
    while time.monotonic() < deadline:
        try:
            status, headers, body = fetch(port, target)
            if status == 200 and b'"errors"' not in body and "etag" in headers:
                return body
            last = f"HTTP {status}: {body[:300]!r}"
        except OSError as error:
            last = repr(error)
        time.sleep(0.3)
    raise BenchError(f"the app did not answer the document within {timeout:.0f}s (last: {last})")


def measure(args: argparse.Namespace) -> int:
    """Start the server, check the answers, run wrk interleaved, print the table."""
    with tempfile.TemporaryDirectory(prefix="trusted-get-bench-") as folder:
        data, log_path, bytes_file = Path(folder) / "data", Path(folder) / "server.log", Path(folder) / "answer.json"
        # A fresh embedded database and Redis: none of the caller's ONEWINDOW_* settings.
        env = {k: v for k, v in os.environ.items() if not k.startswith("ONEWINDOW_")} | {
            "ONEWINDOW_DATA_DIR": str(data),
            "ONEWINDOW_LOG_LEVEL": "warning",
            "PYTHONPATH": str(ROOT),
            # wrk floods from one address: a bucket it cannot empty, so every cached answer is still
            # priced and charged (as in production) but never refused.
            "ONEWINDOW_COST_ANONYMOUS_MAXIMUM": "1000000000",
            "ONEWINDOW_COST_ANONYMOUS_RATE": "1000000000",
        }
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, __file__, "--serve", str(bytes_file)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            real_port, bare_port = wait_ports(log_path, proc, 180)
            target = document_target()
            answer = wait_answer(real_port, target, 120)
            bytes_file.write_bytes(answer)
            _, headers, _ = fetch(real_port, target)
            not_modified = fetch(real_port, target, {"if-none-match": headers["etag"]})[0]
            for port in (real_port, bare_port):
                status, _, body = fetch(port, BARE_PATH)
                if status != 200 or body != answer:
                    raise BenchError(f"the bare endpoint on port {port} does not answer the same bytes")
            edges = len(json.loads(answer)["data"]["matters"]["edges"])
            urls = {
                "GraphQL GET by documentId (response cache)": f"http://{HOST}:{real_port}{target}",
                "bare route, same app (same middleware)": f"http://{HOST}:{real_port}{BARE_PATH}",
                "bare Litestar app (no middleware)": f"http://{HOST}:{bare_port}{BARE_PATH}",
            }
            for url in urls.values():  # warm up
                wrk(url, 2)
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in urls}
            for _ in range(args.rounds):
                for name, url in urls.items():
                    runs[name].append(wrk(url, args.duration))
            report(args, runs, len(answer), edges, not_modified)
            graphql_rps = statistics.median(r["rps"] for r in runs[next(iter(urls))])
            bare_rps = statistics.median(r["rps"] for r in runs["bare route, same app (same middleware)"])
            return 1 if args.strict and graphql_rps < RATIO_TARGET * bare_rps else 0
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)


def report(
    args: argparse.Namespace, runs: dict[str, list[dict[str, Any]]], size: int, edges: int, not_modified: int
) -> None:
    """The machine, then a table: median req/s, p50/p99 and ratios."""
    names = list(runs)
    print(f"# Trusted document over GET vs bare bytes ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n")
    print("\n".join(machine_info()))
    print(f"- command: python bench/trusted_get_bench.py --duration {args.duration:g} --rounds {args.rounds}")
    print(f"- answer: `{OPERATION}` first 50 ({edges} edges, {size} bytes); revalidation answered {not_modified}")
    print(f"- machine busy before the runs: {cpu_busy():.0%}\n")
    graphql = statistics.median(r["rps"] for r in runs[names[0]])
    print("| endpoint | req/s (median) | runs | p50 ms | p99 ms | GraphQL GET / this |")
    print("|---|---|---|---|---|---|")
    for name in names:
        rps = statistics.median(r["rps"] for r in runs[name])
        p50 = statistics.median(r["p50"] for r in runs[name])
        p99 = statistics.median(r["p99"] for r in runs[name])
        each = ", ".join(f"{r['rps']:.0f}" for r in runs[name])
        print(f"| {name} | {rps:.0f} | {each} | {p50:.2f} | {p99:.2f} | {graphql / rps:.2f}x |")
    bare = statistics.median(r["rps"] for r in runs[names[1]])
    verdict = "met" if graphql >= RATIO_TARGET * bare else "NOT met"
    print(f"\nTarget (GraphQL GET >= {RATIO_TARGET}x the bare route's req/s): {verdict} ({graphql / bare:.2f}x)")
    errors = {name: [r["errors"] for r in rs if r["errors"]] for name, rs in runs.items()}
    if any(errors.values()):
        print(f"wrk errors: {errors}")


def main() -> int:
    """`--serve FILE` runs the server; otherwise measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over the three endpoints (default 3)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve)
        return 0
    try:
        return measure(args)
    except BenchError as error:
        print(f"trusted_get_bench: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
