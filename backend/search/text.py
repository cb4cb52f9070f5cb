"""Text normalisation shared by the index and the queries.

One form for everything: NFKC (full-width to half-width), lower case, Traditional to Simplified
Chinese (OpenCC), and for Chinese the pinyin (full and initials) so Latin-letter input matches too.
Everyday words (Cantonese and Mandarin colloquialisms, English phrases and spellings) are mapped to
the catalog's wording with the tables of `vocabulary.py`.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import opencc
import snowballstemmer
from pypinyin import lazy_pinyin

from backend.search import vocabulary as v

_T2S = opencc.OpenCC("t2s")
_STEM = snowballstemmer.stemmer("english")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[a-z0-9]+")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CONTRACTIONS = re.compile(r"n['’]t\b|['’]s\b")
_VARIANTS = str.maketrans("衞瞭祇衹粧咭", "卫了只只妆卡")  # what OpenCC leaves Traditional; 咭: Cantonese "card"
_SYLLABLES = frozenset(v.PINYIN_SYLLABLES.split())

_STOP_WORDS = (
    "a an and are as at be by can do does for from get got how i in is it me my of on or our please the to want "
    "what when where which who will with would you your need needs should apply application help like im we us re "
    "ve ll d s t just has have had was were been this that there so if any some much many into onto up out off "
    "over also too very really still yet"
)
STOP_WORDS = frozenset(_STOP_WORDS.split())


def has_cjk(text: str) -> bool:
    """Whether the text contains Chinese characters."""
    return _CJK.search(text) is not None


@functools.lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """NFKC, lower case, Simplified Chinese; an age in Chinese numerals in digits ("六十岁" as "60岁")."""
    folded = unicodedata.normalize("NFKC", text).lower()
    if not has_cjk(folded):
        return folded
    simplified = _T2S.convert(folded).translate(_VARIANTS)
    return _AGE.sub(lambda m: f"{_number(m[1])}{m[2]}", simplified) if "岁" in simplified else simplified


_AGE = re.compile(r"([一二两三四五六七八九十]+)(多岁|几岁|岁)")
_DIGITS = {c: n for n, c in enumerate("零一二三四五六七八九")} | {"两": 2}


def _number(numerals: str) -> str:
    """Chinese numerals under a hundred in digits: 六十 -> 60, 八十五 -> 85, 十二 -> 12."""
    tens, _, units = numerals.rpartition("十")
    if "十" not in numerals:
        return "".join(str(_DIGITS[c]) for c in numerals)
    return str((_DIGITS.get(tens, 1) if tens else 1) * 10 + (_DIGITS.get(units, 0) if units else 0))


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
    spoken = syllables(text)
    return "".join(spoken), "".join(s[0] for s in spoken if s)


@functools.lru_cache(maxsize=8192)
def split_pinyin(token: str) -> tuple[str, ...]:
    """A Latin token as pinyin syllables ("shenfenzheng" -> shen fen zheng), or () if it is not pinyin.

    Prefers the split with the fewest syllables (so "xian" stays one syllable).
    """
    best: list[tuple[str, ...] | None] = [None] * (len(token) + 1)
    best[0] = ()
    for end in range(1, len(token) + 1):
        for start in range(max(0, end - 6), end):
            before, piece = best[start], token[start:end]
            if before is not None and piece in _SYLLABLES:
                candidate = (*before, piece)
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[-1] or ()


def _phrases(table: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Everyday phrase -> the catalog terms it stands for, from a table of term(s) -> phrases."""
    found: dict[str, tuple[str, ...]] = {}
    for terms, phrases in table.items():
        for phrase in phrases.split():
            found[normalize(phrase)] = (*found.get(normalize(phrase), ()), *normalize(terms).split())
    return found


CHINESE_PHRASES = _phrases(v.CHINESE_SYNONYMS)
_CATALOG_TERMS = frozenset(t for terms in CHINESE_PHRASES.values() for t in terms if len(t) > 1)
_LONGEST = max(map(len, [*CHINESE_PHRASES, *_CATALOG_TERMS]))
QUESTION_FRAMES = sorted({normalize(f) for f in v.QUESTION_FRAMES.split()}, key=len, reverse=True)
PINYIN_FRAMES = frozenset(pinyin(f)[0] for f in QUESTION_FRAMES if len(f) >= 2)  # "zenme", "banli"
_PARTICLES = str.maketrans(dict.fromkeys(normalize(v.PARTICLES), " "))
_CONFUSABLE = {c: group.replace(c, "") for group in map(normalize, v.CONFUSABLE_GROUPS.split()) for c in group}


