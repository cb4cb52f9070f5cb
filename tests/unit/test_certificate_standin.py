"""The certificate library stand-in is deterministic, matches the catalog's types, and fits each family."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from datetime import date
from typing import Any

import pytest

from backend.catalog.files import DEMO_CATALOG_DIR
from backend.certificates.credit_codes import normalize_credit_code
from backend.certificates.models import CertificateRecord
from backend.identity.numbers import parse_id_number
from backend.identity.registry import Person
from standins.certificates.library import LONG_TERM, certificates_by_holder, generate_certificates
from standins.population.generate import Street, generate

TODAY = date(2026, 1, 1)
DEMO_ID = "44010619880315011X"
TYPES: dict[str, dict[str, Any]] = {
    t["code"]: t for t in json.loads((DEMO_CATALOG_DIR / "certificate_types.json").read_text("utf-8"))
}
MONEY = re.compile(r"^(0|[1-9][0-9]*)\.[0-9]{2}$")


def _streets() -> list[Street]:
    """The catalog's streets, as `onewindow seed` reads them from the imported regions."""
    regions = json.loads((DEMO_CATALOG_DIR / "regions.json").read_text("utf-8"))
    names = {r["code"]: r["name"]["zh-Hans"] for r in regions}
    return [
        Street(r["code"], r["parent"], names[r["parent"]], r["name"]["zh-Hans"])
        for r in sorted(regions, key=lambda r: r["code"])
        if r["level"] == "street"
    ]


def _age(born: date, on: date = TODAY) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _plus_years(day: date, years: int) -> date:
    return day.replace(year=day.year + years) if (day.month, day.day) != (2, 29) else date(day.year + years, 2, 28)


@pytest.fixture(scope="module")
def people() -> list[Person]:
    return generate(_streets())


@pytest.fixture(scope="module")
def persons(people: list[Person]) -> dict[str, Person]:
    return {p.id_number: p for p in people}


@pytest.fixture(scope="module")
def records(people: list[Person]) -> list[CertificateRecord]:
    return generate_certificates(people)


@pytest.fixture(scope="module")
def wallets(records: list[CertificateRecord]) -> dict[str, dict[str, CertificateRecord]]:
    """Each holder's certificates by type (the stand-in gives at most one per type)."""
    return {holder: {r.type_code: r for r in held} for holder, held in certificates_by_holder(records).items()}


def test_same_input_same_certificates(people: list[Person], records: list[CertificateRecord]) -> None:
    # given the default population, when generating twice, then the records are identical
    assert generate_certificates(people) == records
    # and another seed draws differently (but the same structure: ID cards do not depend on the seed)
    other = generate_certificates(people, seed=7)
    assert other != records
    assert Counter(r.type_code for r in other)["ID_CARD"] == Counter(r.type_code for r in records)["ID_CARD"]


def test_default_population_is_generated_quickly(people: list[Person]) -> None:
    started = time.perf_counter()
    generate_certificates(people)
    assert time.perf_counter() - started < 2.0


def test_every_record_matches_its_type(records: list[CertificateRecord], persons: dict[str, Person]) -> None:
    assert len(records) > 5000
    for record in records:
        kind = TYPES[record.type_code]
        assert list(record.data) == [f["key"] for f in kind["fields"]], record.type_code
        assert record.issuer == kind["issuer"]
        assert record.holder_id_number in persons and persons[record.holder_id_number].name == record.holder_name
        assert record.issued_on <= TODAY
        assert record.valid_until is None or record.valid_until > record.issued_on
        for field in kind["fields"]:
            value, where = record.data[field["key"]], (record.type_code, record.number, field["key"])
            match field["type"]:
                case "text" | "address":
                    assert isinstance(value, str) and value, where
                case "date":
                    assert isinstance(value, str) and date.fromisoformat(value).isoformat() == value, where
                case "number":
                    assert type(value) is int and value >= 0, where
                case "money":
                    assert isinstance(value, str) and MONEY.match(value), where
                case "enum":
                    assert value in field["options"], where
                case "id_number":
                    assert parse_id_number(value, today=TODAY) is not None and value in persons, where
                case "credit_code":
                    assert normalize_credit_code(value) == value, where
                case _:
                    pytest.fail(f"unexpected field type {field['type']}")


