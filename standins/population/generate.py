"""A deterministic synthetic population for the registry stand-in: families in the city's districts.

The same seed always gives the same residents, so demo instructions and tests can name them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import msgspec

from backend.identity.numbers import check_character
from backend.identity.registry import Person

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程苏魏吕丁任沈姚卢钟"
GIVEN_MALE = [
    "伟",
    "强",
    "磊",
    "军",
    "勇",
    "杰",
    "涛",
    "斌",
    "浩",
    "宇",
    "俊",
    "晨",
    "建华",
    "志强",
    "国明",
    "子豪",
    "文博",
    "嘉豪",
    "俊杰",
    "宇轩",
]
GIVEN_FEMALE = [
    "芳",
    "敏",
    "静",
    "丽",
    "娟",
    "艳",
    "玲",
    "婷",
    "雪",
    "慧",
    "秀英",
    "美玲",
    "晓燕",
    "欣怡",
    "诗涵",
    "梓涵",
    "雨婷",
    "佳怡",
    "嘉欣",
    "紫琪",
]
ROADS = [
    "中山大道",
    "天河路",
    "体育西路",
    "黄埔大道",
    "广州大道",
    "东风路",
    "环市东路",
    "江南大道",
    "新港中路",
    "工业大道",
    "解放北路",
    "人民路",
    "番禺大道",
    "市桥路",
    "龙口西路",
    "五山路",
]

DEMO_PHONE = "13800138000"


@dataclass(frozen=True)
class Street:
    """A street (街道) to live in: its region code, district code and name."""

    code: str
    district: str
    district_name: str
    name: str


class _Numbers:
    """Unique ID numbers and phones."""

    def __init__(self) -> None:
        self.sequences: dict[tuple[str, date], int] = {}
        self.phones: set[str] = {DEMO_PHONE}

    def id_number(self, district: str, born: date, sex: str) -> str:
        n = self.sequences.get((district, born), 0)
        self.sequences[(district, born)] = n + 1
        sequence = 2 * n + (1 if sex == "male" else 0) + 10  # odd = male, even = female
        first17 = f"{district}{born:%Y%m%d}{sequence:03d}"
        return first17 + check_character(first17)

    def phone(self, rng: random.Random) -> str:
        while True:
            candidate = (
                rng.choice(["135", "137", "139", "150", "158", "186", "188", "189"]) + f"{rng.randrange(10**8):08d}"
            )
            if candidate not in self.phones:
                self.phones.add(candidate)
                return candidate


def _born(rng: random.Random, oldest: int, youngest: int, today: date) -> date:
    start = date(today.year - oldest, 1, 1)
    end = date(today.year - youngest, 12, 31)
    return start + timedelta(days=rng.randrange((end - start).days))


def generate(
    streets: list[Street], households: int = 420, seed: int = 20240101, today: date | None = None
) -> list[Person]:
    """Couples with children, some with a widowed parent, spread over `streets`; the demo family first."""
    rng = random.Random(seed)
    today = today or date(2026, 1, 1)
    numbers = _Numbers()
    people: list[Person] = list(_demo_family(streets, numbers))
    for index in range(households):
        people.extend(_household(rng, streets, numbers, f"H{index + 1:05d}", today))
    return people


def _person(
    numbers: _Numbers,
    rng: random.Random | None,
    street: Street,
    address: str,
    household: str,
    *,
    name: str,
    sex: str,
    born: date,
    phone: str | None,
    marital: str,
    spouse: str | None = None,
    father: str | None = None,
    mother: str | None = None,
    id_number: str | None = None,
) -> Person:
    return Person(
        id_number=id_number or numbers.id_number(street.district, born, sex),
        name=name,
        sex=sex,
        birth_date=born,
        ethnicity="汉族",
        address=address,
        region_code=street.code,
        phone=phone,
        marital_status=marital,
        spouse_id_number=spouse,
        father_id_number=father,
        mother_id_number=mother,
        household_id=household,
    )


def _demo_family(streets: list[Street], numbers: _Numbers) -> Iterator[Person]:
    """The documented demo citizen: 李明 of Tianhe, married to 王芳, father of 李小雨."""
    street = next((s for s in streets if s.district == "440106"), streets[0])
    address = f"广东省广州市{street.district_name}{street.name}天河路385号1502房"
    husband_id = numbers.id_number(street.district, date(1988, 3, 15), "male")
    wife_id = numbers.id_number(street.district, date(1990, 7, 22), "female")
    child_id = numbers.id_number(street.district, date(2019, 5, 8), "female")
    yield _person(
        numbers,
        None,
        street,
        address,
        "H00000",
        name="李明",
        sex="male",
        born=date(1988, 3, 15),
        phone=DEMO_PHONE,
        marital="married",
        spouse=wife_id,
        id_number=husband_id,
    )
    yield _person(
        numbers,
        None,
        street,
        address,
        "H00000",
        name="王芳",
        sex="female",
        born=date(1990, 7, 22),
        phone="13800138001",
        marital="married",
        spouse=husband_id,
        id_number=wife_id,
    )
    numbers.phones.add("13800138001")
    yield _person(
        numbers,
        None,
        street,
        address,
        "H00000",
        name="李小雨",
        sex="female",
        born=date(2019, 5, 8),
        phone=None,
        marital="single",
        father=husband_id,
        mother=wife_id,
        id_number=child_id,
    )


def _household(
    rng: random.Random, streets: list[Street], numbers: _Numbers, household: str, today: date
) -> list[Person]:
    street = rng.choice(streets)
    address = f"广东省广州市{street.district_name}{street.name}{rng.choice(ROADS)}{rng.randrange(1, 999)}号"
    surname, wife_surname = rng.choice(SURNAMES), rng.choice(SURNAMES)
    husband_born = _born(rng, 75, 24, today)
    wife_born = husband_born + timedelta(days=rng.randrange(-1500, 1500))
    husband_id = numbers.id_number(street.district, husband_born, "male")
    wife_id = numbers.id_number(street.district, wife_born, "female")
    married = rng.random() < 0.85
    members = [
        _person(
            numbers,
            rng,
            street,
            address,
            household,
            name=surname + rng.choice(GIVEN_MALE),
            sex="male",
            born=husband_born,
            phone=numbers.phone(rng),
            marital="married" if married else "single",
            spouse=wife_id if married else None,
            id_number=husband_id,
        ),
    ]
    if not married:
        return members
    members.append(
        _person(
            numbers,
            rng,
            street,
            address,
            household,
            name=wife_surname + rng.choice(GIVEN_FEMALE),
            sex="female",
            born=wife_born,
            phone=numbers.phone(rng),
            marital="married",
            spouse=husband_id,
            id_number=wife_id,
        )
    )
    youngest_parent = max(husband_born, wife_born)
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
        earliest = youngest_parent + timedelta(days=365 * 22)
        if earliest >= today:
            break
        born = earliest + timedelta(days=rng.randrange(max((today - earliest).days, 1)))
        sex = rng.choice(["male", "female"])
        given = rng.choice(GIVEN_MALE if sex == "male" else GIVEN_FEMALE)
        adult = (today - born).days >= 18 * 365
        members.append(
            _person(
                numbers,
                rng,
                street,
                address,
                household,
                name=surname + given,
                sex=sex,
                born=born,
                phone=numbers.phone(rng) if adult else None,
                marital="single",
                father=husband_id,
                mother=wife_id,
            )
        )
    if rng.random() < 0.25:
        born = husband_born - timedelta(days=365 * rng.randrange(22, 35))
        members.append(
            _person(
                numbers,
                rng,
                street,
                address,
                household,
                name=rng.choice(SURNAMES) + rng.choice(GIVEN_FEMALE),
                sex="female",
                born=born,
                phone=None,
                marital="widowed",
            )
        )
        # The grandmother is the husband's mother.
        members[0] = msgspec.structs.replace(members[0], mother_id_number=members[-1].id_number)
    return members
