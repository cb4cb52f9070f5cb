"""A deterministic stand-in for the city's certificate library (电子证照库), coherent with the population.

`generate_certificates` gives every resident of the synthetic population (standins.population.generate)
the certificates their family and history imply: ID cards from 16, the household register or a residence
permit, marriage and birth certificates that name the right relatives, degrees, licences, cards, a home.

Conventions:
- Deterministic: each household draws from its own `random.Random(f"{seed}/{household_id}")`, and
  serial numbers follow the input order, so the same people, `today` and `seed` give identical records.
  Nothing reads the clock. A certificate that would be issued after `today` does not exist yet (with
  `today` before the population's own date, say a marriage registered later is left out).
- Long-term validity (长期: ID cards issued at 46 or over, driving licences after the second renewal):
  the record's `valid_until` is None and the `valid_until` date field holds "9999-12-31" (`LONG_TERM`),
  so the field stays a date and "valid_until > today" still holds.
- One certificate per type and holder (their highest degree, one vehicle, one business, one home).
- `number` is unique within its type. A married couple's marriage certificate (结婚证字号) is one
  `certificate_number` held twice: the husband's record is numbered "<certificate_number>-1", the wife's
  "<certificate_number>-2". Joint owners of a home each hold their own 不动产权证书 (own number, same
  `unit_number`), as registries issue one to each co-owner who asks.
- Enterprise certificates (BUSINESS_LICENSE, FOOD_BUSINESS_LICENSE) are held by the legal representative.
- About 80% of households hold a Guangzhou hukou (HOUSEHOLD_REGISTER for every member); the adults of the
  others hold a RESIDENCE_PERMIT for their district. The demo family is always a hukou household.
- Person-level certificates take their address and ID-card authority from the registry record, even for
  residents without a local hukou (the registry holds nothing else).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date

from backend.certificates.models import CertificateRecord
from backend.identity.registry import Person
from standins.certificates.builder import DAY, LONG_TERM, Library, Place, add_years, age_on, between, place_of
from standins.certificates.business import business
from standins.certificates.people import (
    disability,
    driving,
    education,
    hk_macao,
    id_card,
    provident_fund,
    senior,
    social_security,
)
from standins.population.generate import DEMO_PHONE

__all__ = ["LONG_TERM", "certificates_by_holder", "generate_certificates"]

_HOSPITALS = [
    "广东省妇幼保健院",
    "广州市妇女儿童医疗中心",
    "中山大学附属第一医院",
    "广东省人民医院",
    "南方医科大学南方医院",
    "暨南大学附属第一医院",
    "广州医科大学附属第三医院",
]
_FIRST_BIRTH_CERTIFICATES = date(1996, 1, 1)  # 出生医学证明 exist since 1996


def generate_certificates(
    people: list[Person], *, today: date = date(2026, 1, 1), seed: int = 20240101
) -> list[CertificateRecord]:
    """Every certificate the library holds for `people`, household by household (deterministic)."""
    lib = Library(today)
    living = [p for p in people if p.birth_date <= today]
    households: dict[str, list[Person]] = {}
    for person in living:
        households.setdefault(person.household_id, []).append(person)
    for household_id, members in households.items():
        _household(lib, members, random.Random(f"{seed}/{household_id}"))
    return lib.records


def certificates_by_holder(records: Iterable[CertificateRecord]) -> dict[str, list[CertificateRecord]]:
    """Records grouped by holder ID number, in their original order."""
    grouped: dict[str, list[CertificateRecord]] = {}
    for record in records:
        grouped.setdefault(record.holder_id_number, []).append(record)
    return grouped


def _household(lib: Library, members: list[Person], rng: random.Random) -> None:
    place = place_of(members[0])
    demo_household = any(p.phone == DEMO_PHONE for p in members)
    head = _householder(members, lib.today)
    weddings = _marriages(lib, members, place, rng)
    hukou = demo_household or rng.random() < 0.8
    if hukou:
        _household_register(lib, members, head, weddings, place, rng)
    else:
        for person in members:
            _residence_permit(lib, person, place, rng)
    by_id = {p.id_number: p for p in members}
    for person in members:
        father, mother = by_id.get(person.father_id_number or ""), by_id.get(person.mother_id_number or "")
        if father and mother and person.birth_date >= _FIRST_BIRTH_CERTIFICATES:
            _birth(lib, person, father, mother, place, rng)
    if demo_household or rng.random() < 0.5:
        _real_estate(lib, head, by_id.get(head.spouse_id_number or ""), weddings.get(head.id_number), place, rng)
    for person in members:
        demo = person.phone == DEMO_PHONE
        id_card(lib, person, place, rng)
        studied = education(lib, person, rng, demo)
        social_security(lib, person, rng, demo)
        provident_fund(lib, person, rng, demo, studied)
        driving(lib, person, rng, demo)
        hk_macao(lib, person, rng)
        senior(lib, person, rng)
        disability(lib, person, rng)
        business(lib, person, place, rng, demo)


def _householder(members: list[Person], today: date) -> Person:
    """The first adult man, else the first member whose parents are not in the household."""
    ids = {m.id_number for m in members}
    adult_men = [m for m in members if m.sex == "male" and age_on(m.birth_date, today) >= 18]
    orphans = (m for m in members if m.father_id_number not in ids and m.mother_id_number not in ids)
    return adult_men[0] if adult_men else next(orphans, members[0])


def _relation(person: Person, head: Person) -> str:
    """与户主关系 as the register writes it."""
    parents = {person.father_id_number, person.mother_id_number}
    if person.id_number == head.id_number:
        return "本人"
    if person.id_number == head.spouse_id_number:
        return "配偶"
    if head.id_number in parents or (head.spouse_id_number and head.spouse_id_number in parents):
        return "子" if person.sex == "male" else "女"
    if person.id_number in (head.father_id_number, head.mother_id_number):
        return "父" if person.sex == "male" else "母"
    return "其他"


def _marriages(lib: Library, members: list[Person], place: Place, rng: random.Random) -> dict[str, date]:
    """Both spouses' marriage certificates; the wedding date by spouse ID number."""
    by_id = {p.id_number: p for p in members}
    weddings: dict[str, date] = {}
    for husband in members:
        wife = by_id.get(husband.spouse_id_number or "")
        if husband.sex != "male" or wife is None or husband.marital_status != "married":
            continue
        # At legal age (22 for men, 20 for women), and before their first child is born: a month
        # before if possible. The law wins should the population make a father a few days short of 22.
        lo = max(add_years(husband.birth_date, 22), add_years(wife.birth_date, 20))
        first = min((p.birth_date for p in members if p.father_id_number == husband.id_number), default=None)
        hi = lib.today if first is None else min(lib.today, max(first - 30 * DAY, min(lo, first - DAY)))
        registered = max(lo, min(between(rng, lo, min(hi, add_years(lo, 10))), hi))
        number = f"J{place.district}-{registered.year}-{lib.unique('MARRIAGE_CERT', 6)}"
        for index, (holder, spouse) in enumerate(((husband, wife), (wife, husband)), start=1):
            lib.add(
                "MARRIAGE_CERT",
                holder,
                f"{number}-{index}",
                registered,
                {
                    "holder_name": holder.name,
                    "holder_id_number": holder.id_number,
                    "spouse_name": spouse.name,
                    "spouse_id_number": spouse.id_number,
                    "registration_date": registered,
                    "certificate_number": number,
                    "registration_authority": f"广州市{place.district_name}民政局",
                },
            )
            weddings[holder.id_number] = registered
    return weddings