def test_personal_id_fields_are_the_holders(records: list[CertificateRecord]) -> None:
    for record in records:
        for key in ("id_number", "holder_id_number", "owner_id_number"):
            if key in record.data:
                assert record.data[key] == record.holder_id_number, (record.type_code, key)


def test_numbers_unique_per_type(records: list[CertificateRecord]) -> None:
    numbers = Counter((r.type_code, r.number) for r in records)
    assert [key for key, n in numbers.items() if n > 1] == []


def test_long_term_validity_convention(records: list[CertificateRecord]) -> None:
    long_term = [r for r in records if r.data.get("valid_until") == LONG_TERM.isoformat()]
    assert {r.type_code for r in long_term} == {"ID_CARD", "DRIVING_LICENSE"}
    assert all(r.valid_until is None for r in long_term)
    dated = [r for r in records if isinstance(r.data.get("valid_until"), str) and r not in long_term]
    assert all(r.valid_until == date.fromisoformat(r.data["valid_until"]) for r in dated)


def test_id_cards_from_16_with_the_legal_validity(records: list[CertificateRecord], persons: dict[str, Person]) -> None:
    cards = {r.holder_id_number: r for r in records if r.type_code == "ID_CARD"}
    # given everyone, then exactly those 16 or over hold an ID card
    assert set(cards) == {p.id_number for p in persons.values() if _age(p.birth_date) >= 16}
    for holder, card in cards.items():
        person = persons[holder]
        assert (card.data["name"], card.data["sex"], card.data["address"]) == (person.name, person.sex, person.address)
        assert card.data["birth_date"] == person.birth_date.isoformat()
        issued = date.fromisoformat(card.data["valid_from"])
        age_at_issue = _age(person.birth_date, issued)
        assert age_at_issue >= 16
        # 16-25: ten years, 26-45: twenty years, 46 and over: long-term; every card is current
        expected = None if age_at_issue >= 46 else _plus_years(issued, 10 if age_at_issue < 26 else 20)
        assert card.valid_until == expected
        assert expected is None or expected > TODAY


def test_hukou_households_have_registers_the_others_residence_permits(
    records: list[CertificateRecord], persons: dict[str, Person]
) -> None:
    registers = {r.holder_id_number: r for r in records if r.type_code == "HOUSEHOLD_REGISTER"}
    permits = {r.holder_id_number: r for r in records if r.type_code == "RESIDENCE_PERMIT"}
    assert not set(registers) & set(permits)
    households: dict[str, list[Person]] = {}
    for person in persons.values():
        households.setdefault(person.household_id, []).append(person)
    hukou = {h for h, members in households.items() if members[0].id_number in registers}
    assert 0.7 < len(hukou) / len(households) < 0.9
    for household, members in households.items():
        if household in hukou:
            # a whole hukou household is registered at its district, with one householder
            assert all(m.id_number in registers for m in members)
            relations = [registers[m.id_number].data["relation_to_householder"] for m in members]
            assert relations.count("本人") == 1
            assert set(relations) <= {"本人", "配偶", "子", "女", "父", "母"}
            head = next(m for m in members if registers[m.id_number].data["relation_to_householder"] == "本人")
            for member in members:
                page = registers[member.id_number].data
                assert page["householder_name"] == head.name
                assert page["division_code"] == member.region_code[:6]
                assert page["police_station"].endswith("派出所")
                assert member.birth_date <= date.fromisoformat(page["moved_in_date"]) <= TODAY
        else:
            adults = {m.id_number for m in members if _age(m.birth_date) >= 18}
            assert {m.id_number for m in members} & set(permits) == adults
            assert all(permits[a].data["division_code"] == persons[a].region_code[:6] for a in adults)


