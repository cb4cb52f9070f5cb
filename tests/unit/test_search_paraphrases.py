"""Everyday words: how citizens say each matter (vocabulary/paraphrases.txt) and the Cantonese and English
lexicon (vocabulary/chinese.py, english.py) find the right matter or bundle first.

The queries below were written for this test from how people talk, not taken from the labeled sets."""

from __future__ import annotations

import json

import pytest

from backend.catalog.files import DEMO_CATALOG_DIR
from backend.search.index import SearchIndex
from backend.search.paraphrases import LOCALES, all_paraphrases, parse
from backend.search.query import search
from backend.search.text import normalize
from tests.support.search_index import demo_index

MATTERS = json.loads((DEMO_CATALOG_DIR / "matters.json").read_text(encoding="utf-8"))
BUNDLES = json.loads((DEMO_CATALOG_DIR / "bundles.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return demo_index()


def test_every_matter_and_bundle_is_paraphrased_in_every_locale() -> None:
    written = all_paraphrases()
    codes = [m["code"] for m in MATTERS] + [b["code"] for b in BUNDLES]
    assert sorted(written) == sorted(codes)
    thin = [(code, locale) for code in codes for locale in LOCALES if len(written[code].get(locale, [])) < 2]
    assert thin == []


def test_ages_in_chinese_numerals_read_as_digits_and_the_cantonese_card_as_a_card() -> None:
    assert [normalize(t) for t in ("阿爸六十歲", "八十五岁", "九十多岁", "十二岁", "两岁", "長者咭")] == [
        "阿爸60岁",
        "85岁",
        "90多岁",
        "12岁",
        "2岁",
        "长者卡",
    ]


def test_a_malformed_paraphrase_line_is_refused() -> None:
    assert parse("[A-1]\nen = lost my card; lost card\nzh-Hans = 卡丢了") == {
        "A-1": {"en": ["lost my card", "lost card"], "zh-Hans": ["卡丢了"]}
    }
    with pytest.raises(ValueError, match=r"paraphrases\.txt:2"):
        parse("[A-1]\nfr = carte perdue")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # The examples of the brief.
        ("没结过婚的证明", "GZ-MZJ-0005"),  # a certificate of no marriage record
        ("想和老公离了", "GZ-MZJ-0002"),  # divorce registration
        ("政府的房子租", "GZ-ZJJ-0002"),  # public rental housing
        ("开个湘菜馆", "LE-0001"),  # the restaurant life event, not one of its licences
        ("開間茶記", "LE-0001"),
        ("屋契", "GZ-GHZYJ-0002"),  # a title deed on its own: the registration that issues one (a new home's)
        # Colloquial Mandarin.
        ("我身份证在地铁上被人偷了", "GZ-GA-0004"),
        ("我妈八十五了有没有老人补贴", "GZ-MZJ-0007"),
        ("公司三个月没发工资了", "GZ-HZ-RSJ-0001"),
        ("被公司辞退了能领多少钱", "GZ-RSJ-0001"),
        ("驾照下个月到期了", "GZ-GA-0018"),
        ("房贷终于还完了", "GZ-GHZYJ-0004"),
        ("在老家看病能用广州医保吗", "GZ-YBJ-0004"),
        ("想给员工交公积金", "GZ-GJJ-0005"),
        ("我想开滴滴赚点钱", "GZ-JTJ-0002"),
        ("家门口的大树想砍掉", "GZ-LYYLJ-0001"),
        ("旧楼想装个电梯", "GZ-GHZYJ-0009"),
        ("出国留学要开无犯罪证明", "GZ-GA-0009"),
        ("不想干了把个体户关了", "GZ-SJJ-0005"),
        ("看病自己先垫了钱怎么报", "GZ-YBJ-0005"),
        ("宝宝的出生证明、上户口和医保想一起办", "LE-0002"),
        # Written Cantonese.
        ("我個身份證唔見咗", "GZ-GA-0004"),
        ("老細兩個月冇出糧", "GZ-HZ-RSJ-0001"),
        ("阿爺八十幾歲有冇生果金", "GZ-MZJ-0007"),
        ("想同老婆離婚", "GZ-MZJ-0002"),
        ("張車牌就快過期", "GZ-GA-0018"),  # a driving licence, as Hong Kong says it
        ("屋企樓下開間士多", "LE-0009"),
        ("我想喺廣州開間公司", "GZ-SJJ-0001"),
        ("返工整親個腰", "GZ-RSJ-0004"),
        ("俾公司炒咗點攞失業金", "GZ-RSJ-0001"),
        ("個仔啱啱出世，點幫佢上戶口", "GZ-GA-0001"),
        ("長者乘車要辦咩卡", "GZ-MZJ-0008"),
        ("舊樓想加裝升降機", "GZ-GHZYJ-0009"),
        ("醫保卡爛咗", "GZ-RSJ-0011"),
        ("想幫老婆遷戶口過嚟", "GZ-GA-0002"),
        ("層樓按揭供完咗", "GZ-GHZYJ-0004"),
        ("老豆過咗身，佢公積金點攞", "GZ-GJJ-0006"),
        ("老人家想請人上門照顧", "GZ-MZJ-0009"),
        ("社保咭唔見咗", "GZ-RSJ-0011"),  # 咭: a card
        ("妈妈九十二岁了能领什么钱", "GZ-MZJ-0007"),  # any age over 80 is old age
        # Plain English, British and American.
        ("I lost my ID card on the metro", "GZ-GA-0004"),
        ("my boss hasn't paid me for two months", "GZ-HZ-RSJ-0001"),
        ("how do I get a council flat", "GZ-ZJJ-0002"),
        ("got laid off, can I get jobless benefits", "GZ-RSJ-0001"),
        ("my driving licence runs out next month", "GZ-GA-0018"),
        ("my wife and I want to split up", "GZ-MZJ-0002"),
        ("want to open a noodle restaurant", "LE-0001"),
        ("certificate that I've never been married", "GZ-MZJ-0005"),
        ("where can my grandma get cheap meals", "GZ-YX-MZJ-0001"),
        ("paid off my mortgage, remove it from the title", "GZ-GHZYJ-0004"),
        ("renewing my passport", "GZ-GA-0013"),
        ("register my new e-bike", "GZ-GA-0026"),
        ("fell off a ladder at work and broke my arm", "GZ-RSJ-0004"),
        ("my flat's title deed went missing", "GZ-GHZYJ-0006"),
        ("can I use my American driver's license here", "GZ-GA-0020"),
        ("work permit for foreign staff at my company", "GZ-KJJ-0001"),
        ("marriage registration, premarital check and moving her hukou, can we do all at once", "LE-0003"),
        # Plurals and -ing forms.
        ("replacing my lost driving licences", "GZ-GA-0017"),
        ("low rent apartments from the government", "GZ-ZJJ-0002"),
        ("employer withholding my salary", "GZ-HZ-RSJ-0001"),
        ("getting divorced", "GZ-MZJ-0002"),
        # Cantonese words for places, money and rides (issue 15, second round).
        ("開間K房要咩牌", "GZ-WGLJ-0001"),  # a karaoke room: an entertainment venue licence
        ("有3600蚊嘅津貼點攞", "GZ-WJW-0005"),  # the childcare subsidy
        ("阿爺想免費搭巴士", "GZ-MZJ-0008"),  # the senior card's free rides
        ("人工低想輪候政府出租嘅屋", "GZ-ZJJ-0002"),  # public rental housing
    ],
)
def test_everyday_words_find_the_right_service_first(index: SearchIndex, query: str, expected: str) -> None:
    assert search(index, query, 1)[0].document.code == expected
