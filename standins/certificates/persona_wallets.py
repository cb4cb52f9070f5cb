"""The certificates of the sandbox personas (standins/population/personas.py): fixed dates and numbers,
so a developer can rely on them. Written with the library's own `Library`, so every record has exactly
its type's fields (certificate_types.json)."""

from __future__ import annotations

from datetime import date

from backend.catalog.format import CertificateType
from backend.certificates.credit_codes import check_character, organisation_check
from backend.certificates.models import CertificateRecord
from backend.identity.registry import Person
from standins.certificates.builder import LONG_TERM, Library, add_years, certificate_types
from standins.population.personas import persona


def _id_card(lib: Library, person: Person, issued: date, until: date, authority: str) -> None:
    data = {
        "name": person.name,
        "sex": person.sex,
        "ethnicity": person.ethnicity,
        "birth_date": person.birth_date,
        "address": person.address,
        "id_number": person.id_number,
        "issuing_authority": authority,
        "valid_from": issued,
        "valid_until": until,
    }
    lib.add("ID_CARD", person, person.id_number, issued, data, until)


def _household_register(
    lib: Library, person: Person, head: Person, relation: str, number: str, moved_in: date, station: str
) -> None:
    data = {
        "name": person.name,
        "id_number": person.id_number,
        "householder_name": head.name,
        "relation_to_householder": relation,
        "household_type": "family",
        "address": person.address,
        "division_code": person.region_code[:6],
        "police_station": station,
        "moved_in_date": moved_in,
    }
    lib.add("HOUSEHOLD_REGISTER", person, number, moved_in, data)


def _social_security(lib: Library, person: Person, number: str, issued: date) -> None:
    data = {
        "holder_name": person.name,
        "id_number": person.id_number,
        "card_number": number,
        "bank": "中国工商银行",
        "issue_date": issued,
        "card_status": "active",
    }
    lib.add("SOCIAL_SECURITY_CARD", person, number, issued, data)


def _credit_code(division: str) -> str:
    """A valid unified social credit code of an individual business (a P where the library has digits)."""
    first8 = "P0000001"
    first17 = f"92{division}{first8}{organisation_check(first8)}"
    return first17 + check_character(first17)


def _resident(lib: Library) -> None:
    me = persona("resident").person
    _id_card(lib, me, date(2016, 6, 1), add_years(date(2016, 6, 1), 20), "广州市公安局天河分局")
    _household_register(lib, me, me, "本人", "440106P00001-01", date(2015, 3, 10), "广州市公安局天河分局五山派出所")
    _social_security(lib, me, "P00000001", date(2019, 3, 15))


def _elderly(lib: Library) -> None:
    me = persona("elderly").person
    _id_card(lib, me, date(2008, 5, 20), LONG_TERM, "广州市公安局越秀分局")
    _household_register(lib, me, me, "本人", "440104P00002-01", date(1975, 6, 1), "广州市公安局越秀分局东山派出所")
    _social_security(lib, me, "P00000002", date(2018, 9, 3))
    issued = date(2013, 10, 8)
    data = {
        "card_number": "51P0000002",
        "holder_name": me.name,
        "id_number": me.id_number,
        "card_type": "free_65_plus",
        "issue_date": issued,
    }
    lib.add("SENIOR_CARD", me, "51P0000002", issued, data)


