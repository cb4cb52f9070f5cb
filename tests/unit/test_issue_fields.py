"""Issue 14, item 6: every certificate a matter of the demo catalog issues has every field filled, from
the form, the registry profile, a registry's allocation (the certificate library stand-in) or what the
issuing officer enters, and the officer's entries are checked against the certificate type."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
import pytest

from backend.applications.errors import ApplicationErrorCode
from backend.applications.issuing import check_entries
from backend.catalog import format as fmt
from backend.catalog import models as m
from backend.catalog.files import DEMO_CATALOG_DIR
from backend.certificates.issue import build_output, left_to_enter
from backend.certificates.numbers import ALLOCATED
from backend.errors import DomainError
from standins.certificates.numbers import StandInNumbers
from tests.support.applications import OFFICER_ENTRIES

TODAY = date(2026, 12, 7)
PROFILE = {
    "name": "陈晓明",
    "id_number": "44010619880315011X",
    "sex": "male",
    "birth_date": "1988-03-15",
    "address": "广东省广州市天河区五山街道五山路1号",
}
# A plausible form value per form field type, and an officer's entry per certificate field type.
FORM_VALUES = {
    "text": "测试",
    "textarea": "测试",
    "address": "广州市天河区天河路1号",
    "date": "2026-01-05",
    "number": 1,
    "money": "100.00",
    "boolean": True,
    "phone": "13800138000",
    "id_number": "44010619880315011X",
    "credit_code": "91350100M000100Y43",
}


def _catalog() -> tuple[dict[str, m.CertificateType], list[fmt.Matter]]:
    def read(name: str, kind: type[Any]) -> list[Any]:
        return msgspec.json.decode((DEMO_CATALOG_DIR / name).read_bytes(), type=list[kind])

    types = {
        c.code: m.CertificateType(
            code=c.code, name=msgspec.to_builtins(c.name), issuer_code=c.issuer, holder=c.holder, fields=c.fields
        )
        for c in read("certificate_types.json", fmt.CertificateType)
    }
    return types, [x for x in read("matters.json", fmt.Matter) if x.outputs]


TYPES, MATTERS = _catalog()


def _form(matter: fmt.Matter) -> dict[str, Any]:
    return {f.key: f.options[0].value if f.options else FORM_VALUES[f.type] for f in matter.form}


@pytest.mark.parametrize("matter", MATTERS, ids=lambda x: x.code)
def test_every_output_is_issued_with_no_field_empty(matter: fmt.Matter) -> None:
    numbers = StandInNumbers()
    for code in matter.outputs:
        kind = TYPES[code]
        common: dict[str, Any] = {
            "today": TODAY,
            "form": _form(matter),
            "profile": PROFILE,
            "region_code": "440106001",
            "previous": None,
        }
        needed = left_to_enter(kind, **common)
        assert not {f.key for f in needed} & set(ALLOCATED.get(code, ())), "a registry's number is never typed"
        entered = check_entries({code: needed}, {code: {f.key: OFFICER_ENTRIES[f.type] for f in needed}}, today=TODAY)
        allocated = {k: numbers.allocate(code, k, application_id="a1", today=TODAY) for k in ALLOCATED.get(code, ())}
        record = build_output(kind, application_id="a1", allocated=allocated, entered=entered[code], **common)
        assert [k for k, v in record.data.items() if v in (None, "")] == [], code


def test_a_passport_takes_its_number_from_the_registry_and_the_rest_from_the_officer() -> None:
    matter = next(x for x in MATTERS if x.code == "GZ-GA-0013")
    common: dict[str, Any] = {
        "today": TODAY,
        "form": _form(matter),
        "profile": PROFILE,
        "region_code": "440106001",
        "previous": None,
    }
    assert [f.key for f in left_to_enter(TYPES["PASSPORT"], **common)] == ["valid_until", "issuing_authority"]
    number = StandInNumbers().allocate("PASSPORT", "passport_number", application_id="a1", today=TODAY)
    assert number == StandInNumbers().allocate("PASSPORT", "passport_number", application_id="a1", today=TODAY)
    assert number != StandInNumbers().allocate("PASSPORT", "passport_number", application_id="a2", today=TODAY)
    entered = {"valid_until": "2036-12-06", "issuing_authority": "国家移民管理局"}
    record = build_output(
        TYPES["PASSPORT"], application_id="a1", allocated={"passport_number": number}, entered=entered, **common
    )
    assert record.data["passport_number"] == number and number.startswith("E") and len(number) == 9
    assert record.valid_until == date(2036, 12, 6) and record.data["issuing_authority"] == "国家移民管理局"


def test_a_new_vehicle_gets_a_plate_from_the_registry_and_the_officer_enters_its_registration_date() -> None:
    matter = next(x for x in MATTERS if x.code == "GZ-GA-0021")
    common: dict[str, Any] = {
        "today": TODAY,
        "form": _form(matter),
        "profile": PROFILE,
        "region_code": "440106001",
        "previous": None,
    }
    assert [f.key for f in left_to_enter(TYPES["VEHICLE_LICENSE"], **common)] == ["register_date"]
    plate = StandInNumbers().allocate("VEHICLE_LICENSE", "plate_number", application_id="a1", today=TODAY)
    assert plate.startswith("粤A") and len(plate) == 7


def _refusal(needed: dict[str, list[fmt.CertificateField]], entered: dict[str, Any]) -> set[tuple[str, str | None]]:
    with pytest.raises(DomainError) as caught:
        check_entries(needed, entered, today=TODAY)
    assert caught.value.code == ApplicationErrorCode.CERTIFICATE_FIELDS_INVALID
    return {(str(e.code), e.field) for e in caught.value.details}


def test_entries_are_checked_against_the_certificate_type() -> None:
    passport = {"PASSPORT": [f for f in TYPES["PASSPORT"].fields if f.key in ("valid_until", "issuing_authority")]}
    assert _refusal(passport, {}) == {
        ("REQUIRED", "certificateFields.PASSPORT.valid_until"),
        ("REQUIRED", "certificateFields.PASSPORT.issuing_authority"),
    }
    bad = {"PASSPORT": {"valid_until": "2036-13-45", "issuing_authority": "x" * 201, "holder_name": "someone"}}
    assert _refusal(passport, bad | {"VISA": {}}) == {
        ("INVALID_DATE", "certificateFields.PASSPORT.valid_until"),
        ("TOO_LONG", "certificateFields.PASSPORT.issuing_authority"),
        ("INVALID_VALUE", "certificateFields.PASSPORT.holder_name"),
        ("INVALID_VALUE", "certificateFields.VISA"),
    }
    ended = {"PASSPORT": {"valid_until": TODAY.isoformat(), "issuing_authority": "国家移民管理局"}}
    assert _refusal(passport, ended) == {("VALIDITY_ENDED", "certificateFields.PASSPORT.valid_until")}
    capital = {"BUSINESS_LICENSE": [f for f in TYPES["BUSINESS_LICENSE"].fields if f.key == "registered_capital"]}
    assert _refusal(capital, {"BUSINESS_LICENSE": {"registered_capital": "a lot"}}) == {
        ("INVALID_MONEY", "certificateFields.BUSINESS_LICENSE.registered_capital")
    }
    assert check_entries(capital, {"BUSINESS_LICENSE": {"registered_capital": "50000"}}, today=TODAY) == {
        "BUSINESS_LICENSE": {"registered_capital": "50000.00"}
    }