def _household_register(
    lib: Library, members: list[Person], head: Person, weddings: dict[str, date], place: Place, rng: random.Random
) -> None:
    """A register page for every member of a hukou household."""
    today = lib.today
    # The household settled at its address between the householder's 20th birthday and their first child.
    births = [p.birth_date for p in members if _relation(p, head) in ("子", "女")]
    settled = between(rng, min(add_years(head.birth_date, 20), today), min([today, *births]))
    household_number = f"{place.district}{lib.unique('household', 6)}"
    for index, person in enumerate(members, start=1):
        relation = _relation(person, head)
        if relation in ("子", "女"):  # registered within weeks of birth, or with the household
            moved_in = max(settled, person.birth_date + rng.randrange(7, 40) * DAY)
        elif relation == "配偶":
            moved_in = max(settled, weddings.get(person.id_number, settled) + rng.randrange(60) * DAY)
        elif relation == "本人":
            moved_in = settled
        else:
            moved_in = settled + rng.randrange(730) * DAY
        moved_in = max(min(moved_in, today), person.birth_date)
        number = f"{household_number}-{index:02d}"
        lib.add(
            "HOUSEHOLD_REGISTER",
            person,
            number,
            moved_in,
            {
                "name": person.name,
                "id_number": person.id_number,
                "householder_name": head.name,
                "relation_to_householder": relation,
                "household_type": "family",
                "address": person.address,
                "division_code": place.district,
                "police_station": place.police_station,
                "moved_in_date": moved_in,
            },
        )