def test_spouses_marriage_certificates_point_at_each_other(
    records: list[CertificateRecord], persons: dict[str, Person]
) -> None:
    marriages = {r.holder_id_number: r for r in records if r.type_code == "MARRIAGE_CERT"}
    married = {p.id_number for p in persons.values() if p.marital_status == "married"}
    assert set(marriages) == married
    for holder, record in marriages.items():
        person = persons[holder]
        spouse = persons[record.data["spouse_id_number"]]
        assert spouse.id_number == person.spouse_id_number and record.data["spouse_name"] == spouse.name
        theirs = marriages[spouse.id_number]
        assert theirs.data["spouse_id_number"] == holder
        assert theirs.data["certificate_number"] == record.data["certificate_number"]
        assert record.number == f"{record.data['certificate_number']}-{1 if person.sex == 'male' else 2}"
        registered = date.fromisoformat(record.data["registration_date"])
        assert _age(person.birth_date, registered) >= (22 if person.sex == "male" else 20)
        children = [c.birth_date for c in persons.values() if holder in (c.father_id_number, c.mother_id_number)]
        assert all(registered < born for born in children)


def test_birth_certificates_name_the_parents(records: list[CertificateRecord], persons: dict[str, Person]) -> None:
    births = {r.holder_id_number: r for r in records if r.type_code == "BIRTH_MEDICAL_CERT"}
    children = {p.id_number for p in persons.values() if p.father_id_number and p.birth_date >= date(1996, 1, 1)}
    assert set(births) == children and len(children) > 200
    for holder, record in births.items():
        child = persons[holder]
        father, mother = persons[child.father_id_number or ""], persons[child.mother_id_number or ""]
        assert (record.data["father_id_number"], record.data["father_name"]) == (father.id_number, father.name)
        assert (record.data["mother_id_number"], record.data["mother_name"]) == (mother.id_number, mother.name)
        assert record.data["birth_date"] == child.birth_date.isoformat() and record.data["baby_sex"] == child.sex
    vaccinated = {r.holder_id_number for r in records if r.type_code == "VACCINATION_CERT"}
    assert vaccinated == {c for c in children if _age(persons[c].birth_date) < 7}


def test_personal_certificates_fit_the_holders_age(
    records: list[CertificateRecord], persons: dict[str, Person]
) -> None:
    for record in records:
        person, data = persons[record.holder_id_number], record.data
        match record.type_code:
            case "DEGREE_CERT":
                award_age = _age(person.birth_date, date.fromisoformat(data["award_date"]))
                assert {"bachelor": 22, "master": 25, "doctor": 28}[data["degree"]] - 1 <= award_age <= 31
            case "GRADUATION_CERT":
                assert data["graduation_year"] == date.fromisoformat(data["graduation_date"]).year
            case "PROVIDENT_FUND_ACCOUNT":
                opened = date.fromisoformat(data["opened_date"])
                months_open = (TODAY.year - opened.year) * 12 + TODAY.month - opened.month
                assert 0 <= data["continuous_months"] <= months_open
                assert (data["continuous_months"] > 0) == (data["account_status"] == "normal")
            case "DRIVING_LICENSE":
                assert 18 <= _age(person.birth_date) <= 70
                assert _age(person.birth_date, date.fromisoformat(data["first_issue_date"])) >= 18
                assert (data["status"] == "expired") == (record.valid_until is not None and record.valid_until <= TODAY)
            case "SENIOR_CARD":
                assert data["card_type"] == ("free_65_plus" if _age(person.birth_date) >= 65 else "discount_60_64")
            case "BUSINESS_LICENSE" | "FOOD_BUSINESS_LICENSE":
                assert data["legal_representative"] == person.name
                assert data["credit_code"][2:8] == person.region_code[:6]
    seniors = {r.holder_id_number for r in records if r.type_code == "SENIOR_CARD"}
    assert seniors == {p.id_number for p in persons.values() if _age(p.birth_date) >= 60}


