"""Text normalisation shared by the index and the queries.

One form for everything: NFKC (full-width to half-width), lower case, Traditional to Simplified
Chinese (OpenCC), and for Chinese the pinyin (full and initials) so Latin-letter input matches too.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import opencc
import snowballstemmer
from pypinyin import lazy_pinyin

_T2S = opencc.OpenCC("t2s")
_STEM = snowballstemmer.stemmer("english")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[a-z0-9]+")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "get",
        "got",
        "how",
        "i",
        "i'm",
        "in",
        "is",
        "it",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "please",
        "the",
        "to",
        "want",
        "what",
        "when",
        "where",
        "which",
        "who",
        "will",
        "with",
        "would",
        "you",
        "your",
        "need",
        "needs",
        "should",
        "apply",
        "application",
        "help",
        "id",
        "like",
    ]
)


def has_cjk(text: str) -> bool:
    """Whether the text contains Chinese characters."""
    return _CJK.search(text) is not None


@functools.lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """NFKC, lower case, Simplified Chinese."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return _T2S.convert(folded) if has_cjk(folded) else folded


def chinese_only(text: str) -> str:
    """The Chinese characters of a normalised text, in order (punctuation and spaces dropped)."""
    return "".join(_CJK.findall(text))


@functools.lru_cache(maxsize=65536)
def syllables(text: str) -> tuple[str, ...]:
    """The pinyin syllables of the Chinese characters in `text`: 护照 -> ("hu", "zhao")."""
    return tuple(lazy_pinyin(chinese_only(text), errors="ignore"))


@functools.lru_cache(maxsize=65536)
def pinyin(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of the Chinese characters in `text`: 护照 -> ("huzhao", "hz")."""
    chars = chinese_only(text)
    if not chars:
        return "", ""
    syllables = lazy_pinyin(chars, errors="ignore")
    return "".join(syllables), "".join(s[0] for s in syllables if s)


# Everyday words for the events government services are about, mapped to the catalog's wording.
SYNONYMS = {
    "passed": "death", "died": "death", "dies": "death", "dead": "death", "funeral": "death",
    "baby": "birth", "born": "birth", "newborn": "birth",
    "fired": "unemployment", "laid": "unemployment", "jobless": "unemployment", "unemployed": "unemployment",
    "wedding": "marriage", "marry": "marriage", "married": "marriage",
    "lost": "replacement", "retire": "retirement", "retiring": "retirement",
    "licence": "license", "hukou": "household", "kid": "child", "kids": "child",
}  # fmt: skip
# Colloquial Chinese (Mandarin and Cantonese) for the same events.
CHINESE_SYNONYMS = {"过身": "死亡", "去世": "死亡", "走了": "死亡", "后事": "身后", "唔见": "遗失", "丢了": "遗失"}


def english_words(text: str) -> list[str]:
    """English words without stop words, everyday words mapped to the catalog's (not stemmed)."""
    return [SYNONYMS.get(w, w) for w in _WORD.findall(text) if w not in STOP_WORDS]


def stem(word: str) -> str:
    """The English stem of a word."""
    return str(_STEM.stemWord(word))


def expand_chinese(text: str) -> str:
    """The text with colloquial Chinese phrases replaced by the catalog's wording (appended)."""
    extra = [target for phrase, target in CHINESE_SYNONYMS.items() if phrase in text]
    return text + " " + " ".join(extra) if extra else text


def grams(text: str) -> list[str]:
    """Chinese unigrams and bigrams of a normalised text (the characters only)."""
    chars = chinese_only(text)
    return list(chars) + [chars[i : i + 2] for i in range(len(chars) - 1)]


def squash(text: str) -> str:
    """A normalised text without spaces or punctuation, for exact comparisons."""
    return _PUNCT.sub("", text)
