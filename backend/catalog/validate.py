"""Read a catalog export and check it completely before anything is imported.

Every problem names its file and JSON path, so the people who maintain the export can fix them all
in one go; one bad record never hides the others.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any

import msgspec

from backend.catalog import format as fmt
from backend.catalog.labels import with_option_labels


class ProblemCode(StrEnum):
    """What is wrong with a catalog record."""

    UNREADABLE_FILE = "UNREADABLE_FILE"
    INVALID_JSON = "INVALID_JSON"
    INVALID_RECORD = "INVALID_RECORD"
    DUPLICATE_CODE = "DUPLICATE_CODE"
    DUPLICATE_KEY = "DUPLICATE_KEY"
    UNKNOWN_REGION = "UNKNOWN_REGION"
    UNKNOWN_DEPARTMENT = "UNKNOWN_DEPARTMENT"
    UNKNOWN_CERTIFICATE_TYPE = "UNKNOWN_CERTIFICATE_TYPE"
    UNKNOWN_CERTIFICATE_FIELD = "UNKNOWN_CERTIFICATE_FIELD"
    UNKNOWN_MATTER = "UNKNOWN_MATTER"
    BAD_REGION_PARENT = "BAD_REGION_PARENT"
    OPTIONS_REQUIRED = "OPTIONS_REQUIRED"
    OPTIONS_NOT_ALLOWED = "OPTIONS_NOT_ALLOWED"
    OPTION_LABELS_MISMATCH = "OPTION_LABELS_MISMATCH"
    BAD_PREFILL = "BAD_PREFILL"
    BAD_CODE_PREFIX = "BAD_CODE_PREFIX"
    PROMISE_EXCEEDS_LAW = "PROMISE_EXCEEDS_LAW"


# English source texts (msgids in locales/*/onewindow.po).
MESSAGES: dict[ProblemCode, str] = {
    ProblemCode.UNREADABLE_FILE: "The file cannot be read: {detail}",
    ProblemCode.INVALID_JSON: "The file is not a valid JSON list: {detail}",
    ProblemCode.INVALID_RECORD: "Invalid value: {detail}",
    ProblemCode.DUPLICATE_CODE: "The code {code} is used more than once (first at {first}).",
    ProblemCode.DUPLICATE_KEY: "The key {key} is used more than once in this list.",
    ProblemCode.UNKNOWN_REGION: "There is no region {code} in regions.json.",
    ProblemCode.UNKNOWN_DEPARTMENT: "There is no department {code} in departments.json.",
    ProblemCode.UNKNOWN_CERTIFICATE_TYPE: ("There is no certificate type {code} in certificate_types.json."),
    ProblemCode.UNKNOWN_CERTIFICATE_FIELD: "The certificate type {code} has no field {field}.",
    ProblemCode.UNKNOWN_MATTER: "There is no matter {code} in matters.json.",
    ProblemCode.BAD_REGION_PARENT: "The parent of a {level} region must be a {expected} region.",
    ProblemCode.OPTIONS_REQUIRED: "A select field needs at least one option.",
    ProblemCode.OPTIONS_NOT_ALLOWED: "Only select and enum fields can have options.",
    ProblemCode.OPTION_LABELS_MISMATCH: (
        "Every option needs a label and every label an option (no label: {unlabelled}; no option: {unknown})."
    ),
    ProblemCode.BAD_PREFILL: "Unknown prefill source {source}.",
    ProblemCode.BAD_CODE_PREFIX: ("A matter code is its department's code and four digits, like {expected}."),
    ProblemCode.PROMISE_EXCEEDS_LAW: (
        "The promised time ({promised} days) is longer than the legal limit ({legal} days)."
    ),
}


class Problem(msgspec.Struct, frozen=True):
    """One thing wrong with the export, where it is, and the values for its message."""

    file: str
    path: str
    code: ProblemCode
    params: dict[str, Any] = {}

    def render(self, gettext: Callable[..., str]) -> str:
        """`file path: message` with the message translated by `gettext(msgid, **params)`."""
        return f"{self.file} {self.path}: {gettext(MESSAGES[self.code], **self.params)}"


_AT = re.compile(r"^(?P<detail>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.S)


def read_catalog(folder: Path) -> tuple[fmt.Catalog | None, list[Problem]]:
    """Decode every file of an export; the Catalog is None when any record is malformed."""
    problems: list[Problem] = []
    decoded: dict[str, list[Any]] = {}
    for filename, (attribute, record_type) in fmt.FILES.items():
        records, file_problems = _decode_file(folder / filename, filename, record_type)
        problems.extend(file_problems)
        decoded[attribute] = records
    if problems:
        return None, problems
    catalog = fmt.Catalog(**decoded)
    catalog.certificate_types = [with_option_labels(kind) for kind in catalog.certificate_types]
    return catalog, check_references(catalog)


def _decode_file(path: Path, filename: str, record_type: type[fmt.Record]) -> tuple[list[Any], list[Problem]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [], [Problem(filename, "$", ProblemCode.UNREADABLE_FILE, {"detail": exc.strerror})]
    try:
        raw_records = msgspec.json.decode(data, type=list[msgspec.Raw])
    except msgspec.DecodeError as exc:
        return [], [Problem(filename, "$", ProblemCode.INVALID_JSON, {"detail": str(exc)})]
    # Record by record, so one malformed record does not hide the problems of the others.
    decoder = msgspec.json.Decoder(record_type)
    records: list[Any] = []
    problems: list[Problem] = []
    for index, raw in enumerate(raw_records):
        try:
            records.append(decoder.decode(raw))
        except msgspec.ValidationError as exc:
            match = _AT.match(str(exc))
            assert match is not None
            path_in_record = match.group("path") or ""
            problems.append(
                Problem(
                    filename,
                    f"$[{index}]{path_in_record}",
                    ProblemCode.INVALID_RECORD,
                    {"detail": match.group("detail")},
                )
            )
    return records, problems


def _duplicates(filename: str, items: Iterable[tuple[str, str]], code: ProblemCode, what: str) -> list[Problem]:
    """Problems for every repeated key; items are (key, path) pairs."""
    seen: dict[str, str] = {}
    problems = []
    for key, path in items:
        if key in seen:
            params = {"code": key, "first": seen[key]} if what == "code" else {"key": key}
            problems.append(Problem(filename, path, code, params))
        else:
            seen[key] = path
    return problems


_PARENT_LEVEL = {"city": None, "district": "city", "street": "district", "community": "street"}


def check_references(catalog: fmt.Catalog) -> list[Problem]:
    """Every cross-reference, duplicate and consistency rule of the format."""
    problems: list[Problem] = []
    regions = {r.code: r for r in catalog.regions}
    departments = {d.code for d in catalog.departments}
    cert_fields = {c.code: {f.key for f in c.fields} for c in catalog.certificate_types}
    matters = {m.code for m in catalog.matters}

    def require(filename: str, path: str, code: str, known: Any, problem: ProblemCode) -> None:
        if code not in known:
            problems.append(Problem(filename, path, problem, {"code": code}))

    for filename, (attribute, _) in fmt.FILES.items():
        records = getattr(catalog, attribute)
        problems += _duplicates(
            filename,
            ((r.code, f"$[{i}].code") for i, r in enumerate(records)),
            ProblemCode.DUPLICATE_CODE,
            "code",
        )

    for i, region in enumerate(catalog.regions):
        expected = _PARENT_LEVEL[region.level]
        parent = regions.get(region.parent) if region.parent else None
        if region.parent and parent is None:
            require("regions.json", f"$[{i}].parent", region.parent, regions, ProblemCode.UNKNOWN_REGION)
        elif (parent.level if parent else None) != expected:
            problems.append(
                Problem(
                    "regions.json",
                    f"$[{i}].parent",
                    ProblemCode.BAD_REGION_PARENT,
                    {"level": region.level, "expected": expected or "-"},
                )
            )

    for i, department in enumerate(catalog.departments):
        require("departments.json", f"$[{i}].region", department.region, regions, ProblemCode.UNKNOWN_REGION)

    for i, cert in enumerate(catalog.certificate_types):
        at = f"$[{i}]"
        require("certificate_types.json", f"{at}.issuer", cert.issuer, departments, ProblemCode.UNKNOWN_DEPARTMENT)
        problems += _duplicates(
            "certificate_types.json",
            ((f.key, f"{at}.fields[{j}].key") for j, f in enumerate(cert.fields)),
            ProblemCode.DUPLICATE_KEY,
            "key",
        )
        for j, field in enumerate(cert.fields):
            if (field.type == "enum") != bool(field.options):
                wrong = ProblemCode.OPTIONS_REQUIRED if field.type == "enum" else ProblemCode.OPTIONS_NOT_ALLOWED
                problems.append(Problem("certificate_types.json", f"{at}.fields[{j}].options", wrong))
            labelled, offered = set(field.option_labels or {}), set(field.options or [])
            if labelled != offered:
                params = {
                    "unlabelled": ", ".join(sorted(offered - labelled)) or "-",
                    "unknown": ", ".join(sorted(labelled - offered)) or "-",
                }
                mismatch = Problem(
                    "certificate_types.json",
                    f"{at}.fields[{j}].option_labels",
                    ProblemCode.OPTION_LABELS_MISMATCH,
                    params,
                )
                problems.append(mismatch)

    for i, matter in enumerate(catalog.matters):
        problems += _check_matter(matter, f"$[{i}]", departments, cert_fields, require)

    for i, bundle in enumerate(catalog.bundles):
        for j, matter_code in enumerate(bundle.matters):
            require("bundles.json", f"$[{i}].matters[{j}]", matter_code, matters, ProblemCode.UNKNOWN_MATTER)
        problems += _duplicates(
            "bundles.json",
            ((c, f"$[{i}].matters[{j}]") for j, c in enumerate(bundle.matters)),
            ProblemCode.DUPLICATE_KEY,
            "key",
        )

    for i, hall in enumerate(catalog.halls):
        require("halls.json", f"$[{i}].region", hall.region, regions, ProblemCode.UNKNOWN_REGION)
        for j, matter_code in enumerate(hall.matters):
            if matter_code != "*":
                require("halls.json", f"$[{i}].matters[{j}]", matter_code, matters, ProblemCode.UNKNOWN_MATTER)
    return problems


def _check_matter(
    matter: fmt.Matter,
    at: str,
    departments: set[str],
    cert_fields: dict[str, set[str]],
    require: Callable[[str, str, str, Any, ProblemCode], None],
) -> list[Problem]:
    file = "matters.json"
    problems: list[Problem] = []
    require(file, f"{at}.department", matter.department, departments, ProblemCode.UNKNOWN_DEPARTMENT)
    if not re.fullmatch(re.escape(matter.department) + r"-[0-9]{4}", matter.code):
        problems.append(
            Problem(file, f"{at}.code", ProblemCode.BAD_CODE_PREFIX, {"expected": f"{matter.department}-0001"})
        )
    if matter.promised_days > matter.legal_days:
        problems.append(
            Problem(
                file,
                f"{at}.promised_days",
                ProblemCode.PROMISE_EXCEEDS_LAW,
                {"promised": matter.promised_days, "legal": matter.legal_days},
            )
        )
    problems += _duplicates(
        file, ((m, f"{at}.modes[{j}]") for j, m in enumerate(matter.modes)), ProblemCode.DUPLICATE_KEY, "key"
    )
    problems += _duplicates(
        file,
        ((m.key, f"{at}.materials[{j}].key") for j, m in enumerate(matter.materials)),
        ProblemCode.DUPLICATE_KEY,
        "key",
    )
    for j, material in enumerate(matter.materials):
        if material.certificate is not None:
            require(
                file,
                f"{at}.materials[{j}].certificate",
                material.certificate,
                cert_fields,
                ProblemCode.UNKNOWN_CERTIFICATE_TYPE,
            )
    problems += _duplicates(
        file,
        ((f.key, f"{at}.form[{j}].key") for j, f in enumerate(matter.form)),
        ProblemCode.DUPLICATE_KEY,
        "key",
    )
    for j, field in enumerate(matter.form):
        fat = f"{at}.form[{j}]"
        if field.type == "select" and not field.options:
            problems.append(Problem(file, f"{fat}.options", ProblemCode.OPTIONS_REQUIRED))
        elif field.type != "select" and field.options:
            problems.append(Problem(file, f"{fat}.options", ProblemCode.OPTIONS_NOT_ALLOWED))
        if field.options:
            problems += _duplicates(
                file,
                ((o.value, f"{fat}.options[{k}].value") for k, o in enumerate(field.options)),
                ProblemCode.DUPLICATE_KEY,
                "key",
            )
        if field.prefill is not None:
            problems += _check_prefill(field.prefill, f"{fat}.prefill", cert_fields)
    for j, fee in enumerate(matter.fees):
        require(file, f"{at}.fees[{j}].department", fee.department, departments, ProblemCode.UNKNOWN_DEPARTMENT)
    for j, output in enumerate(matter.outputs):
        require(file, f"{at}.outputs[{j}]", output, cert_fields, ProblemCode.UNKNOWN_CERTIFICATE_TYPE)
    return problems


def _check_prefill(source: str, path: str, cert_fields: dict[str, set[str]]) -> list[Problem]:
    file = "matters.json"
    if source in fmt.PROFILE_SOURCES:
        return []
    cert, dot, field = source.removeprefix("cert:").partition(".")
    if not source.startswith("cert:") or not dot:
        return [Problem(file, path, ProblemCode.BAD_PREFILL, {"source": source})]
    if cert not in cert_fields:
        return [Problem(file, path, ProblemCode.UNKNOWN_CERTIFICATE_TYPE, {"code": cert})]
    if field not in cert_fields[cert]:
        return [Problem(file, path, ProblemCode.UNKNOWN_CERTIFICATE_FIELD, {"code": cert, "field": field})]
    return []
