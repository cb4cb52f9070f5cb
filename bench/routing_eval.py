"""Search quality on a labeled set of single messages, per locale: top-1 and top-3.

    uv run python bench/routing_eval.py tests/data/routing_blind_2.json [--misses]

The set is a JSON list of {"locale", "message" (or "query"), "expected": [codes]}. The search runs in
process on the demo catalog's index, exactly as tests/unit/test_search_quality.py scores its sets; the
assistant's routing of the same messages through Rasa is bench/assistant_bench.py --set FILE.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.search.query import search
from tests.support.search_index import demo_index


def main(path: Path, show_misses: bool) -> None:
    items = json.loads(path.read_text(encoding="utf-8"))
    index = demo_index()
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # locale -> [top-1, top-3, count]
    misses = []
    for item in items:
        text = item.get("message") or item["query"]
        codes = [hit.document.code for hit in search(index, text, 3)]
        for key in (item["locale"], "all"):
            tally[key][0] += bool(codes) and codes[0] in item["expected"]
            tally[key][1] += any(code in item["expected"] for code in codes)
            tally[key][2] += 1
        if not codes or codes[0] not in item["expected"]:
            misses.append((item["locale"], text, item["expected"], codes))
    for key in ("all", "zh-Hans", "zh-Hant", "en"):
        top1, top3, count = tally[key]
        if count:
            print(f"{key:<8} top-1 {top1 / count:6.1%}  top-3 {top3 / count:6.1%}  ({count} messages)")
    if show_misses:
        for locale, text, expected, codes in misses:
            print(f"  [{locale}] {text}\n      expected {expected}, got {codes}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("set", type=Path)
    parser.add_argument("--misses", action="store_true", help="Print the messages not right at top-1.")
    args = parser.parse_args()
    main(args.set, args.misses)
