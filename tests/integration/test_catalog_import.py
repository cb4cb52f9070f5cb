"""Importing a catalog is idempotent and precise, on both databases."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from backend.catalog.files import DEMO_CATALOG_DIR
from backend.catalog.importer import import_catalog
from backend.catalog.snapshot import CatalogCache
from backend.catalog.validate import read_catalog
from backend.cli import main as cli
from backend.db import tables as t
from backend.db.engine import create_engine, session_factory, unit_of_work
from backend.settings import get_settings


async def run_import(url: str, folder: Path) -> dict[str, dict[str, int]]:
    catalog, problems = read_catalog(folder)
    assert catalog is not None, problems
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session, unit_of_work(session):
            report = await import_catalog(session, catalog, source=str(folder))
    finally:
        await engine.dispose()
    return report.as_dict()


async def scalar(url: str, statement: Any) -> Any:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            return (await session.execute(statement)).scalar_one()
    finally:
        await engine.dispose()


def copy_demo(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    shutil.copytree(DEMO_CATALOG_DIR, folder)
    return folder


def rewrite(folder: Path, filename: str, change: Any) -> None:
    path = folder / filename
    records = json.loads(path.read_text(encoding="utf-8"))
    change(records)
    path.write_text(json.dumps(records, ensure_ascii=False, indent=2), encoding="utf-8")


async def test_first_import_adds_everything_second_changes_nothing(empty_database: str) -> None:
    first = await run_import(empty_database, DEMO_CATALOG_DIR)
    assert first["matters"] == {"added": 161, "updated": 0, "unchanged": 0, "withdrawn": 0}
    assert first["regions"]["added"] == 62 and first["halls"]["added"] == 12
    assert await scalar(empty_database, select(func.count()).select_from(t.matter_fees)) == sum(
        len(m["fees"]) for m in json.loads((DEMO_CATALOG_DIR / "matters.json").read_text(encoding="utf-8"))
    )
    stamp = await scalar(empty_database, select(func.max(t.matters.c.updated_at)))

    second = await run_import(empty_database, DEMO_CATALOG_DIR)
    assert all(c["added"] == c["updated"] == c["withdrawn"] == 0 for c in second.values())
    assert second["matters"]["unchanged"] == 161
    # nothing was written: no new import record, no row touched
    assert await scalar(empty_database, select(func.count()).select_from(t.catalog_imports)) == 1
    assert await scalar(empty_database, select(func.max(t.matters.c.updated_at))) == stamp


async def test_reformatted_file_is_not_a_change(empty_database: str, tmp_path: Path) -> None:
    await run_import(empty_database, DEMO_CATALOG_DIR)
    folder = copy_demo(tmp_path)
    rewrite(folder, "matters.json", lambda matters: matters.reverse())  # order and indentation differ
    report = await run_import(empty_database, folder)
    assert report["matters"]["unchanged"] == 161 and report["matters"]["updated"] == 0


async def test_edited_export_updates_exactly_what_changed(empty_database: str, tmp_path: Path) -> None:
    await run_import(empty_database, DEMO_CATALOG_DIR)
    folder = copy_demo(tmp_path)
    removed: list[str] = []

    def change(matters: list[dict[str, Any]]) -> None:
        target = next(m for m in matters if m["code"] == "GZ-GA-0021")
        target["name"]["en"] = "Register a new car"
        target["fees"] = target["fees"][:1]
        target["modes"] = ["online"]
        # a matter no bundle or hall lists leaves the export
        listed = set()
        for name in ("bundles.json", "halls.json"):
            for record in json.loads((folder / name).read_text(encoding="utf-8")):
                listed.update(record["matters"])
        gone = next(m for m in matters if m["code"] not in listed)
        removed.append(gone["code"])
        matters.remove(gone)

    rewrite(folder, "matters.json", change)
    report = await run_import(empty_database, folder)
    assert report["matters"] == {"added": 0, "updated": 1, "unchanged": 159, "withdrawn": 1}
    assert all(report[k]["updated"] == 0 for k in report if k != "matters")

    engine = create_engine(empty_database)
    try:
        async with session_factory(engine)() as session:
            snapshot = await CatalogCache(session_factory(engine)).get()
            matter = snapshot.by_code.get("GZ-GA-0021")
            assert matter is not None and matter.name["en"] == "Register a new car" and matter.modes == ["online"]
            assert [f.amount for f in snapshot.fees["GZ-GA-0021"]] == [pytest.approx(100)]
            assert snapshot.by_code.get(removed[0]) is None  # withdrawn, not deleted
            modes = await session.execute(
                select(t.matter_modes.c.mode).where(t.matter_modes.c.matter_code == "GZ-GA-0021")
            )
            assert list(modes.scalars()) == ["online"]
    finally:
        await engine.dispose()

    # the same edit again changes nothing; the original export brings the matter back
    assert (await run_import(empty_database, folder))["matters"]["updated"] == 0
    back = await run_import(empty_database, DEMO_CATALOG_DIR)
    assert back["matters"] == {"added": 0, "updated": 2, "unchanged": 159, "withdrawn": 0}


def await_count_matters(url: str) -> int:
    import asyncio

    return int(asyncio.run(scalar(url, select(func.count()).select_from(t.matters))))


def test_cli_refuses_an_invalid_export_and_imports_nothing(
    empty_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = copy_demo(tmp_path)
    rewrite(folder, "bundles.json", lambda bundles: bundles[0]["matters"].append("GZ-XX-9999"))
    rewrite(folder, "matters.json", lambda matters: matters[0].update(department="GZ-NOPE"))
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", empty_database)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["catalog", "import", str(folder)])
        assert result.exit_code == 1
        assert "matters.json $[0].department: There is no department GZ-NOPE in departments.json." in result.output
        assert "bundles.json $[0].matters[7]: There is no matter GZ-XX-9999 in matters.json." in result.output
        assert "matters.json $[0].code: A matter code is its department's code and four digits" in result.output
        assert "3 problem(s); nothing was imported." in result.output
        assert await_count_matters(empty_database) == 0

        ok = CliRunner().invoke(cli, ["catalog", "import", "--json", str(DEMO_CATALOG_DIR)])
        assert ok.exit_code == 0, ok.output
        assert json.loads(ok.output.strip().splitlines()[-1])["matters"]["added"] == 161
    finally:
        get_settings.cache_clear()
