"""On-demand query cost benchmark: what the cost check costs, and what it protects.

    cd /work/main && uv run python bench/cost_bench.py [--duration 10] [--rounds 3] [--waves 5]

In one run, on two `onewindow serve --workers 2` servers started side by side (fresh temporary data
dirs, embedded SQLite and Redis), one with the cost check (ONEWINDOW_COST_ENABLED=true) and one
without (false), both with an anonymous bucket wrk cannot empty (one address floods; the check still
prices, charges and refunds every request):

(a) `matter(code)` req/s with the check against without it: `wrk -t2 -c32` interleaved, checked,
    unchecked, checked...; prints each run and the ratio of the means (issue 16: at most 5% slower).
(b) /health latency while 30 heavy queries are sent at once (30 threads, one connection each), in
    `--waves` waves, /health probed back to back from another thread meanwhile: the issue's anonymous
    attack (30 aliases of `matters(first: 100)` with nested fields) on both servers (refused
    MAX_COST_EXCEEDED before executing with the check; executed without: one wave), and the heaviest
    document the cap allows (991 points) on the checked server. Prints p50/p99/max of /health and how
    long the 30 answers took (issue 16: /health p99 under 100 ms).

Exit status 0 when it measured, 2 when it could not (no wrk, a server that would not start).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.graphql_bench import (
    HOST,
    BenchError,
    Server,
    Shape,
    _tree_cpu_seconds,
    lua_script,
    machine_info,
    post_graphql,
    wrk,
)

ROOT = Path(__file__).resolve().parent.parent
ONE = Shape(
    "one",
    '`matter(code: "GZ-GA-0021")` x 8 scalars',
    '{ matter(code: "GZ-GA-0021") { code name summary level audience theme maxTrips promisedDays } }',
    True,
)
NODE = (
    "code name summary department { name region { name } } fees { name amount } materials { name note } "
    "halls { name address }"
)
# The attack: 4.2 MB in 2.1 s each before; six at once made /health take 7.6 s.
ATTACK = "{ " + " ".join(f"a{n}: matters(first: 100) {{ edges {{ node {{ {NODE} }} }} }}" for n in range(30)) + " }"
# The heaviest the cap allows: 1 + 90 x (edge 1 + node 1 + department 1 + fees 5 + outputs 3) = 991.
HEAVIEST = (
    "{ matters(first: 90) { edges { node { code name summary department { name } fees { name amount } "
    "outputs { name } } } } }"
)


PROBE_SECONDS = 2.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def wave(port: int, query: str, senders: int = 30) -> tuple[list[float], float, list[str]]:
    """Send `query` from `senders` threads at once while probing /health back to back: (/health
    latencies in ms, seconds until every answer came back, the answers' outcomes)."""
    health: list[float] = []
    outcomes: list[str] = []
    start = threading.Barrier(senders + 1)
    done = threading.Event()

    def send() -> None:
        start.wait()
        status, body = post_graphql(port, query, timeout=120)
        answer = json.loads(body)
        errors = answer.get("errors") or []
        outcomes.append(errors[0]["extensions"]["code"] if errors else f"{status} {len(body) / 1e6:.1f} MB")

    def probe() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        while not done.is_set():
            began = time.perf_counter()
            conn.request("GET", "/health")
            conn.getresponse().read()
            health.append((time.perf_counter() - began) * 1000)
        conn.close()

    if not query:
        senders = 0
        start = threading.Barrier(1)
    threads = [threading.Thread(target=send) for _ in range(senders)]
    for thread in threads:
        thread.start()
    prober = threading.Thread(target=probe)
    prober.start()
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    time.sleep(max(0.0, PROBE_SECONDS - elapsed))  # /health is probed for PROBE_SECONDS at least
    done.set()
    prober.join()
    return health, elapsed, outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of (a) (default 3)")
    parser.add_argument("--waves", type=int, default=5, help="waves of 30 queries per case of (b) (default 5)")
    parser.add_argument("--start-timeout", type=float, default=120)
    parser.add_argument("--skip-health", action="store_true", help="measure (a) only")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="onewindow-cost-bench-"))
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("ONEWINDOW_")}
    base_env |= {"ONEWINDOW_LOG_LEVEL": "warning"}
    base_env |= {"ONEWINDOW_COST_ANONYMOUS_MAXIMUM": "1000000000", "ONEWINDOW_COST_ANONYMOUS_RATE": "1000000000"}
    onewindow = shutil.which("onewindow", path=str(Path(sys.executable).parent)) or str(ROOT / ".venv/bin/onewindow")
    banner = re.compile(r"onewindow is listening on http://[\d.]+:(\d+)")
    servers = {}
    for name, enabled in (("checked", "true"), ("unchecked", "false")):
        (work / name).mkdir()
        env = base_env | {"ONEWINDOW_DATA_DIR": str(work / name), "ONEWINDOW_COST_ENABLED": enabled}
        command = [onewindow, "serve", "--host", HOST, "--port", "0", "--workers", "2"]
        servers[name] = Server(name, command, env, banner, work / f"{name}.log")
    try:
        print("# Query cost benchmark\n")
        print("\n".join(machine_info()))
        for server in servers.values():
            server.start()
        for server in servers.values():
            server.wait_banner(args.start_timeout)
            server.wait_ready(ONE.query, args.start_timeout)
        checked, unchecked = servers["checked"], servers["unchecked"]
        answer = json.loads(post_graphql(checked.port, ONE.query)[1])
        print(f"\nchecked server's answer carries extensions.cost: {answer['extensions']['cost']}")

        script = lua_script(work, ONE)
        for server in servers.values():
            wrk(server.port, script, 3)  # warm-up
        rps: dict[str, list[float]] = {"checked": [], "unchecked": []}
        cpu: dict[str, list[float]] = {"checked": [], "unchecked": []}
        print(f"\n## (a) {ONE.title}: req/s, `wrk -t2 -c32 -d{args.duration:g}s`, interleaved\n")
        print(
            "On a shared machine req/s drifts with the neighbours' load; the servers' own CPU time per request"
            " (process tree: workers and embedded Redis) does much less, and its ratio is the req/s ratio of"
            " an idle machine.\n"
        )
        print(
            "| round | req/s with the check | without | ratio | CPU ms/request with | without | ratio |\n"
            "|---|---|---|---|---|---|---|"
        )
        for round_no in range(1, args.rounds + 1):
            runs = {}
            for name, server in servers.items():
                assert server.proc is not None
                before = _tree_cpu_seconds(server.proc.pid)
                runs[name] = wrk(server.port, script, args.duration)
                cpu[name].append((_tree_cpu_seconds(server.proc.pid) - before) * 1000 / runs[name]["requests"])
                assert not runs[name]["errors"], f"{name}: {runs[name]['errors']}"
                rps[name].append(runs[name]["rps"])
            ratio = runs["checked"]["rps"] / runs["unchecked"]["rps"]
            print(
                f"| {round_no} | {runs['checked']['rps']:,.0f} | {runs['unchecked']['rps']:,.0f} | {ratio:.3f} | "
                f"{cpu['checked'][-1]:.3f} | {cpu['unchecked'][-1]:.3f} | "
                f"{cpu['unchecked'][-1] / cpu['checked'][-1]:.3f} |"
            )
        mean_ratio = statistics.mean(rps["checked"]) / statistics.mean(rps["unchecked"])
        cpu_ratio = statistics.mean(cpu["unchecked"]) / statistics.mean(cpu["checked"])
        print(
            f"\nmean: {statistics.mean(rps['checked']):,.0f} req/s with, {statistics.mean(rps['unchecked']):,.0f} "
            f"without: ratio {mean_ratio:.3f}; CPU per request {statistics.mean(cpu['checked']):.3f} ms with, "
            f"{statistics.mean(cpu['unchecked']):.3f} ms without: ratio {cpu_ratio:.3f} "
            f"(the check costs {1 / cpu_ratio - 1:.1%} more CPU a request; target: at most 5% fewer req/s)"
        )

        print(f"\n## (b) /health while 30 heavy queries arrive at once ({args.waves} waves each)\n")
        print("| case | answers | /health p50 | p99 | max | probes | 30 answers took |\n|---|---|---|---|---|---|---|")
        if args.skip_health:
            return 0
        cases = [  # the attack executed takes long (the "before"): one wave of it
            ("nothing sent (/health at rest)", checked, "", args.waves),
            ("attack, with the check (refused)", checked, ATTACK, args.waves),
            ("heaviest allowed (991 points), with the check", checked, HEAVIEST, args.waves),
            ("attack, without the check (executed)", unchecked, ATTACK, 1),
        ]
        for title, server, query, waves in cases:
            latencies: list[float] = []
            took: list[float] = []
            outcomes: set[str] = set()
            for _ in range(waves):
                health, elapsed, answers = wave(server.port, query)
                latencies += health
                took.append(elapsed)
                outcomes |= {re.sub(r"[\d.]+ MB", "data", a) for a in answers}
                time.sleep(1)
            print(
                f"| {title} | {', '.join(sorted(outcomes))} | {percentile(latencies, 0.5):.1f} ms | "
                f"{percentile(latencies, 0.99):.1f} ms | {max(latencies):.1f} ms | {len(latencies)} | "
                f"{statistics.mean(took):.2f} s |"
            )
    except BenchError as error:
        print(f"cannot measure: {error}", file=sys.stderr)
        return 2
    finally:
        for server in servers.values():
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
