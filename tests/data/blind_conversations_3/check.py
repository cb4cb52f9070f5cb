"""Validate the third blind evaluation sets against the city catalog.

Checks `conversations.json` (multi-turn set, next to this file) and `../routing_blind_3.json`
(single messages): JSON structure, allowed kinds and expect shapes, every matter or bundle code
exists in the catalog, tap rules, own_case only when signed in, apply_now signed out ->
sign_in_first and signed in -> draft_for.

Usage: python3 check.py [-v] [--catalog DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONVERSATIONS = HERE / "conversations.json"
ROUTING = HERE.parent / "routing_blind_3.json"
DEFAULT_CATALOG = Path(os.environ.get("OW_CATALOG_DIR", "/work/shared/catalog"))

LOCALES = ("zh-Hans", "zh-Hant", "en")
TURN_KINDS = {
    "new_matter",
    "switch",
    "life_event",
    "vague",
    "choice_then_question",
    "followup_materials",
    "followup_fees",
    "followup_time",
    "followup_halls",
    "followup_online",
    "apply_now",
    "own_case",
    "smalltalk",
}
SINGLE_KINDS = {"matter", "life_event", "typo", "colloquial", "question"}
MIN_CANDIDATES = 2
OWN_CASE_TOPICS = {"progress", "refusal_reason", "supplement", "due", "refund"}
EXPECT_SHAPES = {
    "matters": {"matters"},
    "bundle": {"bundle"},
    "clarify": {"clarify", "candidates"},
    "draft_for": {"draft_for"},
    "sign_in_first": {"sign_in_first"},
    "own_case": {"own_case"},
    "smalltalk": {"smalltalk"},
}


def load_json(path: Path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def load_catalog(catalog_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    matters = {item["code"]: item["name"]["zh-Hans"] for item in load_json(catalog_dir / "matters.json")}
    bundles = {item["code"]: item["name"]["zh-Hans"] for item in load_json(catalog_dir / "bundles.json")}
    return matters, bundles


class Checker:
    def __init__(self, matters: dict[str, str], bundles: dict[str, str]) -> None:
        self.matters = matters
        self.bundles = bundles
        self.errors: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def check_matter_list(self, where: str, codes) -> None:
        if not isinstance(codes, list) or not codes:
            self.fail(where, "expected a non-empty list of matter codes")
            return
        if len(set(codes)) != len(codes):
            self.fail(where, f"duplicate codes {codes}")
        for code in codes:
            if code not in self.matters:
                self.fail(where, f"unknown matter code {code!r}")

    def expect_shape(self, where: str, expect) -> str | None:
        if not isinstance(expect, dict) or not expect:
            self.fail(where, "expect must be a non-empty object")
            return None
        for shape, keys in EXPECT_SHAPES.items():
            if shape in expect:
                if set(expect) != keys:
                    self.fail(where, f"expect keys {sorted(expect)} do not match shape {shape!r}")
                return shape
        self.fail(where, f"unknown expect shape {sorted(expect)}")
        return None

    def check_expect(self, where: str, expect, signed_in: bool) -> str | None:
        shape = self.expect_shape(where, expect)
        if shape == "matters":
            self.check_matter_list(where, expect["matters"])
        elif shape == "bundle":
            if expect["bundle"] not in self.bundles:
                self.fail(where, f"unknown bundle code {expect['bundle']!r}")
        elif shape == "clarify":
            if expect["clarify"] is not True:
                self.fail(where, "clarify must be true")
            self.check_matter_list(where, expect["candidates"])
            if isinstance(expect["candidates"], list) and len(expect["candidates"]) < MIN_CANDIDATES:
                self.fail(where, "a clarification needs at least two candidates")
        elif shape == "draft_for":
            code = expect["draft_for"]
            if code not in self.matters and code not in self.bundles:
                self.fail(where, f"unknown draft code {code!r}")
        elif shape in ("sign_in_first", "smalltalk") and expect[shape] is not True:
            self.fail(where, f"{shape} must be true")
        elif shape == "own_case":
            self.check_own_case(where, expect, signed_in)
        return shape

    def check_own_case(self, where: str, expect, signed_in: bool) -> None:
        if expect["own_case"] not in OWN_CASE_TOPICS:
            self.fail(where, f"unknown own_case topic {expect['own_case']!r}")
        if not signed_in:
            self.fail(where, "own_case is only allowed when signed in")

    def check_turn(self, where: str, turn, signed_in: bool) -> None:
        if not isinstance(turn, dict):
            self.fail(where, "turn must be an object")
            return
        extra = set(turn) - {"say", "kind", "expect", "tap"}
        if extra or not {"say", "kind", "expect"} <= set(turn):
            self.fail(where, f"turn keys {sorted(turn)} are not say/kind/expect[/tap]")
            return
        if not isinstance(turn["say"], str) or not turn["say"].strip():
            self.fail(where, "say must be a non-empty string")
        kind = turn["kind"]
        if kind not in TURN_KINDS:
            self.fail(where, f"unknown kind {kind!r}")
        shape = self.check_expect(where, turn["expect"], signed_in)
        self.check_kind_shape(where, kind, shape, signed_in)
        if "tap" in turn:
            expect = turn["expect"]
            allowed = expect.get("candidates") or expect.get("matters") or []
            if turn["tap"] not in allowed:
                self.fail(where, f"tap {turn['tap']!r} is not among the candidates or expected matters")

    def check_kind_shape(self, where: str, kind: str, shape: str | None, signed_in: bool) -> None:
        if kind == "apply_now":
            wanted = "draft_for" if signed_in else "sign_in_first"
            if shape != wanted:
                self.fail(where, f"apply_now while {'signed in' if signed_in else 'signed out'} must expect {wanted}")
        elif shape in ("draft_for", "sign_in_first"):
            self.fail(where, f"{shape} is only for apply_now turns")
        if kind == "own_case" and shape != "own_case":
            self.fail(where, "own_case turn must expect own_case")
        if kind == "smalltalk" and shape != "smalltalk":
            self.fail(where, "smalltalk turn must expect smalltalk")
        if kind == "vague" and shape != "clarify":
            self.fail(where, "vague turn must expect a clarification")
        if kind == "life_event" and shape != "bundle":
            self.fail(where, "life_event turn must expect a bundle")

    def check_conversations(self, data) -> None:
        if not isinstance(data, list) or not data:
            self.fail("conversations", "must be a non-empty list")
            return
        seen: set[str] = set()
        for conversation in data:
            cid = conversation.get("id", "?") if isinstance(conversation, dict) else "?"
            if not isinstance(conversation, dict) or set(conversation) != {"id", "locale", "signed_in", "turns"}:
                self.fail(str(cid), "conversation keys must be id, locale, signed_in, turns")
                continue
            if cid in seen:
                self.fail(cid, "duplicate id")
            seen.add(cid)
            if conversation["locale"] not in LOCALES:
                self.fail(cid, f"unknown locale {conversation['locale']!r}")
            if not isinstance(conversation["signed_in"], bool):
                self.fail(cid, "signed_in must be a boolean")
            turns = conversation["turns"]
            if not isinstance(turns, list) or not turns:
                self.fail(cid, "turns must be a non-empty list")
                continue
            for index, turn in enumerate(turns):
                self.check_turn(f"{cid}#{index}", turn, conversation["signed_in"] is True)
            for index, turn in enumerate(turns[:-1]):
                nxt = turns[index + 1]
                follows_choice = isinstance(nxt, dict) and nxt.get("kind") == "choice_then_question"
                if follows_choice and isinstance(turn, dict) and (turn.get("kind") != "vague" or "tap" in turn):
                    self.fail(f"{cid}#{index + 1}", "choice_then_question must follow an untapped vague turn")

    def check_routing(self, data) -> None:
        if not isinstance(data, list) or not data:
            self.fail("routing", "must be a non-empty list")
            return
        seen: set[int] = set()
        for item in data:
            rid = item.get("id", "?") if isinstance(item, dict) else "?"
            where = f"routing {rid}"
            if not isinstance(item, dict) or set(item) != {"id", "locale", "message", "kind", "expected"}:
                self.fail(where, "item keys must be id, locale, message, kind, expected")
                continue
            if not isinstance(rid, int) or rid in seen:
                self.fail(where, "id must be a unique integer")
            seen.add(rid)
            if item["locale"] not in LOCALES:
                self.fail(where, f"unknown locale {item['locale']!r}")
            if item["kind"] not in SINGLE_KINDS:
                self.fail(where, f"unknown kind {item['kind']!r}")
            if not isinstance(item["message"], str) or not item["message"].strip():
                self.fail(where, "message must be a non-empty string")
            expected = item["expected"]
            if not isinstance(expected, list) or not expected:
                self.fail(where, "expected must be a non-empty list")
                continue
            for code in expected:
                if code not in self.matters and code not in self.bundles:
                    self.fail(where, f"unknown code {code!r}")
            has_bundle = any(code in self.bundles for code in expected)
            if (item["kind"] == "life_event") != has_bundle:
                self.fail(where, "life_event items (and only they) must expect a bundle")


def summarize(conversations, routing, matters: dict[str, str], bundles: dict[str, str]) -> list[str]:
    lines = []
    turns = [(conv["locale"], turn) for conv in conversations for turn in conv["turns"]]
    by_locale = Counter(conv["locale"] for conv in conversations)
    signed = Counter(conv["locale"] for conv in conversations if conv["signed_in"])
    lines.append(
        f"conversations: {len(conversations)} {dict(by_locale)}; signed in {sum(signed.values())} {dict(signed)}"
    )
    lines.append(f"turns: {len(turns)} {dict(Counter(locale for locale, _ in turns))}")
    kinds = Counter(turn["kind"] for _, turn in turns)
    lines.append("turn kinds: " + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items())))
    lines.append(f"routing: {len(routing)} {dict(Counter(item['locale'] for item in routing))}")
    routing_kinds = Counter(item["kind"] for item in routing)
    lines.append("routing kinds: " + ", ".join(f"{kind} {count}" for kind, count in sorted(routing_kinds.items())))
    codes = {code for item in routing for code in item["expected"]}
    lines.append(
        f"routing distinct matters {len(codes & set(matters))}, bundles {len(codes & set(bundles))}/{len(bundles)}"
    )
    return lines


def name_of(code: str, matters: dict[str, str], bundles: dict[str, str]) -> str:
    return matters.get(code) or bundles.get(code) or "?"


def verbose_dump(conversations, matters: dict[str, str], bundles: dict[str, str]) -> None:
    for conv in conversations:
        print(f"== {conv['id']} {conv['locale']} signed_in={conv['signed_in']}")
        for index, turn in enumerate(conv["turns"]):
            expect = turn["expect"]
            codes = expect.get("matters") or expect.get("candidates") or []
            single = expect.get("bundle") or expect.get("draft_for")
            if single:
                codes = [single]
            names = "; ".join(f"{code} {name_of(code, matters, bundles)}" for code in codes)
            print(f"  #{index} [{turn['kind']}] {turn['say']} -> {json.dumps(expect, ensure_ascii=False)} {names}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="print each turn with its expected names")
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG, help="catalog directory")
    args = parser.parse_args()

    matters, bundles = load_catalog(args.catalog)
    conversations = load_json(CONVERSATIONS)
    routing = load_json(ROUTING)
    checker = Checker(matters, bundles)
    checker.check_conversations(conversations)
    checker.check_routing(routing)
    if args.verbose:
        verbose_dump(conversations, matters, bundles)
    if checker.errors:
        for error in checker.errors:
            print(f"ERROR {error}")
        print(f"FAILED: {len(checker.errors)} error(s)")
        return 1
    for line in summarize(conversations, routing, matters, bundles):
        print(line)
    print("OK: all codes exist, structure valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
