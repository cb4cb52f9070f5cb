"""Holding the blind conversations through `assistantMessage` as citizens would, and judging each turn.

Shared by bench/conversation_eval.py (the figures, on demand) and tests/e2e/test_conversations.py (the
floor in `make test`). A conversation marked "signed_in" is held by a new citizen who has applications
processed beforehand by the demo officer of 公安 (BEFOREHAND); a turn with "tap" sends the tapped
button's payload before the next turn; tests/support/conversation_judge.py judges each turn.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support import factories
from tests.support.applications import process, upload
from tests.support.conversation_judge import Citizen, Reply, judge, kind_of
from tests.support.gql import run

LANGUAGE = {"zh-Hans": "zh-CN", "zh-Hant": "zh-HK", "en": "en"}

ASK = """mutation($t: String!, $c: ID) { assistantMessage(text: $t, conversationId: $c) {
  conversationId messages { text buttons { title payload } } suggestions { code kind title deepLink }
  draft { code deepLink }
  errors { code message } } }"""
NAME = "query($c: String!) { matter(code: $c) { name } bundle(code: $c) { name } }"
MINE = "query { myApplications(first: 20) { edges { node { reference statusLabel } } } }"
DRAFT = """query($m: String, $b: String) { applicationForm(matterCode: $m, bundleCode: $b) { draftVersion } }"""
MATERIALS = "query($m: String) { applicationForm(matterCode: $m) { materials { key required replaced } } }"
# What the signed-in citizen has, each decided by the demo officer of 公安 (officer.gz-ga).
BEFOREHAND = (
    ("GZ-GA-0002", "REJECT", "户口簿复印件不清晰，且未提供结婚证，不予办理"),
    ("GZ-GA-0021", "REQUEST_SUPPLEMENT", "请补交车辆购置税完税证明"),
)


@dataclass
class Turn:
    conversation: str
    index: int
    locale: str
    kind: str  # the set's kind (new_matter, followup_fees...)
    expect_kind: str  # what is judged (matters, clarify, own_case...)
    said: str
    right: bool
    why: str
    latency_ms: float
    reply: str
    suggestions: list[str]
    tapped: str | None = None
    tap_reply: str = ""


@dataclass
class Run:
    turns: list[Turn] = field(default_factory=list)
    taps: dict[str, int] = field(default_factory=lambda: defaultdict(int))


async def ask(
    client: httpx.AsyncClient, locale: str, text: str, conversation: str | None, token: str | None
) -> tuple[dict[str, Any], float]:
    headers = {"accept-language": LANGUAGE[locale]} | ({"authorization": f"Bearer {token}"} if token else {})
    started = time.perf_counter()
    response = await client.post(
        "/graphql", json={"query": ASK, "variables": {"t": text, "c": conversation}}, headers=headers
    )
    elapsed = (time.perf_counter() - started) * 1000
    body = response.json()
    if body.get("data") is None:
        return {"errors": body.get("errors") or [{"message": response.text}]}, elapsed
    reply: dict[str, Any] = body["data"]["assistantMessage"]
    return reply, elapsed


async def catalog_names(client: httpx.AsyncClient, codes: set[str]) -> dict[str, dict[str, str]]:
    """locale -> code -> the catalog's name of the matter or bundle in that locale."""
    names: dict[str, dict[str, str]] = {}
    for locale, language in LANGUAGE.items():
        names[locale] = {}
        for code in sorted(codes):
            body = (
                await client.post(
                    "/graphql", json={"query": NAME, "variables": {"c": code}}, headers={"accept-language": language}
                )
            ).json()["data"]
            record = body.get("matter") or body.get("bundle")
            if record:
                names[locale][code] = record["name"]
    return names


async def submit_with_scans(client: httpx.AsyncClient, token: str, matter_code: str) -> dict[str, Any]:
    """Submit `matter_code` as factories.application does, a scan uploaded for every required material
    that no certificate of the citizen replaces (residents hold different certificates)."""
    form = (await run(client, token, MATERIALS, {"m": matter_code}))["applicationForm"]
    scans = {
        m["key"]: (await upload(client, token))["id"] for m in form["materials"] if m["required"] and not m["replaced"]
    }
    return await factories.application(client, token, matter_code, materials=scans)


