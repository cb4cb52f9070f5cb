"""Expand a catalog to a real city's scale: district, street and community copies of its matters.

A city's catalog lists each matter once (the basic catalog); every district, street office and
community that handles it has its own copy (the implementation list), bound to its region and to
that level's department. This builds such a catalog deterministically from an export, so search and
lists can be measured at the scale of Guangzhou (about 46,000 matters).
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from backend.catalog import format as fmt
from backend.catalog.validate import read_catalog

Progress = Callable[[int, int], None]
_DIGITS = "〇一二三四五六七八九"


def _locale_map(hans: str, hant: str, en: str) -> dict[str, str]:
    return {"zh-Hans": hans, "zh-Hant": hant, "en": en}


def _chinese_number(n: int) -> str:
    return "".join(_DIGITS[int(d)] for d in str(n))


def synthesize(source: Path, target: Path, matters: int, progress: Progress | None = None) -> dict[str, int]:
    """Write the expanded export to `target`; returns counts. Raises ValueError on a broken source."""
    catalog, problems = read_catalog(source)
    if catalog is None or problems:
        raise ValueError(f"the source catalog has {len(problems)} problem(s): run `onewindow catalog validate`")
    raw = {name: json.loads((source / name).read_text(encoding="utf-8")) for name in fmt.FILES}
    regions: list[dict[str, Any]] = raw["regions.json"]
    departments: list[dict[str, Any]] = raw["departments.json"]
    base_matters: list[dict[str, Any]] = raw["matters.json"]
    by_department = {d["code"]: d for d in departments}
    districts = [r for r in regions if r["level"] == "district"]
    streets = [r for r in regions if r["level"] == "street"]
    district_matters = [m for m in base_matters if m["level"] == "district"]
    street_matters = [m for m in base_matters if m["level"] == "street"]

    fixed = len(base_matters) + len(district_matters) * len(districts) + len(street_matters) * len(streets)
    per_community = len(street_matters)
    communities_needed = max(0, math.ceil((matters - fixed) / per_community)) if per_community else 0
    per_street = math.ceil(communities_needed / len(streets)) if streets else 0

    new_regions: list[dict[str, Any]] = []
    for street in streets:
        for k in range(1, per_street + 1):
            name = street["name"]
            new_regions.append(
                {
                    "code": f"{street['code']}{k:03d}",
                    "level": "community",
                    "parent": street["code"],
                    "name": _locale_map(
                        f"{name['zh-Hans']}第{_chinese_number(k)}社区",
                        f"{name['zh-Hant']}第{_chinese_number(k)}社區",
                        f"{name['en']} Community {k}",
                    ),
                }
            )
    communities = new_regions[:communities_needed]

    new_departments: dict[str, dict[str, Any]] = {}

    def department(code: str, level: str, region: str, name: dict[str, str], short: dict[str, str], fiscal: str) -> str:
        if code not in new_departments:
            new_departments[code] = {
                "code": code,
                "level": level,
                "region": region,
                "name": name,
                "short_name": short,
                "fiscal_code": fiscal,
                "phone": "020-12345",
            }
        return code

    def district_department(city_code: str, district: dict[str, Any]) -> str:
        parent = by_department[city_code]
        short, dname = parent["short_name"], district["name"]
        hans = dname["zh-Hans"] + short["zh-Hans"].removeprefix("市")
        hant = dname["zh-Hant"] + short["zh-Hant"].removeprefix("市")
        name = _locale_map(hans, hant, f"{dname['en']} {short['en']}")
        return department(
            f"{city_code}-{district['code']}", "district", district["code"], name, name, parent["fiscal_code"]
        )

    def office(region: dict[str, Any], level: str) -> str:
        hans, hant = ("办事处", "辦事處") if level == "street" else ("居民委员会", "居民委員會")
        en = "Sub-district Office" if level == "street" else "Residents' Committee"
        name = _locale_map(
            region["name"]["zh-Hans"] + hans, region["name"]["zh-Hant"] + hant, f"{region['name']['en']} {en}"
        )
        prefix = "GZ-JD" if level == "street" else "GZ-SQ"
        return department(f"{prefix}-{region['code']}", level, region["code"], name, name, "990000")

    out_matters = list(base_matters)
    counters: dict[str, int] = {}

    def copy(matter: dict[str, Any], department_code: str, level: str) -> bool:
        if len(out_matters) >= matters:
            return False
        counters[department_code] = counters.get(department_code, 0) + 1
        # Shallow: the copy shares its texts, forms and materials with the original (written out as is).
        duplicate = dict(
            matter, code=f"{department_code}-{counters[department_code]:04d}", department=department_code, level=level
        )
        duplicate["fees"] = [dict(fee, department=department_code) for fee in matter["fees"]]
        out_matters.append(duplicate)
        if progress:
            progress(len(out_matters), matters)
        return True

    for district in districts:
        for matter in district_matters:
            copy(matter, district_department(matter["department"], district), "district")
    for street in streets:
        for matter in street_matters:
            copy(matter, office(street, "street"), "street")
    for community in communities:
        for matter in street_matters:
            if not copy(matter, office(community, "community"), "community"):
                break

    used = {m["department"] for m in out_matters}
    target.mkdir(parents=True, exist_ok=True)
    files = {
        "regions.json": regions + communities,
        "departments.json": departments + [d for code, d in new_departments.items() if code in used],
        "matters.json": out_matters,
    }
    for name in fmt.FILES:
        content = files.get(name, raw[name])
        (target / name).write_bytes(msgspec.json.encode(content))
    if (source / "README.md").exists():
        shutil.copyfile(source / "README.md", target / "README.md")
    return {
        "matters": len(out_matters),
        "departments": len(files["departments.json"]),
        "regions": len(files["regions.json"]),
    }
