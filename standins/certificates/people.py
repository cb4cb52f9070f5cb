"""Per-person certificates of the certificate library stand-in: ID cards, degrees, social security and
provident fund cards, driving licences and vehicles, travel permits, senior and disability cards.
The conventions are documented in standins/certificates/library.py."""

from __future__ import annotations

import random
from datetime import date

from backend.identity.registry import Person
from standins.certificates.builder import (
    DAY,
    LONG_TERM,
    Library,
    Place,
    add_years,
    age_on,
    between,
    money,
)


def id_card(lib: Library, person: Person, place: Place, rng: random.Random) -> None:
    """The resident ID card of everyone aged 16 or more, renewed on expiry."""
    born, today = person.birth_date, lib.today
    sixteen = add_years(born, 16)
    if sixteen > today:
        return
    # Second-generation cards replaced the old ones from 2004 to 2013; the young apply soon after 16.
    start = date(2004, 3, 29)
    if sixteen < start:
        issued = between(rng, start, date(2013, 12, 31))
    else:
        issued = between(rng, sixteen, min(sixteen + 180 * DAY, today))
    while True:
        age = age_on(born, issued)
        until = add_years(issued, 10) if age < 26 else add_years(issued, 20) if age < 46 else LONG_TERM
        if until > today:
            break
        issued = until - rng.randrange(60) * DAY  # the renewal is applied for shortly before expiry
    data = {
        "name": person.name,
        "sex": person.sex,
        "ethnicity": person.ethnicity,
        "birth_date": born,
        "address": person.address,
        "id_number": person.id_number,
        "issuing_authority": place.police,
        "valid_from": issued,
        "valid_until": until,
    }
    lib.add("ID_CARD", person, person.id_number, issued, data, until)


_UNIVERSITIES = [
    ("中山大学", "10558"),
    ("华南理工大学", "10561"),
    ("暨南大学", "10559"),
    ("华南师范大学", "10574"),
    ("广东工业大学", "11845"),
    ("广州大学", "11078"),
    ("华南农业大学", "10564"),
    ("广东外语外贸大学", "11846"),
]


_COLLEGES = [("广州番禺职业技术学院", "12046"), ("广东轻工职业技术学院", "10833"), ("广州城市职业学院", "14263")]


_MAJORS = [
    ("工学", "计算机科学与技术"),
    ("工学", "土木工程"),
    ("管理学", "会计学"),
    ("经济学", "金融学"),
    ("文学", "汉语言文学"),
    ("医学", "临床医学"),
    ("法学", "法学"),
    ("理学", "数学与应用数学"),
]


_AWARD_AGE = {"junior_college": 21, "bachelor": 22, "master": 25, "doctor": 28}


_LEVEL_DIGIT = {"junior_college": "6", "bachelor": "5", "master": "2", "doctor": "1"}  # in graduation numbers


_DEGREE_DIGIT = {"bachelor": "4", "master": "3", "doctor": "2"}  # in degree numbers


def education(lib: Library, person: Person, rng: random.Random, demo: bool) -> date | None:
    """Graduation (and, above junior college, degree) certificates for a share of adults; when study ended."""
    born = person.birth_date
    share = 0.45 if born.year >= 1985 else 0.3 if born.year >= 1970 else 0.12  # higher education grew
    if not demo and rng.random() >= share:
        return None
    levels = ["junior_college", "bachelor", "master", "doctor"]
    level = "master" if demo else rng.choices(levels, [30, 50, 15, 5])[0]
    year = born.year + _AWARD_AGE[level] + (0 if demo else rng.choice([0, 0, 0, 1, 2]))
    day = date(year, 6, 20 + (8 if demo else rng.randrange(11)))
    if day > lib.today:  # still studying
        return None
    institution, code = rng.choice(_COLLEGES if level == "junior_college" else _UNIVERSITIES)
    discipline, major = rng.choice(_MAJORS)
    number = f"{code}1{year}{_LEVEL_DIGIT[level]}{lib.unique('GRADUATION_CERT', 7)}"
    lib.add(
        "GRADUATION_CERT",
        person,
        number,
        day,
        {
            "holder_name": person.name,
            "id_number": person.id_number,
            "education_level": level,
            "institution": institution,
            "major": major,
            "graduation_year": year,
            "graduation_date": day,
            "certificate_number": number,
        },
    )
    if level != "junior_college":
        number = f"{code}{_DEGREE_DIGIT[level]}{year}{lib.unique('DEGREE_CERT', 6)}"
        lib.add(
            "DEGREE_CERT",
            person,
            number,
            day,
            {
                "holder_name": person.name,
                "id_number": person.id_number,
                "degree": level,
                "discipline": f"{discipline}（{major}）",
                "institution": institution,
                "award_date": day,
                "certificate_number": number,
            },
        )
    return day


