"""A catalog export is checked completely; every problem names its file and JSON path."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from backend.catalog.files import DEMO_CATALOG_DIR
from backend.catalog.validate import MESSAGES, ProblemCode, read_catalog


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """A private copy of the demo catalog to break."""
    folder = tmp_path / "catalog"
    shutil.copytree(DEMO_CATALOG_DIR, folder)
    return folder


def edit(folder: Path, filename: str, change: Callable[[list[dict[str, Any]]], None]) -> None:
    path = folder / filename
    records = json.loads(path.read_text(encoding="utf-8"))
    change(records)
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")


def problems_of(folder: Path) -> set[tuple[str, str, ProblemCode]]:
    _, problems = read_catalog(folder)
    return {(p.file, p.path, p.code) for p in problems}


def test_demo_catalog_is_valid() -> None:
    catalog, problems = read_catalog(DEMO_CATALOG_DIR)
    assert problems == []
    assert catalog is not None and len(catalog.matters) == 161 and len(catalog.bundles) == 10


def test_every_broken_reference_is_reported_at_once(export: Path) -> None:
    def break_matters(matters: list[dict[str, Any]]) -> None:
        matters[0]["department"] = "GZ-NOPE"
        matters[1]["materials"][0]["certificate"] = "NO_SUCH_CERT"
        matters[2]["outputs"] = ["GHOST"]
        matters[3]["fees"] = [{"item_code": "1", "name": matters[3]["name"], "amount": "1.00", "department": "X"}]
        matters[4]["form"][0]["prefill"] = "cert:ID_CARD.no_such_field"
        matters[5]["form"][0]["prefill"] = "profile.shoe_size"
        matters[6]["code"] = matters[7]["code"]

    edit(export, "matters.json", break_matters)
    edit(export, "bundles.json", lambda bundles: bundles[0]["matters"].append("GZ-XX-9999"))
    edit(export, "halls.json", lambda halls: halls[0].update(region="999999"))
    found = problems_of(export)
    assert ("matters.json", "$[0].department", ProblemCode.UNKNOWN_DEPARTMENT) in found
    assert ("matters.json", "$[0].code", ProblemCode.BAD_CODE_PREFIX) in found
    assert ("matters.json", "$[1].materials[0].certificate", ProblemCode.UNKNOWN_CERTIFICATE_TYPE) in found
    assert ("matters.json", "$[2].outputs[0]", ProblemCode.UNKNOWN_CERTIFICATE_TYPE) in found
    assert ("matters.json", "$[3].fees[0].department", ProblemCode.UNKNOWN_DEPARTMENT) in found
    assert ("matters.json", "$[4].form[0].prefill", ProblemCode.UNKNOWN_CERTIFICATE_FIELD) in found
    assert ("matters.json", "$[5].form[0].prefill", ProblemCode.BAD_PREFILL) in found
    assert ("matters.json", "$[7].code", ProblemCode.DUPLICATE_CODE) in found
    assert any(p[0] == "bundles.json" and p[2] is ProblemCode.UNKNOWN_MATTER for p in found)
    assert ("halls.json", "$[0].region", ProblemCode.UNKNOWN_REGION) in found


def test_malformed_records_are_reported_with_their_path(export: Path) -> None:
    def break_types(matters: list[dict[str, Any]]) -> None:
        matters[3]["name"]["en"] = 42
        matters[9]["theme"] = "space_travel"
        del matters[12]["summary"]["zh-Hant"]
        matters[20]["fees"] = [dict((matters[20]["fees"] and matters[20]["fees"][0]) or {}, amount="12.5")]

    edit(export, "matters.json", break_types)
    catalog, problems = read_catalog(export)
    assert catalog is None
    paths = {p.path for p in problems}
    assert {"$[3].name.en", "$[9].theme", "$[12].summary"} <= paths
    assert all(p.file == "matters.json" and p.code is ProblemCode.INVALID_RECORD for p in problems)


def test_invalid_json_and_missing_file(export: Path) -> None:
    (export / "halls.json").write_text("[{", encoding="utf-8")
    (export / "regions.json").unlink()
    found = problems_of(export)
    assert ("halls.json", "$", ProblemCode.INVALID_JSON) in found
    assert ("regions.json", "$", ProblemCode.UNREADABLE_FILE) in found


def test_select_without_options_and_promise_beyond_law(export: Path) -> None:
    def change(matters: list[dict[str, Any]]) -> None:
        field = next(f for f in matters[0]["form"] if f["type"] == "select")
        field["options"] = []
        matters[1]["promised_days"] = matters[1]["legal_days"] + 1

    edit(export, "matters.json", change)
    codes = {code for _, _, code in problems_of(export)}
    assert {ProblemCode.OPTIONS_REQUIRED, ProblemCode.PROMISE_EXCEEDS_LAW} <= codes


def test_problem_renders_file_path_and_message() -> None:
    from backend.catalog.validate import Problem

    problem = Problem("matters.json", "$[0].department", ProblemCode.UNKNOWN_DEPARTMENT, {"code": "GZ-X"})
    rendered = problem.render(lambda msgid, **params: msgid.format(**params))
    assert rendered == "matters.json $[0].department: There is no department GZ-X in departments.json."
    assert set(MESSAGES) == set(ProblemCode)


def test_every_certificate_option_has_a_label_in_three_languages(export: Path) -> None:
    # The export names an enum's values by code only; the platform's labels are attached on reading, so
    # the wallet and the rule explanations show a label, never the code ("petrol", "valid")
    catalog, _ = read_catalog(DEMO_CATALOG_DIR)
    assert catalog is not None
    enums = [f for c in catalog.certificate_types for f in c.fields if f.type == "enum"]
    assert enums and all(f.option_labels and set(f.option_labels) == set(f.options or []) for f in enums)
    vehicle = next(c for c in catalog.certificate_types if c.code == "VEHICLE_LICENSE")
    fuel = next(f for f in vehicle.fields if f.key == "fuel_type")
    assert fuel.option_labels is not None and fuel.option_labels["petrol"].zh_hans == "汽油"

    # A value the platform has no label for is a problem of the export, until it brings its own label
    def add_hydrogen(types: list[dict[str, Any]], label: dict[str, str] | None = None) -> None:
        licence = next(t for t in types if t["code"] == "VEHICLE_LICENSE")
        field = next(f for f in licence["fields"] if f["key"] == "fuel_type")
        field["options"].append("hydrogen")
        if label:
            field["option_labels"] = {"hydrogen": label}
        at.append(f"$[{types.index(licence)}].fields[{licence['fields'].index(field)}].option_labels")

    at: list[str] = []
    edit(export, "certificate_types.json", add_hydrogen)
    assert ("certificate_types.json", at[0], ProblemCode.OPTION_LABELS_MISMATCH) in problems_of(export)
    shutil.rmtree(export)
    shutil.copytree(DEMO_CATALOG_DIR, export)
    hydrogen = {"zh-Hans": "氢燃料", "zh-Hant": "氫燃料", "en": "Hydrogen"}
    edit(export, "certificate_types.json", lambda types: add_hydrogen(types, hydrogen))
    labelled, problems = read_catalog(export)
    assert problems == [] and labelled is not None
    kind = next(c for c in labelled.certificate_types if c.code == "VEHICLE_LICENSE")
    options = next(f for f in kind.fields if f.key == "fuel_type").option_labels or {}
    assert options["hydrogen"].en == "Hydrogen" and options["petrol"].en == "Petrol"


def test_a_catalog_imported_before_its_labels_existed_still_reads_labels() -> None:
    # A stored certificate type whose fields carry no option labels (imported by an older version)
    from backend.catalog.snapshot import _CertificateTypeRow

    raw = next(
        c
        for c in json.loads((DEMO_CATALOG_DIR / "certificate_types.json").read_text(encoding="utf-8"))
        if c["code"] == "ID_CARD"
    )
    row = _CertificateTypeRow(raw["code"], raw["name"], raw["issuer"], raw["holder"], raw["fields"])
    sex = next(f for f in row.to_model().fields if f.key == "sex")
    assert sex.option_labels is not None and sex.option_labels["female"].zh_hant == "女"
    assert sex.option_labels["male"].en == "Male"
