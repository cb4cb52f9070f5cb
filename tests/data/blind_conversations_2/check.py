#!/usr/bin/env python3
"""Validator for the second blind evaluation sets.

Checks tests/data/blind_conversations_2/conversations.json (multi-turn) and tests/data/routing_blind_2.json
(single messages) against the city catalog in /work/shared/catalog (override with CATALOG=/path).
`python3 check.py -v` also prints each turn / message with the zh-Hans names of its expected codes.
"""

import json
import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
CATALOG = os.environ.get("CATALOG", "/work/shared/catalog")
CONV = os.path.join(HERE, "conversations.json")
ROUTING = os.path.join(HERE, "..", "routing_blind_2.json")
VERBOSE = "-v" in sys.argv

matters = {m["code"]: m for m in json.load(open(os.path.join(CATALOG, "matters.json"), encoding="utf-8"))}
bundles = {b["code"]: b for b in json.load(open(os.path.join(CATALOG, "bundles.json"), encoding="utf-8"))}
LOCALES = {"zh-Hans", "zh-Hant", "en"}
TURN_KINDS = {
    "new_matter",
    "followup_materials",
    "followup_fees",
    "followup_time",
    "followup_halls",
    "followup_online",
    "switch",
    "life_event",
    "vague",
    "choice_then_question",
    "apply_now",
    "own_case",
    "smalltalk",
}
EXPECT_KEYS = {"matters", "bundle", "clarify", "draft_for", "sign_in_first", "own_case", "smalltalk"}
OWN_CASE = {"progress", "refusal_reason", "supplement", "due", "refund"}
ROUTING_KINDS = {"matter", "life_event", "typo", "colloquial", "question"}
errors = []


def err(where, msg):
    errors.append(f"{where}: {msg}")


def name(code):
    x = matters.get(code) or bundles.get(code)
    return x["name"]["zh-Hans"] if x else "???"


def check_conversations():
    data = json.load(open(CONV, encoding="utf-8"))
    if not isinstance(data, list):
        err("conversations", "top level must be a list")
        return
    seen = set()
    for i, c in enumerate(data):
        cid = c.get("id", f"#{i}")
        if set(c) != {"id", "locale", "signed_in", "turns"}:
            err(cid, f"keys {sorted(c)}")
        if cid != "d%02d" % (i + 1):
            err(cid, "ids must run d01, d02, ... in order")
        if cid in seen:
            err(cid, "duplicate id")
        seen.add(cid)
        if c.get("locale") not in LOCALES:
            err(cid, f"bad locale {c.get('locale')}")
        if not isinstance(c.get("signed_in"), bool):
            err(cid, "signed_in must be a boolean")
        turns = c.get("turns")
        if not isinstance(turns, list) or not turns:
            err(cid, "turns must be a non-empty list")
            continue
        for j, t in enumerate(turns):
            w = f"{cid}#{j}"
            if not set(t) <= {"say", "kind", "expect", "tap"} or not {"say", "kind", "expect"} <= set(t):
                err(w, f"turn keys {sorted(t)}")
            if not isinstance(t.get("say"), str) or not t["say"].strip():
                err(w, "say must be a non-empty string")
            kind = t.get("kind")
            if kind not in TURN_KINDS:
                err(w, f"bad kind {kind}")
            e = t.get("expect", {})
            keys = set(e)
            if keys == {"clarify", "candidates"}:
                if e["clarify"] is not True:
                    err(w, "clarify must be true")
                cands = e["candidates"]
                if not isinstance(cands, list) or len(cands) < 2:
                    err(w, "candidates must be a list of at least 2 codes")
                for code in cands:
                    if code not in matters and code not in bundles:
                        err(w, f"unknown candidate {code}")
                if "tap" in t and t["tap"] not in cands:
                    err(w, f"tap {t['tap']} not among candidates")
                if kind != "vague":
                    err(w, "clarify expected only on vague turns")
            elif len(keys) != 1 or not keys <= EXPECT_KEYS:
                err(
                    w,
                    f"expect must have exactly one of {sorted(EXPECT_KEYS)} (or clarify+candidates), got {sorted(keys)}",
                )
                continue
            else:
                ((k, v),) = e.items()
                if k == "matters":
                    if not isinstance(v, list) or not v:
                        err(w, "matters must be a non-empty list")
                    for code in v:
                        if code not in matters:
                            err(w, f"unknown matter {code}")
                elif k == "bundle":
                    if v not in bundles:
                        err(w, f"unknown bundle {v}")
                elif k == "draft_for":
                    if v not in matters and v not in bundles:
                        err(w, f"unknown draft_for {v}")
                elif k == "sign_in_first" or k == "smalltalk":
                    if v is not True:
                        err(w, f"{k} must be true")
                elif k == "own_case" and v not in OWN_CASE:
                    err(w, f"own_case must be one of {sorted(OWN_CASE)}")
                if "tap" in t:
                    err(w, "tap only on clarify turns")
            # kind / expect coherence
            if kind == "own_case":
                if "own_case" not in e:
                    err(w, "own_case turn must expect own_case")
                if not c.get("signed_in"):
                    err(w, "own_case only when signed in")
            elif "own_case" in e:
                err(w, "own_case expectation on a non-own_case turn")
            if kind == "apply_now":
                if c.get("signed_in") and "draft_for" not in e:
                    err(w, "apply_now signed in must expect draft_for")
                if not c.get("signed_in") and "sign_in_first" not in e:
                    err(w, "apply_now signed out must expect sign_in_first")
            elif "draft_for" in e or "sign_in_first" in e:
                err(w, "draft_for/sign_in_first only on apply_now turns")
            if kind == "smalltalk" and "smalltalk" not in e:
                err(w, "smalltalk turn must expect smalltalk")
            if kind == "life_event" and "bundle" not in e:
                err(w, "life_event turn must expect a bundle")
            if kind == "choice_then_question":
                if j == 0 or turns[j - 1].get("kind") != "vague" or "tap" in turns[j - 1]:
                    err(w, "choice_then_question must follow a vague turn without tap")
            if VERBOSE:
                codes = (
                    e.get("matters")
                    or ([e["bundle"]] if "bundle" in e else [])
                    or ([e["draft_for"]] if "draft_for" in e else [])
                    or e.get("candidates", [])
                )
                print(
                    f"{w:7} {c['locale']:7} {kind:21} {t['say']}  ->  "
                    + (", ".join(f"{x} {name(x)}" for x in codes) or json.dumps(e, ensure_ascii=False))
                )
    loc = Counter(c["locale"] for c in data)
    turns = Counter(c["locale"] for c in data for _ in c["turns"])
    kinds = Counter(t["kind"] for c in data for t in c["turns"])
    print(
        f"conversations: {len(data)} {dict(loc)}; signed in: {sum(c['signed_in'] for c in data)}; "
        f"turns: {sum(turns.values())} {dict(turns)}"
    )
    print("turn kinds:", dict(sorted(kinds.items())))


