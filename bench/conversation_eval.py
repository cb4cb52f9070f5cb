"""Multi-turn conversations with the assistant, as a citizen holds them, judged turn by turn.

    uv run python bench/conversation_eval.py [--set tests/data/blind_conversations/conversations.json]
        [--limit N] [--verbose] [--json]

Starts `onewindow serve` on embedded defaults (SQLite, embedded Redis) with the demo data, then the
Rasa server and the action server as `make run` does (tests/support/assistant.AssistantStack), exactly
like bench/assistant_bench.py. Each conversation of the blind set is one `conversationId`; every turn
is sent through `assistantMessage` over HTTP with the conversation's locale as Accept-Language
(zh-Hans -> zh-CN, zh-Hant -> zh-HK, en -> en).

A conversation marked "signed_in" is held by a new citizen: a resident of the population stand-in (never
the demo phone) who signs in with the code the SMS stand-in holds, verifies their real name, and has
submitted two applications beforehand, which the demo officer of 公安 (officer.gz-ga) has processed, so
that questions about their own case have something to find (BEFOREHAND):
  - GZ-GA-0002 (户口迁移（夫妻投靠）), rejected with a reason;
  - GZ-GA-0021 (a new car's registration: 470.00 of fees to two departments, unpaid), a supplement
    requested with a reason;
each with a scan uploaded for every required material that none of the resident's certificates replaces.
They have nothing refunded (a refund needs a payment credited by the channel, out of reach from here).
The turns are then sent with the citizen's token.

A turn with "tap": when the reply offers that code (a suggestion or a button), the citizen taps it before
the next turn: the button's payload is sent as the next message, as the app does (README "Ask the
assistant"); that extra message is not judged. A suggestion card without a button opens a form and
sends nothing. Each turn is judged by tests/support/conversation_judge.py (its docstring has the rules).
Prints per-turn accuracy overall, by kind of expectation, by locale and by the set's turn kind, and
the reply latency; --verbose adds every wrong turn, --json prints one JSON document instead.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.assistant_bench import percentile, serving
from tests.support.conversation_run import Run, ask, breakdown, catalog_names, converse
from tests.support.identity import staff_token

ROOT = Path(__file__).resolve().parent.parent


def report(result: Run, started_in: float, memory: dict[str, float], wall: float) -> dict[str, Any]:
    turns = result.turns
    latencies = [t.latency_ms for t in turns]
    return {
        "machine": f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores, Python {platform.python_version()}",
        "assistant_start_s": round(started_in, 1),
        "memory_mib": {k: round(v) for k, v in memory.items()},
        "conversations": len({t.conversation for t in turns}),
        "turns": len(turns),
        "right": sum(t.right for t in turns),
        "accuracy": sum(t.right for t in turns) / len(turns) if turns else 0.0,
        "by_expect": breakdown(turns, "expect_kind"),
        "by_locale": breakdown(turns, "locale"),
        "by_kind": breakdown(turns, "kind"),
        "latency_ms": {
            "p50": round(percentile(latencies, 0.5)),
            "p95": round(percentile(latencies, 0.95)),
            "max": round(max(latencies)),
        }
        if latencies
        else {},
        "taps": dict(result.taps),
        "wall_s": round(wall),
        "wrong": [{k: v for k, v in vars(t).items() if k not in ("right", "latency_ms")} for t in turns if not t.right],
        "transcript": [{k: v for k, v in vars(t).items() if k != "latency_ms"} for t in turns],
        "taps_sent": [
            {"conversation": t.conversation, "index": t.index, "sent": t.tapped, "reply": t.tap_reply}
            for t in turns
            if t.tapped
        ],
    }


def transcript(figures: dict[str, Any]) -> None:
    """Every turn as it went: said, right or wrong, what was suggested and answered."""
    for turn in figures["transcript"]:
        mark = "ok " if turn["right"] else "BAD"
        print(f"{mark} {turn['conversation']}#{turn['index']} [{turn['kind']}] {turn['said']}")
        print(f"      {turn['suggestions'][:3]} " + turn["reply"].replace("\n", " / ")[:200])
        if turn["tapped"]:
            print(f"      tapped {turn['tapped']}: " + turn["tap_reply"].replace("\n", " / ")[:200])


def show(figures: dict[str, Any], verbose: bool) -> None:
    print(f"machine: {figures['machine']}")
    print(
        f"assistant ready in {figures['assistant_start_s']} s; resident memory: "
        f"Rasa {figures['memory_mib']['rasa']} MiB, actions {figures['memory_mib']['actions']} MiB"
    )
    print(
        f"\n{figures['conversations']} conversations, {figures['turns']} turns: "
        f"{figures['right']} right = {figures['accuracy']:.1%}  (wall {figures['wall_s']} s)"
    )
    for title, key in (("by expectation", "by_expect"), ("by locale", "by_locale"), ("by turn kind", "by_kind")):
        print(f"\n{title}:")
        for name, row in figures[key].items():
            print(f"  {name:<22} {row['accuracy']:6.1%}  ({row['right']}/{row['turns']})")
    latency = figures["latency_ms"]
    print(f"\nreply latency per turn: p50 {latency['p50']} ms, p95 {latency['p95']} ms, max {latency['max']} ms")
    print(f"taps: {figures['taps']}")
    if verbose:
        print("\nwrong turns:")
        for wrong in figures["wrong"]:
            print(f"\n  {wrong['conversation']}#{wrong['index']} [{wrong['locale']} {wrong['kind']}] {wrong['said']}")
            print(f"    why: {wrong['why']}")
            print(f"    suggestions: {wrong['suggestions'][:5]}")
            print("    reply: " + wrong["reply"].replace("\n", " / ")[:300])
        print("\ntaps sent (not judged):")
        for tap in figures["taps_sent"]:
            print(f"  after {tap['conversation']}#{tap['index']}: {tap['sent']}")
            print("    reply: " + tap["reply"].replace("\n", " / ")[:300])


async def evaluate(
    base: str, data_dir: Path, conversations: list[dict[str, Any]], result: Run
) -> dict[str, dict[str, str]]:
    from backend.db.engine import create_engine, session_factory
    from backend.settings import Settings

    engine = create_engine(Settings(data_dir=str(data_dir)).resolved_database_url)
    codes = {
        code
        for c in conversations
        for t in c["turns"]
        for code in [*t["expect"].get("matters", []), *t["expect"].get("candidates", [])]
        + [t["expect"][k] for k in ("bundle", "draft_for") if k in t["expect"]]
    }
    try:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            names = await catalog_names(client, codes)
            for warm_up in ("你好", "我想办护照"):
                await ask(client, "zh-Hans", warm_up, uuid.uuid4().hex, None)
            officer = await staff_token(client, "officer.gz-ga")  # once: an access token outlives the run
            for conversation in conversations:
                await converse(client, session_factory(engine), conversation, names, officer, result)
    finally:
        await engine.dispose()
    return names


def main(path: Path, limit: int | None, only: str, verbose: bool, as_json: bool, full: bool = False) -> None:
    conversations = json.loads(path.read_text(encoding="utf-8"))
    if only:
        conversations = [c for c in conversations if c["id"] in only.split(",")]
    conversations = conversations[:limit]
    with serving("onewindow-conversation-eval-") as (base, data_dir, stack):
        memory = stack.rss_mib()
        result = Run()
        started = time.perf_counter()
        asyncio.run(evaluate(base, data_dir, conversations, result))
        figures = report(result, stack.started_in, memory, time.perf_counter() - started)
    if full:
        transcript(figures)
    if as_json:
        print(json.dumps({k: v for k, v in figures.items() if k != "transcript"}, ensure_ascii=False, indent=1))
    else:
        show(figures, verbose)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--set", type=Path, default=ROOT / "tests" / "data" / "blind_conversations" / "conversations.json"
    )
    parser.add_argument("--limit", type=int, default=None, help="Only the first N conversations (a quick run).")
    parser.add_argument("--only", default="", help="Only these conversations (ids, comma-separated: c12,c49).")
    parser.add_argument("--verbose", action="store_true", help="Print every wrong turn: said, answered, why.")
    parser.add_argument("--json", action="store_true", help="Print the figures as one JSON document.")
    parser.add_argument("--transcript", action="store_true", help="Print every turn, right or wrong, first.")
    args = parser.parse_args()
    main(args.set, args.limit, args.only, args.verbose, args.json, args.transcript)