def test_shares_are_plausible(records: list[CertificateRecord], persons: dict[str, Person]) -> None:
    adults = sum(1 for p in persons.values() if _age(p.birth_date) >= 18)
    counts = Counter(r.type_code for r in records)
    assert 0.45 < counts["DRIVING_LICENSE"] / adults < 0.7
    assert 0.3 < counts["HK_MACAO_PERMIT"] / adults < 0.5
    assert 0.02 < counts["BUSINESS_LICENSE"] / adults < 0.08
    assert 0 < counts["FOOD_BUSINESS_LICENSE"] < counts["BUSINESS_LICENSE"]
    assert 0.005 < counts["DISABILITY_CERT"] / len(persons) < 0.04
    statuses = Counter(r.data["status"] for r in records if r.type_code == "DRIVING_LICENSE")
    assert statuses["valid"] / sum(statuses.values()) > 0.85
    classes = Counter(r.data["license_class"] for r in records if r.type_code == "DRIVING_LICENSE")
    assert classes["C1"] / sum(classes.values()) > 0.75


def test_joint_homes_are_held_by_both_spouses(records: list[CertificateRecord], persons: dict[str, Person]) -> None:
    homes = [r for r in records if r.type_code == "REAL_ESTATE_CERT"]
    units: dict[str, list[CertificateRecord]] = {}
    for home in homes:
        units.setdefault(home.data["unit_number"], []).append(home)
    for held in units.values():
        if held[0].data["ownership"] == "joint":
            a, b = (persons[h.holder_id_number] for h in held)
            assert a.spouse_id_number == b.id_number
            assert held[0].data["certificate_number"] != held[1].data["certificate_number"]
        else:
            assert len(held) == 1


def test_the_demo_family(wallets: dict[str, dict[str, CertificateRecord]], persons: dict[str, Person]) -> None:
    li_ming = persons[DEMO_ID]
    wang_fang = persons[li_ming.spouse_id_number or ""]
    xiaoyu = next(p for p in persons.values() if p.father_id_number == DEMO_ID)
    mine, hers, hers_child = wallets[DEMO_ID], wallets[wang_fang.id_number], wallets[xiaoyu.id_number]
    assert {
        "ID_CARD",
        "HOUSEHOLD_REGISTER",
        "MARRIAGE_CERT",
        "DEGREE_CERT",
        "GRADUATION_CERT",
        "SOCIAL_SECURITY_CARD",
        "PROVIDENT_FUND_ACCOUNT",
        "DRIVING_LICENSE",
        "VEHICLE_LICENSE",
        "BUSINESS_LICENSE",
        "REAL_ESTATE_CERT",
    } <= set(mine)
    assert mine["HOUSEHOLD_REGISTER"].data["division_code"] == "440106"
    assert mine["HOUSEHOLD_REGISTER"].data["relation_to_householder"] == "本人"
    marriage = mine["MARRIAGE_CERT"].data
    assert (marriage["holder_id_number"], marriage["spouse_name"]) == (DEMO_ID, "王芳")
    assert marriage["spouse_id_number"] == wang_fang.id_number
    assert (mine["DEGREE_CERT"].data["degree"], mine["DEGREE_CERT"].data["award_date"][:4]) == ("master", "2013")
    graduation = mine["GRADUATION_CERT"].data
    assert (graduation["education_level"], graduation["graduation_year"]) == ("master", 2013)
    assert mine["SOCIAL_SECURITY_CARD"].data["card_status"] == "active"
    fund = mine["PROVIDENT_FUND_ACCOUNT"].data
    assert fund["account_status"] == "normal" and fund["continuous_months"] >= 36
    driving = mine["DRIVING_LICENSE"]
    assert (driving.data["license_class"], driving.data["status"]) == ("C1", "valid")
    assert driving.valid_until is not None and driving.valid_until > date(2027, 12, 31)
    vehicle = mine["VEHICLE_LICENSE"].data
    assert (vehicle["vehicle_type"], vehicle["use_character"]) == ("small_passenger", "non_operating")
    business = mine["BUSINESS_LICENSE"]
    assert business.data["entity_type"] == "individual_business" and business.holder_id_number == DEMO_ID
    assert normalize_credit_code(business.data["credit_code"]) == business.data["credit_code"]
    home = mine["REAL_ESTATE_CERT"].data
    assert home["ownership"] == "joint" and home["owner_id_number"] == DEMO_ID
    assert hers["REAL_ESTATE_CERT"].data["unit_number"] == home["unit_number"]
    # 王芳: her own marriage certificate (same 字号), ID card, register page
    assert {"MARRIAGE_CERT", "ID_CARD", "HOUSEHOLD_REGISTER"} <= set(hers)
    assert hers["MARRIAGE_CERT"].data["spouse_id_number"] == DEMO_ID
    assert hers["MARRIAGE_CERT"].data["certificate_number"] == marriage["certificate_number"]
    assert hers["HOUSEHOLD_REGISTER"].data["relation_to_householder"] == "配偶"
    # 李小雨: birth certificate naming both parents, register page, vaccination, no ID card yet
    birth = hers_child["BIRTH_MEDICAL_CERT"].data
    assert (birth["father_name"], birth["father_id_number"]) == ("李明", DEMO_ID)
    assert (birth["mother_name"], birth["mother_id_number"]) == ("王芳", wang_fang.id_number)
    assert hers_child["HOUSEHOLD_REGISTER"].data["relation_to_householder"] == "女"
    assert "VACCINATION_CERT" in hers_child and "ID_CARD" not in hers_child