def check_routing():
    data = json.load(open(ROUTING, encoding="utf-8"))
    if not isinstance(data, list):
        err("routing", "top level must be a list")
        return
    ids = set()
    used_m, used_b = set(), set()
    for i, r in enumerate(data):
        w = f"routing id {r.get('id', '#' + str(i))}"
        if set(r) != {"id", "locale", "message", "kind", "expected"}:
            err(w, f"keys {sorted(r)}")
        if r.get("id") != i + 1:
            err(w, "ids must run 1..N in order")
        if r.get("id") in ids:
            err(w, "duplicate id")
        ids.add(r.get("id"))
        if r.get("locale") not in LOCALES:
            err(w, f"bad locale {r.get('locale')}")
        if r.get("kind") not in ROUTING_KINDS:
            err(w, f"bad kind {r.get('kind')}")
        if not isinstance(r.get("message"), str) or not r["message"].strip():
            err(w, "empty message")
        exp = r.get("expected")
        if not isinstance(exp, list) or not exp:
            err(w, "expected must be a non-empty list")
            continue
        if len(set(exp)) != len(exp):
            err(w, "duplicate code in expected")
        for code in exp:
            if code in matters:
                used_m.add(code)
            elif code in bundles:
                used_b.add(code)
            else:
                err(w, f"unknown code {code}")
        if r.get("kind") == "life_event" and not any(x in bundles for x in exp):
            err(w, "life_event message must list a bundle")
        if VERBOSE:
            print(
                f"{r['id']:4} {r['locale']:7} {r['kind']:10} {r['message']}  ->  "
                + ", ".join(f"{x} {name(x)}" for x in exp)
            )
    msgs = [r["message"] for r in data]
    dups = [m for m, n in Counter(msgs).items() if n > 1]
    if dups:
        err("routing", f"duplicate messages: {dups}")
    loc = Counter(r["locale"] for r in data)
    kinds = Counter((r["locale"], r["kind"]) for r in data)
    print(f"routing messages: {len(data)} {dict(loc)}; distinct matters: {len(used_m)}; bundles: {len(used_b)}")
    for l in ("zh-Hans", "zh-Hant", "en"):
        print(f"  {l}: " + ", ".join(f"{k}={kinds[(l, k)]}" for k in sorted(ROUTING_KINDS)))
    if len(used_m) < 120:
        err("routing", f"only {len(used_m)} distinct matters (need >= 120)")
    if len(used_b) < 8:
        err("routing", f"only {len(used_b)} bundles (need >= 8)")


check_conversations()
if os.path.exists(ROUTING):
    check_routing()
else:
    err("routing", f"missing {ROUTING}")
if errors:
    print("\n".join(errors))
    print(f"FAILED: {len(errors)} problem(s)")
    sys.exit(1)
print("OK: all codes exist, structure valid")