def _minor_guardian(lib: Library) -> None:
    family = persona("minor_guardian")
    mother, (father, child) = family.person, family.relatives
    station = "广州市公安局海珠分局琶洲派出所"
    _id_card(lib, mother, date(2013, 7, 1), date(2033, 7, 1), "广州市公安局海珠分局")
    _id_card(lib, father, date(2011, 3, 1), date(2031, 3, 1), "广州市公安局海珠分局")
    for index, (member, relation, moved_in) in enumerate(
        ((father, "本人", date(2014, 7, 1)), (mother, "配偶", date(2014, 7, 1)), (child, "女", date(2016, 9, 20))),
        start=1,
    ):
        _household_register(lib, member, father, relation, f"440105P00003-{index:02d}", moved_in, station)
    wedding, number = date(2014, 5, 20), "J440105-2014-P00003"
    for index, (holder, spouse) in enumerate(((father, mother), (mother, father)), start=1):
        data = {
            "holder_name": holder.name,
            "holder_id_number": holder.id_number,
            "spouse_name": spouse.name,
            "spouse_id_number": spouse.id_number,
            "registration_date": wedding,
            "certificate_number": number,
            "registration_authority": "广州市海珠区民政局",
        }
        lib.add("MARRIAGE_CERT", holder, f"{number}-{index}", wedding, data)
    birth = {
        "certificate_number": "P440000003",
        "baby_name": child.name,
        "baby_sex": child.sex,
        "birth_date": child.birth_date,
        "birth_place": "广东省广州市海珠区",
        "hospital": "广州市妇女儿童医疗中心",
        "mother_name": mother.name,
        "mother_id_number": mother.id_number,
        "father_name": father.name,
        "father_id_number": father.id_number,
    }
    lib.add("BIRTH_MEDICAL_CERT", child, "P440000003", date(2016, 9, 2), birth)


def _non_local(lib: Library) -> None:
    me = persona("non_local").person
    _id_card(lib, me, date(2021, 12, 1), date(2041, 12, 1), "长沙市公安局岳麓分局")
    issued, number = date(2024, 3, 1), "4401132024P00004"
    data = {
        "holder_name": me.name,
        "id_number": me.id_number,
        "permit_number": number,
        "residence_address": "广东省广州市番禺区小谷围街道大学城外环西路100号",
        "division_code": "440113",
        "issue_date": issued,
        "valid_until": add_years(issued, 3),
    }
    lib.add("RESIDENCE_PERMIT", me, number, issued, data, add_years(issued, 3))


def _hongkong(lib: Library) -> None:
    me = persona("hongkong").person
    issued, until = date(2024, 9, 1), date(2029, 8, 31)
    data = {
        "holder_name": me.name,
        "id_number": me.id_number,
        "travel_permit_number": "H60817234",
        "residence_address": me.address,
        "valid_until": until,
    }
    lib.add("HKMT_RESIDENCE_PERMIT", me, me.id_number, issued, data, until)


def _business_owner(lib: Library) -> None:
    me = persona("business_owner").person
    _id_card(lib, me, date(2010, 4, 1), date(2030, 4, 1), "广州市公安局白云分局")
    _household_register(lib, me, me, "本人", "440111P00006-01", date(2006, 8, 1), "广州市公安局白云分局景泰派出所")
    _social_security(lib, me, "P00000006", date(2018, 4, 2))
    code, name, established = _credit_code("440111"), "广州市白云区郑记茶餐厅", date(2015, 8, 18)
    premises = "广东省广州市白云区景泰街道广园中路218号首层"
    licence = {
        "entity_name": name,
        "credit_code": code,
        "entity_type": "individual_business",
        "legal_representative": me.name,
        "registered_capital": "100000.00",
        "established_date": established,
        "address": premises,
        "business_scope": "餐饮服务；饮料及冷饮服务",
        "registration_authority": "广州市白云区市场监督管理局",
    }
    lib.add("BUSINESS_LICENSE", me, code, established, licence)
    issued, until, number = date(2025, 8, 18), date(2030, 8, 17), "JY24401110P0006"
    food = {
        "license_number": number,
        "operator_name": name,
        "credit_code": code,
        "legal_representative": me.name,
        "premises_address": premises,
        "business_format": "catering_service",
        "business_items": "热食类食品制售；冷食类食品制售",
        "valid_until": until,
    }
    lib.add("FOOD_BUSINESS_LICENSE", me, number, issued, food, until)


def persona_certificates(today: date = date(2026, 1, 1)) -> list[CertificateRecord]:
    """Every certificate of the personas and their relatives (none issued after `today`)."""
    lib = Library(today)
    for build in (_resident, _elderly, _minor_guardian, _non_local, _hongkong, _business_owner):
        build(lib)
    return lib.records


def wallet(key: str) -> list[CertificateType]:
    """The types of the certificates the persona `key` holds, in the order they were issued to them."""
    holder = persona(key).person.id_number
    return [certificate_types()[r.type_code] for r in persona_certificates() if r.holder_id_number == holder]
