"""The search index of the demo catalog, built in process as the backend builds it (no server)."""

from __future__ import annotations

import json

from backend.catalog.files import DEMO_CATALOG_DIR
from backend.search.build import bundle_document, matter_document
from backend.search.index import SearchIndex


def demo_index() -> SearchIndex:
    """Every matter and bundle of the demo catalog."""
    matters = json.loads((DEMO_CATALOG_DIR / "matters.json").read_text(encoding="utf-8"))
    bundles = json.loads((DEMO_CATALOG_DIR / "bundles.json").read_text(encoding="utf-8"))
    by_code = {m["code"]: m for m in matters}
    documents = [matter_document(m["code"], m["name"], m["summary"], m["keywords"]) for m in matters]
    documents += [
        bundle_document(
            b["code"],
            b["name"],
            b["summary"],
            [(by_code[c]["name"], by_code[c]["keywords"]) for c in b["matters"]],
            b["matters"],
        )
        for b in bundles
    ]
    return SearchIndex(documents)
