"""What a query wants done (a first issue, a replacement, a renewal, a cancellation) chooses between sibling
services for one thing; on a small catalog made for the purpose (not the demo's)."""

from __future__ import annotations

import pytest

from backend.search.build import matter_document
from backend.search.index import SearchIndex
from backend.search.intent import FIRST, document_intents, query_intents, siblings, thing
from backend.search.query import search
from backend.search.text import normalize


def _texts(hans: str, en: str) -> dict[str, str]:
    return {"zh-Hans": hans, "zh-Hant": hans, "en": en}


MATTERS = {
    "ID-RENEW": (
        _texts("居民身份证换领", "Renewal of the Resident Identity Card"),
        {"zh-Hans": ["换身份证", "身份证到期"], "en": ["renew my ID card"]},
    ),
    "ID-LOST": (
        _texts("居民身份证补领", "Replacement of a Lost Resident Identity Card"),
        {"zh-Hans": ["补办身份证"], "en": ["replace lost ID card"]},
    ),
    "ID-TEMP": (_texts("临时居民身份证申领", "Temporary Resident Identity Card"), {"zh-Hans": ["临时身份证"]}),
    "BIZ-OPEN": (
        _texts("个体工商户设立登记", "Registration of an Individual Business"),
        {"zh-Hans": ["个体户注册", "开小店执照"], "en": ["small shop business licence"]},
    ),
    "BIZ-CLOSE": (
        _texts("个体工商户注销登记", "Deregistration of an Individual Business"),
        {"zh-Hans": ["个体户注销", "注销营业执照", "关店注销"], "en": ["close my sole trader business"]},
    ),
    "PASSPORT": (_texts("普通护照签发", "Issue of an Ordinary Passport"), {"zh-Hans": ["办护照", "护照补办"]}),
    "LICENCE-LOST": (_texts("机动车驾驶证补领", "Replacement of a Lost Driving Licence"), {"zh-Hans": ["驾照丢了"]}),
    "MORTGAGE": (_texts("不动产抵押登记", "Real Estate Mortgage Registration"), {"zh-Hans": ["抵押登记", "按揭登记"]}),
    "MORTGAGE-OFF": (
        _texts("不动产抵押权注销登记", "Cancellation of a Real Estate Mortgage"),
        {"zh-Hans": ["解押", "注销抵押", "还清房贷解押"]},
    ),
    "DISABLED": (_texts("残疾人证新办", "First Application for a Disability Certificate"), {"zh-Hans": ["办残疾证"]}),
    "DISABLED-AGAIN": (
        _texts("残疾人证换领、补领", "Renewal or Replacement of the Disability Certificate"),
        {"zh-Hans": ["残疾证丢了", "残疾证到期"]},
    ),
}


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex([matter_document(code, name, name, words) for code, (name, words) in MATTERS.items()])


def top(index: SearchIndex, query: str) -> str:
    return search(index, query, 1)[0].document.code


def test_a_service_knows_what_it_does_from_its_names_and_keywords() -> None:
    assert document_intents([normalize("居民身份证补领")], []) == {"replace"}
    assert document_intents(["deregistration of an individual business"], []) == {"cancel"}
    # A first issue also does what its keywords say ("护照补办"): there is no other passport service.
    assert document_intents([normalize("普通护照签发")], ["办护照", "护照补办"]) == {FIRST, "replace"}


def test_a_query_says_what_it_wants_done() -> None:
    assert query_intents(normalize("身份证唔见咗"), terms="遗失 补领") == {"replace"}
    assert query_intents("my id card expired") == {"renew"}
    assert query_intents("小店不开了要销掉") == {"cancel"}
    assert query_intents("第一次办社保卡") == {FIRST}
    assert query_intents("去医院报销") == frozenset()  # 报销 is no cancellation


def test_siblings_are_services_for_the_same_thing() -> None:
    things = [thing([normalize(n["zh-Hans"]), normalize(n["en"])]) for n, _ in MATTERS.values()]
    assert things[0][0] == "居民身份证"
    related = siblings(things)
    codes = list(MATTERS)
    assert {codes[n] for n in related[0]} == {"ID-LOST", "ID-TEMP"}
    assert {codes[n] for n in related[codes.index("BIZ-OPEN")]} == {"BIZ-CLOSE"}
    assert related[codes.index("PASSPORT")] == set()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("身份证过期了", "ID-RENEW"),
        ("身份证丢了", "ID-LOST"),
        ("lost my ID card", "ID-LOST"),
        ("ID card expired", "ID-RENEW"),
        ("小店不开了，个体执照要销掉", "BIZ-CLOSE"),
        ("开个体户", "BIZ-OPEN"),
        ("shut down my sole trader business", "BIZ-CLOSE"),
        ("房贷还完了想把抵押去掉", "MORTGAGE-OFF"),
        ("护照唔见咗", "PASSPORT"),
        ("残疾证", "DISABLED"),
        ("我妈眼睛看不见了，想给她办个残疾证", "DISABLED"),
        ("残疾证到期", "DISABLED-AGAIN"),
    ],
)
def test_the_sibling_that_does_what_the_query_wants_comes_first(index: SearchIndex, query: str, expected: str) -> None:
    assert top(index, query) == expected


def test_a_name_or_keyword_said_whole_in_a_query_counts(index: SearchIndex) -> None:
    assert top(index, "买楼同银行做咗按揭，抵押登记使唔使自己办？") == "MORTGAGE"
