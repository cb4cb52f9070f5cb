"""Catalog imports in tests: the demo export with a matter renamed, and importing an export folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from backend.catalog.files import DEMO_CATALOG_DIR
from backend.catalog.importer import import_catalog
from backend.catalog.validate import read_catalog
from backend.db.engine import create_engine, session_factory, unit_of_work


async def import_folder(url: str, folder: Path) -> None:
    """Validate and import the export in `folder` into the database at `url`, as `catalog import` does."""
    catalog, problems = read_catalog(folder)
    assert catalog is not None, problems
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session, unit_of_work(session):
            await import_catalog(session, catalog, source=str(folder))
    finally:
        await engine.dispose()


def renamed_export(tmp_path: Path, code: str, english: str) -> Path:
    """A copy of the demo export in which matter `code` is called `english` in English."""
    folder = tmp_path / "export"
    shutil.copytree(DEMO_CATALOG_DIR, folder)
    path = folder / "matters.json"
    matters = json.loads(path.read_text(encoding="utf-8"))
    next(m for m in matters if m["code"] == code)["name"]["en"] = english
    path.write_text(json.dumps(matters, ensure_ascii=False), encoding="utf-8")
    return folder