_BANKS = ["中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "交通银行", "广州银行", "广州农村商业银行"]


_EMPLOYERS = [
    "广州天河软件科技有限公司",
    "广州穗丰贸易有限公司",
    "广州市第一人民医院",
    "广州地铁集团有限公司",
    "中国南方电网有限责任公司",
    "广州汽车集团股份有限公司",
    "广州市越秀区人民政府",
    "广州嘉禾物流有限公司",
    "广州华创电子有限公司",
    "广州酒家集团股份有限公司",
]


def social_security(lib: Library, person: Person, rng: random.Random, demo: bool) -> None:
    """A social security card for most adults (retirees keep theirs for medical insurance)."""
    age = age_on(person.birth_date, lib.today)
    if age < 18 or not (demo or rng.random() < (0.88 if age < 65 else 0.7)):
        return
    issued = between(rng, max(add_years(person.birth_date, 18), date(2018, 1, 1)), lib.today)  # third generation
    status = "active" if demo else rng.choices(["active", "reported_lost", "suspended"], [94, 4, 2])[0]
    number = rng.choice("ABCDEFGH") + lib.unique("SOCIAL_SECURITY_CARD", 8)
    lib.add(
        "SOCIAL_SECURITY_CARD",
        person,
        number,
        issued,
        {
            "holder_name": person.name,
            "id_number": person.id_number,
            "card_number": number,
            "bank": rng.choice(_BANKS),
            "issue_date": issued,
            "card_status": status,
        },
    )


def provident_fund(lib: Library, person: Person, rng: random.Random, demo: bool, studied: date | None) -> None:
    """A housing provident fund account for most working adults; sealed or closed after retirement."""
    today, age = lib.today, age_on(person.birth_date, lib.today)
    if age < 18 or not (demo or rng.random() < (0.72 if age < 60 else 0.3)):
        return
    start = max(add_years(person.birth_date, 18), studied or date.min, date(1999, 1, 1)) + rng.randrange(15, 120) * DAY
    if start > today - 31 * DAY:
        return
    opened = between(rng, start, min(today - 31 * DAY, add_years(start, 3)))  # a first job within a few years
    months = (today.year - opened.year) * 12 + today.month - opened.month - (today.day < opened.day)
    if age >= 60:
        status = rng.choice(["sealed", "closed"])
    else:
        status = "normal" if demo else rng.choices(["normal", "sealed", "closed"], [88, 9, 3])[0]
    continuous = 0
    if status == "normal":  # a change of employer restarts the count
        continuous = months if rng.random() < 0.55 else rng.randint(min(36 if demo else 1, months), months)
    deposit = rng.randrange(300, 6000) * 100
    balance = 0 if status == "closed" else int(deposit * months * rng.uniform(0.15, 0.9))
    number = "1" + lib.unique("PROVIDENT_FUND_ACCOUNT", 11)
    lib.add(
        "PROVIDENT_FUND_ACCOUNT",
        person,
        number,
        opened,
        {
            "holder_name": person.name,
            "id_number": person.id_number,
            "account_number": number,
            "employer_name": rng.choice(_EMPLOYERS),
            "account_status": status,
            "monthly_deposit": money(deposit),
            "balance": money(balance),
            "continuous_months": continuous,
            "opened_date": opened,
        },
    )


def driving(lib: Library, person: Person, rng: random.Random, demo: bool) -> None:
    """A driving licence for ~60% of adults 18 to 70, and a vehicle for some of the valid ones."""
    today, born = lib.today, person.birth_date
    if not 18 <= age_on(born, today) <= 70 or not (demo or rng.random() < 0.6):
        return
    first = date(2012, 9, 14) if demo else between(rng, max(add_years(born, 18), date(1990, 1, 1)), today)
    license_class = "C1" if demo else rng.choices(["C1", "C2", "B2", "A1", "A2", "B1", "D"], [84, 8, 3, 1, 1, 1, 2])[0]
    status = "valid" if demo else rng.choices(["valid", "expired", "suspended", "revoked"], [92, 4, 3, 1])[0]
    # Six years for a first licence, ten for the first renewal, long-term after the second.
    issued, until = first, add_years(first, 6)
    if status == "expired" and until > today:
        status = "valid"  # too recent to have lapsed
    for following in (add_years(until, 10), LONG_TERM):
        if status != "expired" and until <= today:
            issued, until = until, following
    number = "4401" + lib.unique("DRIVING_LICENSE", 8)
    lib.add(
        "DRIVING_LICENSE",
        person,
        number,
        issued,
        {
            "holder_name": person.name,
            "id_number": person.id_number,
            "license_class": license_class,
            "first_issue_date": first,
            "valid_until": until,
            "file_number": number,
            "status": status,
        },
        until,
    )
    if status == "valid" and (demo or rng.random() < 0.45):
        _vehicle(lib, person, rng, first, demo)


_VIN_VALUE = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}


_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


