"""Life events, typos and everyday words on a small catalog made for the purpose (not the demo's)."""

from __future__ import annotations

import pytest

from backend.search.build import bundle_document, matter_document
from backend.search.events import bundle_events, query_events
from backend.search.index import SearchIndex
from backend.search.query import search
from backend.search.text import normalize


def _texts(hans: str, hant: str, en: str) -> dict[str, str]:
    return {"zh-Hans": hans, "zh-Hant": hant, "en": en}


MATTERS = {
    "MARRY": (
        _texts("结婚登记", "結婚登記", "Marriage Registration"),
        {"zh-Hans": ["领结婚证"], "en": ["get married"]},
    ),
    "MARRY-LOST": (
        _texts("补领结婚证", "補領結婚證", "Replacement of a Marriage Certificate"),
        {"zh-Hans": ["结婚证丢了"], "en": ["lost marriage certificate"]},
    ),
    "DEATH-CERT": (
        _texts("死亡医学证明签发", "死亡醫學證明簽發", "Medical Certificate of Death"),
        {"zh-Hans": ["死亡证明"], "en": ["death certificate"]},
    ),
    "HUKOU-OFF": (
        _texts("死亡人员户口注销", "死亡人員戶口註銷", "Cancelling the Hukou of a Deceased Person"),
        {"zh-Hans": ["注销户口"], "en": ["report a death"]},
    ),
    "PASSPORT": (_texts("普通护照签发", "普通護照簽發", "Issue of a Passport"), {"zh-Hans": ["办护照", "护照过期"]}),
    "ID-LOST": (
        _texts("居民身份证补领", "居民身份證補領", "Replacement of a Lost Identity Card"),
        {"zh-Hans": ["身份证丢了"], "en": ["lost my ID card"]},
    ),
    "ACCOUNT": (_texts("个人账户余额继承", "個人賬戶餘額繼承", "Inheriting an Account Balance"), {}),
    "CARD": (_texts("社会保障卡申领", "社會保障卡申領", "Social Security Card"), {"zh-Hans": ["社保卡申请"]}),
    "CARD-LOST": (
        _texts("社会保障卡挂失、补领", "社會保障卡掛失、補領", "Replacing a Social Security Card"),
        {"zh-Hans": ["社保卡丢了", "补办社保卡", "社保卡挂失"]},
    ),
    "UNEMPLOYMENT": (_texts("失业保险金申领", "失業保險金申領", "Unemployment Benefit Claim"), {}),
}
BUNDLES = {
    "LE-MARRY": (_texts("结婚“一件事”", "結婚「一件事」", "Getting Married"), ["MARRY"]),
    "LE-DEATH": (_texts("身后“一件事”", "身後「一件事」", "When a Family Member Dies"), ["DEATH-CERT", "HUKOU-OFF"]),
}


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    documents = [matter_document(code, name, name, keywords) for code, (name, keywords) in MATTERS.items()]
    documents += [
        bundle_document(code, name, name, [(MATTERS[m][0], MATTERS[m][1]) for m in members])
        for code, (name, members) in BUNDLES.items()
    ]
    return SearchIndex(documents)


def top(index: SearchIndex, query: str) -> str:
    return search(index, query, 1)[0].document.code


def test_a_bundle_knows_its_life_events_from_its_names() -> None:
    assert bundle_events(["开餐厅“一件事”", "Opening a Restaurant"]) == {"restaurant"}
    assert bundle_events(["When a Family Member Dies"]) == {"death"}
    assert bundle_events(["Buying a Car"]) == {"car"}


def test_a_query_about_an_event_and_little_else_is_all_about_it() -> None:
    assert query_events(normalize("我們下個月結婚")) == {"marriage": 1.0}
    assert query_events(normalize("my dad passed away")) == {"death": 1.0}
    assert query_events(normalize("剛生咗BB")) == {"birth": 1.0}
    assert query_events(normalize("想開間茶餐廳")) == {"restaurant": 1.0}
    # Naming a particular paper besides the event leaves little of it.
    assert query_events(normalize("结婚证丢了"))["marriage"] < 0.25
    assert query_events(normalize("老人過身點開死亡證"))["death"] < 0.25
    assert query_events(normalize("护照过期")) == {}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("我们下个月结婚", "LE-MARRY"),
        ("we're getting married next month", "LE-MARRY"),
        ("我老豆走咗", "LE-DEATH"),
        ("my dad passed away", "LE-DEATH"),
        ("屋企老人家過咗身", "LE-DEATH"),
        ("结婚证丢了", "MARRY-LOST"),
        ("死亡证明", "DEATH-CERT"),
        ("lost marriage certificate", "MARRY-LOST"),
    ],
)
def test_events_find_their_bundle_and_particular_papers_their_matter(
    index: SearchIndex, query: str, expected: str
) -> None:
    assert top(index, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [("帐户余额继承", "ACCOUNT"), ("身份正丢了", "ID-LOST"), ("結昏登記", "MARRY"), ("辨护照", "PASSPORT")],
)
def test_shape_similar_and_same_sound_typos_are_forgiven(index: SearchIndex, query: str, expected: str) -> None:
    assert top(index, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("unemploymant benifit", "UNEMPLOYMENT"),
        ("marrage registraton", "MARRY"),
        ("pasport", "PASSPORT"),
        ("my IDs were stolen", "ID-LOST"),
    ],
)
def test_english_misspellings_and_forms_are_forgiven(index: SearchIndex, query: str, expected: str) -> None:
    assert top(index, query) == expected


def test_a_bare_thing_or_its_initials_find_the_service_that_issues_it(index: SearchIndex) -> None:
    assert top(index, "社保卡") == "CARD"
    assert top(index, "sbk") == "CARD"
    assert top(index, "hz") == "PASSPORT"
    assert top(index, "社保卡丢了") == "CARD-LOST"


def test_pinyin_question_frames_and_mixed_abbreviations(index: SearchIndex) -> None:
    assert top(index, "banli huzhao") == "PASSPORT"
    assert top(index, "hz过期") == "PASSPORT"
    assert top(index, "ID卡丢了") == "ID-LOST"
