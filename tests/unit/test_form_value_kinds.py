"""What kind of personal data each of a form's values is, and how the one rule shows it."""

from __future__ import annotations

import json

from backend.catalog.format import PROFILE_SOURCES
from backend.privacy import EVERYTHING, Disclosure, Personal, field_kind
from backend.settings import PROJECT_ROOT

MATTERS = json.loads((PROJECT_ROOT / "backend/catalog/demo/matters.json").read_text(encoding="utf-8"))
FIELDS = [field for matter in MATTERS for field in matter["form"]]


def test_every_phone_id_number_and_address_field_of_the_catalog_is_personal() -> None:
    # by type, whatever the field is called or wherever it is pre-filled from
    by_type = {"phone": Personal.PHONE, "id_number": Personal.ID_NUMBER, "address": Personal.PROFILE}
    for field in FIELDS:
        if field["type"] in by_type:
            assert field_kind(field["type"], field["key"], field.get("prefill")) is by_type[field["type"]], field


def test_names_of_people_and_their_document_numbers_are_personal_and_organisations_are_not() -> None:
    people = ["name", "spouse_name", "child_name", "seller_name", "counterparty_name", "guardian_name"]
    people += ["legal_rep_name", "foreigner_name", "finance_person", "safety_officer", "opposing_party"]
    assert {key: field_kind("text", key, None) for key in people} == dict.fromkeys(people, Personal.PROFILE)
    numbers = ["passport_number", "travel_permit_number", "partner_identity_number", "bank_account", "hpf_account"]
    assert {key: field_kind("text", key, None) for key in numbers} == dict.fromkeys(numbers, Personal.ID_NUMBER)
    organisations = ["employer_name", "project_name", "school_name", "bank_name", "hospital_name", "developer_name"]
    assert {key: field_kind("text", key, None) for key in organisations} == dict.fromkeys(organisations)
    # a value of no personal type keeps the kind of where it came from
    assert field_kind("date", "marriage_date", "cert:MARRIAGE_CERT.registration_date") is Personal.CERTIFICATE
    assert field_kind("select", "sex", "profile.sex") is Personal.PROFILE
    assert field_kind("money", "monthly_rent", "citizen") is None


def test_every_profile_prefill_is_personal() -> None:
    for source in PROFILE_SOURCES:
        assert field_kind("select", "x", source) is not None, source


def test_a_value_the_reader_may_not_see_is_null_and_a_phone_they_may_is_e164() -> None:
    form = {"phone": "13800138000", "id_number": "44010619880315011X", "address": "天河路1号", "rent": "3200.00"}
    kinds = {"phone": Personal.PHONE, "id_number": Personal.ID_NUMBER, "address": Personal.PROFILE, "rent": None}
    assert Disclosure(frozenset()).show(form, kinds) == {
        "phone": None,
        "id_number": None,
        "address": None,
        "rent": "3200.00",
    }
    assert Disclosure(frozenset({Personal.PHONE})).show(form, kinds)["phone"] == "+8613800138000"
    assert EVERYTHING.show(form, kinds) == form | {"phone": "+8613800138000"}
    # text a person reads keeps the local, masked form
    assert Disclosure(frozenset()).show("请致电 13800138000") == "请致电 138****8000"
