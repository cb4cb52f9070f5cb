"""Checks the blind conversation set: structure, kinds, and that every code exists in the catalog."""

import collections
import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
CAT = str(HERE.parents[2] / "backend" / "catalog" / "demo") + "/"  # the unchanged copy of the city catalog
matters = {m["code"]: m for m in json.loads(Path(CAT + "matters.json").read_text())}
bundles = {b["code"]: b for b in json.loads(Path(CAT + "bundles.json").read_text())}
convs = json.loads((HERE / "conversations.json").read_text())
KINDS = {
    "new_matter",
    "followup_materials",
    "followup_fees",
    "followup_time",
    "followup_halls",
    "followup_online",
    "switch",
    "vague",
    "choice_then_question",
    "life_event",
    "apply_now",
    "own_case",
    "smalltalk",
}
OWN = {"progress", "refusal_reason", "supplement", "due", "refund"}
err = []


def code_ok(c):
    return c in matters or c in bundles


ids = set()
by_loc = collections.Counter()
turns_loc = collections.Counter()
by_kind = collections.Counter()
for c in convs:
    cid = c["id"]
    if cid in ids:
        err.append(f"{cid}: duplicate id")
    ids.add(cid)
    if c["locale"] not in ("zh-Hans", "zh-Hant", "en"):
        err.append(f"{cid}: bad locale")
    if not isinstance(c["signed_in"], bool):
        err.append(f"{cid}: signed_in")
    if not 2 <= len(c["turns"]) <= 6:
        err.append(f"{cid}: {len(c['turns'])} turns")
    by_loc[c["locale"]] += 1
    turns_loc[c["locale"]] += len(c["turns"])
    for i, t in enumerate(c["turns"]):
        w = f"{cid}#{i}"
        k = t["kind"]
        e = t["expect"]
        by_kind[k] += 1
        if k not in KINDS:
            err.append(f"{w}: kind {k}")
        if not t["say"].strip():
            err.append(f"{w}: empty say")
        if "matters" in e:
            for x in e["matters"]:
                if x not in matters:
                    err.append(f"{w}: unknown matter {x}")
        if "bundle" in e and e["bundle"] not in bundles:
            err.append(f"{w}: unknown bundle {e['bundle']}")
        if "clarify" in e:
            if len(e["candidates"]) < 2:
                err.append(f"{w}: clarify needs >=2 candidates")
            for x in e["candidates"]:
                if x not in matters:
                    err.append(f"{w}: unknown candidate {x}")
        if "draft_for" in e and not code_ok(e["draft_for"]):
            err.append(f"{w}: unknown draft {e['draft_for']}")
        if "own_case" in e:
            if e["own_case"] not in OWN:
                err.append(f"{w}: own_case {e['own_case']}")
            if not c["signed_in"]:
                err.append(f"{w}: own_case while signed out")
        if "tap" in t:
            if not code_ok(t["tap"]):
                err.append(f"{w}: unknown tap {t['tap']}")
            if "clarify" in e and t["tap"] not in e["candidates"]:
                err.append(f"{w}: tap not among candidates")
        if k == "apply_now":
            if c["signed_in"] and "draft_for" not in e:
                err.append(f"{w}: apply_now signed in needs draft_for")
            if not c["signed_in"] and not e.get("sign_in_first"):
                err.append(f"{w}: apply_now signed out needs sign_in_first")
        if k == "own_case" and "own_case" not in e:
            err.append(f"{w}: own_case kind without own_case expect")
        if k == "vague" and not e.get("clarify"):
            err.append(f"{w}: vague without clarify")
        if k == "smalltalk" and not e.get("smalltalk"):
            err.append(f"{w}: smalltalk expect")
        if k == "life_event" and "bundle" not in e:
            err.append(f"{w}: life_event without bundle")
        if (
            len(
                [
                    x
                    for x in ("matters", "bundle", "clarify", "draft_for", "sign_in_first", "own_case", "smalltalk")
                    if x in e
                ]
            )
            != 1
        ):
            err.append(f"{w}: expect must have exactly one kind: {e}")
print("conversations", len(convs), dict(by_loc))
print("turns", sum(turns_loc.values()), dict(turns_loc))
print("kinds", dict(sorted(by_kind.items())))
if "-v" in sys.argv:
    for c in convs:
        for t in c["turns"]:
            e = t["expect"]
            codes = e.get("matters", []) + e.get("candidates", []) + [e[x] for x in ("bundle", "draft_for") if x in e]
            names = [(matters.get(x) or bundles.get(x))["name"]["zh-Hans"] for x in codes]
            print(
                c["id"],
                t["kind"],
                t["say"],
                "->",
                names or e,
                ("tap:" + matters[t["tap"]]["name"]["zh-Hans"]) if "tap" in t else "",
            )
if err:
    print("ERRORS:")
    print("\n".join(err))
    sys.exit(1)
print("OK: all codes exist, structure valid")
