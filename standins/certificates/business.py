"""Enterprise certificates of the certificate library stand-in: a business licence and, for food trades,
a food business licence, held by the legal representative."""

from __future__ import annotations

import random
from datetime import date

from backend.certificates.credit_codes import make_credit_code
from backend.identity.registry import Person
from standins.certificates.builder import (
    DAY,
    Library,
    Place,
    add_years,
    age_on,
    between,
    money,
)
from standins.population.generate import ROADS

# (name suffix, business scope, food business format or None, is a company)
_TRADES = [
    ("便利店", "日用百货、预包装食品零售", "food_retail", False),
    ("餐饮店", "餐饮服务", "catering_service", False),
    ("茶餐厅", "餐饮服务；饮料及冷饮服务", "catering_service", False),
    ("理发店", "理发及美容服务", None, False),
    ("五金店", "五金产品零售", None, False),
    ("服装店", "服装零售", None, False),
    ("科技有限公司", "软件开发；信息技术咨询服务", None, True),
    ("贸易有限公司", "日用品批发；食品销售", "food_retail", True),
    ("餐饮管理有限公司", "餐饮服务；餐饮管理", "catering_service", True),
    ("装饰工程有限公司", "住宅室内装饰装修", None, True),
]


_BRANDS = ["恒通", "嘉禾", "瑞丰", "启明", "华创", "粤海", "南粤", "汇诚", "穗丰", "德信"]


_FOOD_ITEMS = {"food_retail": "预包装食品销售（含冷藏冷冻食品）", "catering_service": "热食类食品制售；冷食类食品制售"}


_FORMAT_DIGIT = {"food_retail": "1", "catering_service": "2", "unit_canteen": "3"}


def business(lib: Library, person: Person, place: Place, rng: random.Random, demo: bool) -> None:
    """For ~5% of adults, a business they represent in their district, with a food licence if it sells food."""
    today = lib.today
    if not 20 <= age_on(person.birth_date, today) <= 65 or not (demo or rng.random() < 0.05):
        return
    kinds = ["individual_business", "limited_company", "sole_proprietorship"]
    kind = "individual_business" if demo else rng.choices(kinds, [55, 40, 5])[0]
    trades = [t for t in _TRADES if t[3] == (kind == "limited_company")]
    suffix, scope, food, _ = trades[0] if demo else rng.choice(trades)
    brand = rng.choice(_BRANDS)
    name = {
        "individual_business": f"广州市{place.district_name}{person.name}{suffix}",
        "limited_company": f"广州{brand}{suffix}",
        "sole_proprietorship": f"广州市{brand}{suffix}（个人独资）",
    }[kind]
    # 9 = market regulation authority; entity kind 2 = individual business, 1 = enterprise.
    code = make_credit_code(
        "9", "2" if kind == "individual_business" else "1", place.district, int(lib.unique("credit_code", 8))
    )
    established = between(rng, max(add_years(person.birth_date, 20), date(2000, 1, 1)), today)
    capital = rng.randrange(1, 20) * 10_000 if kind == "individual_business" else rng.randrange(10, 500) * 10_000
    street = f"广东省广州市{place.district_name}{place.street_short}街道"
    address = f"{street}{rng.choice(ROADS)}{rng.randrange(1, 999)}号首层"
    lib.add(
        "BUSINESS_LICENSE",
        person,
        code,
        established,
        {
            "entity_name": name,
            "credit_code": code,
            "entity_type": kind,
            "legal_representative": person.name,
            "registered_capital": money(capital * 100),
            "established_date": established,
            "address": address,
            "business_scope": scope,
            "registration_authority": f"广州市{place.district_name}市场监督管理局",
        },
    )
    if food is None or not (demo or rng.random() < 0.85):
        return
    body = f"{_FORMAT_DIGIT[food]}{place.district}{lib.unique('FOOD_BUSINESS_LICENSE', 6)}"
    number = f"JY{body}{sum(map(int, body)) % 10}"
    # Valid five years, renewed on expiry.
    issued = between(rng, established, min(established + 60 * DAY, today))
    until = add_years(issued, 5)
    while until <= today:
        issued, until = until, add_years(until, 5)
    lib.add(
        "FOOD_BUSINESS_LICENSE",
        person,
        number,
        issued,
        {
            "license_number": number,
            "operator_name": name,
            "credit_code": code,
            "legal_representative": person.name,
            "premises_address": address,
            "business_format": food,
            "business_items": _FOOD_ITEMS[food],
            "valid_until": until,
        },
        until,
    )
