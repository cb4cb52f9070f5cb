"""A city-scale catalog: synthesized copies import cleanly, and search answers with the nearest copy."""

from __future__ import annotations

import json
from pathlib import Path

from backend.catalog.files import DEMO_CATALOG_DIR
from backend.catalog.importer import import_catalog
from backend.catalog.snapshot import CatalogCache
from backend.catalog.synthesize import synthesize
from backend.catalog.validate import read_catalog
from backend.db.engine import create_engine, session_factory, unit_of_work
from backend.search.service import SearchService


def test_synthesis_is_deterministic_valid_and_exact(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    counts = synthesize(DEMO_CATALOG_DIR, first, 3500)
    synthesize(DEMO_CATALOG_DIR, second, 3500)
    assert counts["matters"] == 3500
    for name in ("regions.json", "departments.json", "matters.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    catalog, problems = read_catalog(first)
    assert problems == [] and catalog is not None
    regions = {r.code: r for r in catalog.regions}
    departments = {d.code: d for d in catalog.departments}
    levels = {m.level for m in catalog.matters}
    assert {"district", "street", "community"} <= levels
    for matter in catalog.matters[161:]:
        department = departments[matter.department]
        assert department.level == matter.level  # each copy is bound to that level's department
        assert regions[department.region].level == matter.level
    communities = [r for r in catalog.regions if r.level == "community"]
    assert communities and all(regions[c.parent].level == "street" for c in communities if c.parent)


async def test_search_answers_with_the_copy_serving_the_citizen(empty_database: str, tmp_path: Path) -> None:
    folder = tmp_path / "city"
    synthesize(DEMO_CATALOG_DIR, folder, 3500)
    catalog, _ = read_catalog(folder)
    assert catalog is not None
    engine = create_engine(empty_database)
    sessions = session_factory(engine)
    async with sessions() as session, unit_of_work(session):
        await import_catalog(session, catalog, source=str(folder))
    try:
        search = SearchService(CatalogCache(sessions), sessions)
        snapshot, _ = await search.index()
        birth = "GZ-WJW-0001"  # birth registration: a street-level matter, copied to every street office
        street = next(r.code for r in catalog.regions if r.level == "street" and r.parent == "440106")
        anywhere = (await search.search("生育登记", 1))[0].code
        assert anywhere == birth  # no region known: the city-wide original
        near = (await search.search("生育登记", 1, near=street))[0].code
        assert near != birth and snapshot.by_code[near].region_code == street
        community = next(r.code for r in catalog.regions if r.level == "community")
        mine = (await search.search("生育登记", 1, near=community))[0].code
        assert snapshot.by_code[mine].region_code in (community, community[:9])
        district_matter = json.loads((DEMO_CATALOG_DIR / "matters.json").read_text("utf-8"))
        district_code = next(m["code"] for m in district_matter if m["level"] == "district")
        name = next(m["name"]["zh-Hans"] for m in district_matter if m["code"] == district_code)
        copy = (await search.search(name, 1, near=street))[0].code
        assert snapshot.by_code[copy].region_code == "440106"  # the citizen's district, not another's
    finally:
        await engine.dispose()