def test_the_demo_citizen_passes_the_catalog_rules(
    wallets: dict[str, dict[str, CertificateRecord]], persons: dict[str, Person]
) -> None:
    # given the inputs a rule sees: certs by type, the profile, the age
    certs = {code: record.data for code, record in wallets[DEMO_ID].items()}
    profile_id, age = DEMO_ID, _age(persons[DEMO_ID].birth_date)
    spouse_id = persons[DEMO_ID].spouse_id_number
    # GZ-WJW-0001: a marriage certificate of his, naming the spouse the form names
    assert certs["MARRIAGE_CERT"]["certificate_number"]
    assert certs["MARRIAGE_CERT"]["holder_id_number"] == profile_id
    assert certs["MARRIAGE_CERT"]["spouse_id_number"] == spouse_id
    # GZ-GA-0018: valid C1/C2 driving licence, under 70
    assert certs["DRIVING_LICENSE"]["file_number"] and certs["DRIVING_LICENSE"]["status"] == "valid"
    assert certs["DRIVING_LICENSE"]["license_class"] in ("C1", "C2") and age < 70
    # GZ-RSJ-0008: a master's degree under 45
    assert certs["DEGREE_CERT"]["certificate_number"] and certs["DEGREE_CERT"]["degree"] == "master" and age < 45
    # GZ-GJJ-0001: provident fund paid in normally for at least three months
    assert certs["PROVIDENT_FUND_ACCOUNT"]["account_status"] == "normal"
    assert certs["PROVIDENT_FUND_ACCOUNT"]["continuous_months"] >= 3


def test_certificates_by_holder_groups_in_order(records: list[CertificateRecord]) -> None:
    grouped = certificates_by_holder(records)
    assert sum(len(held) for held in grouped.values()) == len(records)
    assert all(r.holder_id_number == holder for holder, held in grouped.items() for r in held)
    position = {id(r): index for index, r in enumerate(records)}
    assert all([position[id(r)] for r in held] == sorted(position[id(r)] for r in held) for held in grouped.values())


def test_an_earlier_today_leaves_out_what_was_not_issued_yet(people: list[Person]) -> None:
    # given a date before the population's own, then nothing is issued after it
    earlier = generate_certificates(people, today=date(2015, 6, 1))
    assert earlier and all(r.issued_on <= date(2015, 6, 1) for r in earlier)
    assert all(
        _age(p.birth_date, date(2015, 6, 1)) >= 16
        for p in people
        if p.id_number in {r.holder_id_number for r in earlier if r.type_code == "ID_CARD"}
    )