def _residence_permit(lib: Library, person: Person, place: Place, rng: random.Random) -> None:
    """A Guangdong residence permit (three years, renewed) for an adult without a local hukou."""
    today = lib.today
    if age_on(person.birth_date, today) < 18:
        return
    issued = between(rng, max(add_years(person.birth_date, 18), add_years(today, -3) + DAY), today)
    until = add_years(issued, 3)
    number = f"{place.district}{issued.year}{lib.unique('RESIDENCE_PERMIT', 6)}"
    lib.add(
        "RESIDENCE_PERMIT",
        person,
        number,
        issued,
        {
            "holder_name": person.name,
            "id_number": person.id_number,
            "permit_number": number,
            "residence_address": person.address,
            "division_code": place.district,
            "issue_date": issued,
            "valid_until": until,
        },
        until,
    )


def _birth(lib: Library, child: Person, father: Person, mother: Person, place: Place, rng: random.Random) -> None:
    """The birth medical certificate naming both parents, and a vaccination certificate under 7."""
    today, born = lib.today, child.birth_date
    letter = "ABCDEFGHJKLMNPQRSTUVW"[(born.year - 1996) // 2 % 21]  # a new print series every two years
    number = f"{letter}44{lib.unique('BIRTH_MEDICAL_CERT', 7)}"
    lib.add(
        "BIRTH_MEDICAL_CERT",
        child,
        number,
        min(born + rng.randrange(1, 5) * DAY, today),
        {
            "certificate_number": number,
            "baby_name": child.name,
            "baby_sex": child.sex,
            "birth_date": born,
            "birth_place": f"广东省广州市{place.district_name}",
            "hospital": rng.choice(_HOSPITALS),
            "mother_name": mother.name,
            "mother_id_number": mother.id_number,
            "father_name": father.name,
            "father_id_number": father.id_number,
        },
    )
    if age_on(born, today) >= 7:
        return
    number = f"{place.district}{born.year}{lib.unique('VACCINATION_CERT', 5)}"
    lib.add(
        "VACCINATION_CERT",
        child,
        number,
        min(born + rng.randrange(1, 30) * DAY, today),
        {
            "certificate_number": number,
            "child_name": child.name,
            "child_sex": child.sex,
            "birth_date": born,
            "issuing_clinic": f"{place.district_name}{place.street_short}街社区卫生服务中心",
        },
    )


def _real_estate(
    lib: Library, head: Person, spouse: Person | None, wedding: date | None, place: Place, rng: random.Random
) -> None:
    """The household's home, owned by the householder, jointly with their spouse when married."""
    joint = spouse is not None and wedding is not None
    # The library holds 不动产权证书, issued since unified registration began in 2016.
    lo = max(add_years(head.birth_date, 23), wedding if joint and wedding else date.min, date(2016, 1, 1))
    if lo > lib.today:
        return
    registered = between(rng, lo, lib.today)
    floor, room = rng.randrange(1, 33), rng.randrange(1, 9)
    location = head.address if head.address.endswith("房") else f"{head.address}{floor}{room:02d}房"
    unit = (
        f"{place.district}{head.region_code[6:]}{rng.randrange(1, 999):03d}GB"
        f"{lib.unique('real_estate_unit', 5)}F{rng.randrange(1, 99):04d}{floor * 100 + room:04d}"
    )
    usage = "residential" if rng.random() < 0.95 else "commercial"
    area = rng.randint(45, 160)
    for owner in [head, spouse] if joint and spouse else [head]:
        number = f"粤（{registered.year}）广州市不动产权第{lib.unique('REAL_ESTATE_CERT', 7)}号"
        lib.add(
            "REAL_ESTATE_CERT",
            owner,
            number,
            registered,
            {
                "certificate_number": number,
                "unit_number": unit,
                "owner_name": owner.name,
                "owner_id_number": owner.id_number,
                "location": location,
                "usage": usage,
                "floor_area": area,
                "ownership": "joint" if joint else "sole",
                "registration_date": registered,
            },
        )