async def signed_in_citizen(client: httpx.AsyncClient, db: Any, officer: str) -> factories.Citizen:
    """A new verified citizen with the applications BEFOREHAND submitted and processed by the officer."""
    citizen = await factories.citizen(client, db)
    for matter_code, action, reason in BEFOREHAND:
        application = await submit_with_scans(client, citizen.token, matter_code)
        await process(client, officer, application["id"], {"action": action, "reason": reason})
    return citizen


async def what_the_citizen_has(
    client: httpx.AsyncClient, token: str, locale: str, expect: dict[str, Any]
) -> tuple[list[str], list[str], frozenset[str]]:
    """(references, status labels in `locale`, codes with a saved draft among the one `expect` asks for)."""
    data = await run(client, token, MINE, locale=LANGUAGE[locale])
    nodes = [e["node"] for e in data["myApplications"]["edges"]]
    drafts: set[str] = set()
    code = expect.get("draft_for")
    if code:
        variables = {"m": None, "b": code} if code.startswith("LE-") else {"m": code, "b": None}
        form = (await run(client, token, DRAFT, variables))["applicationForm"]
        if form["draftVersion"] is not None:
            drafts.add(code)
    return [n["reference"] for n in nodes], [n["statusLabel"] for n in nodes], frozenset(drafts)


def tap_message(payload: dict[str, Any], code: str) -> str | None:
    """What tapping `code` in the reply sends: the payload of a button that carries it, if any."""
    for message in payload.get("messages") or []:
        for button in message.get("buttons") or []:
            if code in button["payload"]:
                return str(button["payload"])
    return None


async def converse(
    client: httpx.AsyncClient,
    db: Any,
    conversation: dict[str, Any],
    names: dict[str, dict[str, str]],
    officer: str,
    result: Run,
) -> None:
    locale = conversation["locale"]
    token = None
    if conversation["signed_in"]:
        token = (await signed_in_citizen(client, db, officer)).token
    conversation_id: str | None = None  # the server issues the id (signed) with its first reply
    for index, turn in enumerate(conversation["turns"]):
        payload, elapsed = await ask(client, locale, turn["say"], conversation_id, token)
        conversation_id = payload.get("conversationId") or conversation_id
        reply = Reply.from_payload(payload)
        citizen = Citizen(signed_in=token is not None)
        if token is not None:
            references, labels, drafts = await what_the_citizen_has(client, token, locale, turn["expect"])
            citizen = Citizen(True, tuple(references), tuple(labels), drafts)
        verdict = judge(turn["expect"], reply, locale, names[locale], citizen)
        tapped, tap_reply = None, ""
        if "tap" in turn:
            offered = turn["tap"] in [s.code for s in reply.suggestions] or tap_message(payload, turn["tap"])
            message = tap_message(payload, turn["tap"]) if offered else None
            if message is not None:
                tap_payload, _ = await ask(client, locale, message, conversation_id, token)
                tapped, tap_reply = message, Reply.from_payload(tap_payload).text
                result.taps["tapped"] += 1
            else:
                result.taps["offered without a button" if offered else "not offered"] += 1
        result.turns.append(
            Turn(
                conversation=conversation["id"],
                index=index,
                locale=locale,
                kind=turn["kind"],
                expect_kind=kind_of(turn["expect"]),
                said=turn["say"],
                right=verdict.right,
                why=verdict.why,
                latency_ms=elapsed,
                reply=reply.text,
                suggestions=[s.code for s in reply.suggestions],
                tapped=tapped,
                tap_reply=tap_reply,
            )
        )


def breakdown(turns: list[Turn], key: str) -> dict[str, dict[str, float]]:
    groups: dict[str, list[Turn]] = defaultdict(list)
    for turn in turns:
        groups[getattr(turn, key)].append(turn)
    return {
        name: {
            "right": sum(t.right for t in group),
            "turns": len(group),
            "accuracy": sum(t.right for t in group) / len(group),
        }
        for name, group in sorted(groups.items())
    }
