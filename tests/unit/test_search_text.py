"""Search text normalisation: widths, case, scripts, pinyin, English stems, everyday words."""

from __future__ import annotations

from backend.search.text import (
    confusable,
    english_words,
    grams,
    normalize,
    pinyin,
    split_colloquial,
    split_pinyin,
    squash,
    stem,
    strip_frames,
    syllable_pairs,
)


def test_width_case_and_script_are_folded() -> None:
    assert normalize("ＩＤ卡") == "id卡"
    assert normalize("辦護照") == "办护照"
    assert normalize("Passport") == "passport"
    assert normalize("衞生許可") == "卫生许可"  # a variant OpenCC leaves as it is


def test_pinyin_full_and_initials() -> None:
    assert pinyin("护照") == ("huzhao", "hz")
    assert pinyin("居民身份证") == ("jumingshenfenzheng", "jmsfz") or pinyin("居民身份证")[1] == "jmsfz"
    assert pinyin("passport") == ("", "")


def test_latin_tokens_are_split_into_pinyin_syllables() -> None:
    assert split_pinyin("shenfenzheng") == ("shen", "fen", "zheng")
    assert split_pinyin("xian") == ("xian",)  # the fewest syllables
    assert split_pinyin("passport") == ()
    assert split_pinyin("hz") == ()


def test_english_terms_are_stemmed_without_stop_words() -> None:
    words = english_words("I want to renew my driving licences")
    assert [stem(w) for w in words] == ["renew", "drive", "licenc"]


def test_english_spellings_phrases_and_plurals_are_folded() -> None:
    assert english_words("enroll") == english_words("enrol")
    assert english_words("labor organization") == ["labour", "organisation"]
    assert english_words("driver's license") == ["driving", "licence"]
    assert english_words("my dad passed away") == ["parent", "death"]
    assert english_words("babies") == english_words("baby") == ["birth"]
    assert english_words("boss hasn't paid me") == ["employer", "unpaid", "wages"]
    assert english_words("passes") == ["passes"]  # only whole forms of everyday words are mapped


def test_chinese_grams_and_squash() -> None:
    assert grams("办护照") == ["办", "护", "照", "办护", "护照"]
    assert squash("居民 身份证（换领）") == "居民身份证换领"


def test_no_character_pair_straddles_a_space_or_a_particle() -> None:
    assert grams("护照 过期") == ["护", "照", "过", "期", "护照", "过期"]
    assert "照遗" not in grams("护照咗遗失")
    assert syllable_pairs("办 护照") == ["huzhao"]


def test_colloquial_chinese_is_mapped_to_the_catalogs_wording() -> None:
    rest, phrases, terms = split_colloquial(normalize("我老豆走咗"))
    assert phrases == "老豆 走咗"
    assert "死亡" in terms.split()
    assert rest.strip() == "我"
    # The longest phrase wins: 驾驶执照 is a driving licence, not a business licence (执照).
    assert split_colloquial(normalize("駕駛執照唔見咗"))[2].split()[:2] == ["驾驶证", "驾照"]
    # A catalog term is left alone even when an everyday phrase (港澳通) starts it.
    assert split_colloquial("港澳通行证签注") == ("港澳通行证签注", "", "")


def test_question_frames_are_dropped() -> None:
    assert strip_frames("护照怎么办理需要什么材料").split() == ["护照", "材料"]


def test_shape_similar_characters_are_known() -> None:
    assert "账" in confusable("帐")
    assert "候" in confusable("侯")
    assert "证" in confusable("正")
    assert confusable("护") != "" and confusable("鑫") == ""
