"""The assistant end to end: routing accuracy on the blind labeled set, reply latency, start-up and memory.

    uv run python bench/assistant_bench.py [--set tests/data/assistant_routing.json] [--rounds 1]

Starts `onewindow serve` on embedded defaults (SQLite, embedded Redis) with the demo data, then the
Rasa server and the action server exactly as `make run` does (scripts/assistant.sh), and sends every
message of the set through `assistantMessage` over HTTP, each in a new conversation, with the
message's locale as Accept-Language. A message is routed right at top-1 when the first suggestion is
one of its expected codes, at top-3 when one of the first three is. Prints the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from tests.support.assistant import AssistantStack
from tests.support.live import ONEWINDOW, onewindow_serve
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
ASK = """mutation($t: String!, $c: ID) { assistantMessage(text: $t, conversationId: $c) {
  conversationId messages { text } suggestions { code } errors { code message } } }"""
LANGUAGE = {"zh-Hans": "zh-CN", "zh-Hant": "zh-HK", "en": "en"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def start_backend(data_dir: Path, rasa_port: int) -> tuple[subprocess.Popen[str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEWINDOW_")}
    env |= {
        "ONEWINDOW_DATA_DIR": str(data_dir),
        "ONEWINDOW_LOG_LEVEL": "error",
        "ONEWINDOW_ASSISTANT_URL": f"http://127.0.0.1:{rasa_port}",
    }
    for command in (["migrate"], ["seed"]):
        subprocess.run([str(ONEWINDOW), *command], env=env, check=True, capture_output=True)
    server, base, _ = onewindow_serve(env)
    return server, base


@contextmanager
def serving(prefix: str) -> Iterator[tuple[str, Path, AssistantStack]]:
    """The backend on embedded defaults (in a new data folder) and the Rasa stack beside it, as
    `make run` starts them: (the backend's URL, its data folder, the stack); both stopped after."""
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    rasa_port = free_port()
    backend, base = start_backend(data_dir, rasa_port)
    stack = None
    try:
        stack = AssistantStack.start(f"{base}/graphql", rasa_port)
        yield base, data_dir, stack
    finally:
        if stack is not None:
            stack.stop()
        backend.send_signal(signal.SIGINT)
        backend.communicate(timeout=60)


def ask(client: httpx.Client, locale: str, text: str, conversation: str | None = None) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    response = client.post(
        "/graphql",
        json={"query": ASK, "variables": {"t": text, "c": conversation}},
        headers={"accept-language": LANGUAGE[locale]},
    )
    elapsed = (time.perf_counter() - started) * 1000
    reply: dict[str, Any] = response.json()["data"]["assistantMessage"]
    return reply, elapsed


def main(path: Path, rounds: int, show_misses: bool) -> None:
    print(f"machine: {platform.machine()}, {len(os.sched_getaffinity(0))} cores, Python {platform.python_version()}")
    items = json.loads(path.read_text(encoding="utf-8"))
    with serving("onewindow-assistant-bench-") as (base, _, stack):
        memory = stack.rss_mib()
        print(
            f"start-up: Rasa server and action server ready in {stack.started_in:.1f} s; "
            f"resident memory: Rasa {memory['rasa']:.0f} MiB, actions {memory['actions']:.0f} MiB"
        )
        with httpx.Client(base_url=base, timeout=30) as client:
            for warm_up in ("你好", "我想办护照", "要多少钱"):
                ask(client, "zh-Hans", warm_up)
            hits1: dict[str, int] = defaultdict(int)
            hits3: dict[str, int] = defaultdict(int)
            totals: dict[str, int] = defaultdict(int)
            latencies: list[float] = []
            errors = 0
            misses = []
            for round_no in range(rounds):
                for item in items:
                    reply, elapsed = ask(client, item["locale"], item["message"], uuid.uuid4().hex)
                    latencies.append(elapsed)
                    if round_no:
                        continue
                    errors += bool(reply["errors"])
                    codes = [s["code"] for s in reply["suggestions"]]
                    totals[item["locale"]] += 1
                    hits1[item["locale"]] += bool(codes[:1]) and codes[0] in item["expected"]
                    top3 = any(code in item["expected"] for code in codes[:3])
                    hits3[item["locale"]] += top3
                    if not top3:
                        misses.append((item["id"], item["locale"], item["message"], item["expected"], codes[:3]))
            # A follow-up in the same conversation (the slot answers it, no search)
            follow = []
            for _ in range(30):
                first, _ = ask(client, "zh-Hans", "我想办护照")
                _, elapsed = ask(client, "zh-Hans", "要多少钱", first["conversationId"])
                follow.append(elapsed)
        n = sum(totals.values())
        print(f"\nrouting on {path.name}: {n} messages, {errors} answered with an error")
        for locale in ("zh-Hans", "zh-Hant", "en"):
            top1, top3 = hits1[locale] / totals[locale], hits3[locale] / totals[locale]
            print(f"  {locale:<8} top-1 {top1:6.1%}  top-3 {top3:6.1%}  ({totals[locale]})")
        print(f"  all      top-1 {sum(hits1.values()) / n:6.1%}  top-3 {sum(hits3.values()) / n:6.1%}")
        print(
            f"\nreply latency through assistantMessage ({len(latencies)} first messages): "
            f"p50 {percentile(latencies, 0.5):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms, "
            f"max {max(latencies):.0f} ms; follow-up questions (30): p50 {percentile(follow, 0.5):.0f} ms, "
            f"p95 {percentile(follow, 0.95):.0f} ms"
        )
        if show_misses:
            for miss in misses:
                print("  miss", *miss)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", type=Path, default=ROOT / "tests" / "data" / "assistant_routing.json")
    parser.add_argument("--rounds", type=int, default=1, help="Send the set this many times (all count for latency).")
    parser.add_argument("--misses", action="store_true", help="Print the messages routed wrong at top-3.")
    args = parser.parse_args()
    main(args.set, args.rounds, args.misses)