def chinese_phrases(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The everyday phrases in a normalised text and their catalog terms, longest match first (a
    catalog term that starts with an everyday phrase, such as 港澳通行证 with 港澳通, is left alone)."""
    found, i = [], 0
    while i < len(text):
        for size in range(min(_LONGEST, len(text) - i), 0, -1):
            piece = text[i : i + size]
            terms = CHINESE_PHRASES.get(piece)
            if terms is not None or piece in _CATALOG_TERMS:
                if terms is not None and piece not in _CATALOG_TERMS:
                    found.append((piece, terms))
                i += size
                break
        else:
            i += 1
    return found


def split_colloquial(text: str) -> tuple[str, str, str]:
    """A normalised text as (the rest, its colloquial Chinese phrases, the catalog's terms for them);
    the phrases are cut out of the rest so that no character pair straddles one."""
    found = chinese_phrases(text)
    for phrase, _ in found:
        text = text.replace(phrase, " ")
    terms = dict.fromkeys(term for _, ts in found for term in ts)
    return text, " ".join(phrase for phrase, _ in found), " ".join(terms)


def strip_frames(text: str) -> str:
    """A Chinese query without its question frames ("怎么办", "要什么"), each replaced by a space."""
    for frame in QUESTION_FRAMES:
        if frame in text:
            text = text.replace(frame, " ")
    return text


def confusable(char: str) -> str:
    """The characters often typed by mistake for `char` (or for which it is typed), "" if none."""
    return _CONFUSABLE.get(char, "")


def _fold_spelling(word: str) -> str:
    if word in v.ENGLISH_SPELLINGS:
        return v.ENGLISH_SPELLINGS[word]
    for american, british in v.ENGLISH_SUFFIXES:
        if word.endswith(american) and len(word) > len(american) + 2:
            return word[: -len(american)] + british
    return word


_EN_PHRASES = {tuple(k.split()): tuple(value.split()) for k, value in v.ENGLISH_PHRASES.items()}
_EN_LONGEST = max(map(len, _EN_PHRASES))


def english_words(text: str) -> list[str]:
    """English words without stop words, everyday words and spellings mapped to the catalog's (not stemmed)."""
    return list(_english_words(text))


@functools.lru_cache(maxsize=65536)
def _english_words(text: str) -> tuple[str, ...]:
    tokens = [
        w
        for t in _WORD.findall(_CONTRACTIONS.sub(lambda m: " not" if m[0][0] == "n" else "", text))
        for w in _fold_spelling(t).split()
    ]
    words: list[str] = []
    i = 0
    while i < len(tokens):
        for size in range(min(_EN_LONGEST, len(tokens) - i), 1, -1):
            replacement = _EN_PHRASES.get(tuple(tokens[i : i + size]))
            if replacement:
                words += replacement
                i += size
                break
        else:
            words += _english_synonym(tokens[i]).split()
            i += 1
    return tuple(w for w in words if w not in STOP_WORDS)


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The English stem of a word, stemmed again: a derived word folds with its base ("environmental" ->
    "environment" -> "environ", as "environment")."""
    return str(_STEM.stemWord(_STEM.stemWord(word)))


def _english_synonym(word: str) -> str:
    """The catalog's word for an everyday English word, singular or plural ("babies" as "baby")."""
    for singular in (word, word[:-3] + "y" if word.endswith("ies") else "", word[:-2], word[:-1]):
        if singular in v.ENGLISH_SYNONYMS and (singular == word or word.endswith("s")):
            return v.ENGLISH_SYNONYMS[singular]
    return word


def chinese_runs(text: str) -> list[str]:
    """The runs of Chinese characters of a normalised text; particles, spaces and punctuation split them."""
    return _RUN.findall(text.translate(_PARTICLES))


def grams(text: str) -> list[str]:
    """Chinese unigrams and bigrams of a normalised text (bigrams within a run of characters)."""
    runs = chinese_runs(text)
    return [c for run in runs for c in run] + [run[i : i + 2] for run in runs for i in range(len(run) - 1)]


def syllable_pairs(text: str) -> list[str]:
    """Pairs of neighbouring pinyin syllables within each run of Chinese characters: 办护照 -> banhu, huzhao."""
    pairs = []
    for run in chinese_runs(text):
        spoken = syllables(run)
        pairs += [spoken[i] + spoken[i + 1] for i in range(len(spoken) - 1)]
    return pairs


def squash(text: str) -> str:
    """A normalised text without spaces or punctuation, for exact comparisons."""
    return _PUNCT.sub("", text)