_VIN_YEARS = "ABCDEFGHJKLMNPRSTVWXY123456789"  # model-year codes from 1980, repeating every 30 years


_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def _vin(rng: random.Random, registered: date, serial: str, electric: bool) -> str:
    """A vehicle identification number with a valid check digit (GB 16735, position 9)."""
    wmi = rng.choice(["LGX", "LRW"] if electric else ["LSV", "LFV", "LVG", "LHG", "LDC"])
    vds = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(5))
    tail = _VIN_YEARS[(registered.year - 1980) % 30] + rng.choice("ABCDEFGH0123456789") + serial
    total = sum(_VIN_VALUE[c] * w for c, w in zip(wmi + vds + "0" + tail, _VIN_WEIGHTS, strict=True))
    return wmi + vds + ("X" if total % 11 == 10 else str(total % 11)) + tail


def _vehicle(lib: Library, person: Person, rng: random.Random, since: date, demo: bool) -> None:
    kinds = ["small_passenger", "mini_passenger", "light_truck"]
    kind = "small_passenger" if demo else rng.choices(kinds, [90, 5, 5])[0]
    fuels = ["petrol", "battery_electric", "plug_in_hybrid", "hybrid", "diesel"]
    fuel = "diesel" if kind == "light_truck" else rng.choices(fuels, [58, 20, 12, 8, 2])[0]
    registered, serial = between(rng, since, lib.today), lib.unique("VEHICLE_LICENSE", 6)
    # New-energy plates have six characters after 粤A (D battery, F hybrid); the others five.
    electric = fuel in ("battery_electric", "plug_in_hybrid")
    tail = ("D" if fuel == "battery_electric" else "F") + serial[-5:] if electric else None
    plate = "粤A" + (tail or rng.choice(_PLATE_LETTERS) + serial[-4:])
    lib.add(
        "VEHICLE_LICENSE",
        person,
        plate,
        registered,
        {
            "plate_number": plate,
            "vehicle_type": kind,
            "owner_name": person.name,
            "use_character": "non_operating" if demo or rng.random() < 0.95 else "operating",
            "vin": _vin(rng, registered, serial, electric),
            "fuel_type": fuel,
            "register_date": registered,
        },
    )


def hk_macao(lib: Library, person: Person, rng: random.Random) -> None:
    """An exit-entry permit for Hong Kong and Macao (ten years for those 16 or over) for ~40% of adults."""
    today = lib.today
    if age_on(person.birth_date, today) < 18 or rng.random() >= 0.4:
        return
    issued = between(rng, max(add_years(person.birth_date, 16), add_years(today, -10) + DAY), today)
    until = add_years(issued, 10) - DAY
    number = "C" + lib.unique("HK_MACAO_PERMIT", 8)
    lib.add(
        "HK_MACAO_PERMIT",
        person,
        number,
        issued,
        {
            "holder_name": person.name,
            "id_number": person.id_number,
            "permit_number": number,
            "issue_date": issued,
            "valid_until": until,
        },
        until,
    )


def senior(lib: Library, person: Person, rng: random.Random) -> None:
    """A senior card for everyone 60 or over: a discount card at 60-64, a free-travel card from 65."""
    age = age_on(person.birth_date, lib.today)
    if age < 60:
        return
    free = age >= 65  # the card is exchanged at 65, so its issue date follows that birthday
    issued = between(rng, max(add_years(person.birth_date, 65 if free else 60), date(2010, 1, 1)), lib.today)
    number = "51" + lib.unique("SENIOR_CARD", 8)
    lib.add(
        "SENIOR_CARD",
        person,
        number,
        issued,
        {
            "card_number": number,
            "holder_name": person.name,
            "id_number": person.id_number,
            "card_type": "free_65_plus" if free else "discount_60_64",
            "issue_date": issued,
        },
    )


_DISABILITIES = ["visual", "hearing", "speech", "physical", "intellectual", "mental", "multiple"]


def disability(lib: Library, person: Person, rng: random.Random) -> None:
    """A disability certificate (ten-year validity) for ~2% of residents."""
    if rng.random() >= 0.02:
        return
    lo = max(person.birth_date + 180 * DAY, add_years(lib.today, -10) + DAY)
    if lo > lib.today:
        return
    category = rng.choices(range(len(_DISABILITIES)), [12, 18, 2, 45, 8, 10, 5])[0]
    grade = rng.choices("1234", [10, 20, 30, 40])[0]
    issued = between(rng, lo, lib.today)
    until = add_years(issued, 10)
    number = f"{person.id_number}{category + 1}{grade}"  # the real layout: ID number, category, grade
    lib.add(
        "DISABILITY_CERT",
        person,
        number,
        issued,
        {
            "certificate_number": number,
            "holder_name": person.name,
            "id_number": person.id_number,
            "disability_category": _DISABILITIES[category],
            "disability_grade": grade,
            "valid_until": until,
        },
        until,
    )
