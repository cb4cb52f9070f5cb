"""What a query wants done with a thing: a first issue, a replacement, a renewal, a cancellation, a change.

A catalog often has siblings for one thing ("居民身份证换领" and "居民身份证补领", "个体工商户设立登记" and
"个体工商户注销登记"): the query's topic words match them alike, its intent words tell them apart. A
document's intents are read off its names (`vocabulary.DOCUMENT_INTENTS`), a query's off its cue words
(`vocabulary.QUERY_INTENTS`): "丢了", "lost" want a replacement, "过期", "renew" a renewal, "销掉", "close"
a cancellation, "首次", "first time" a first issue. A document with no follow-up intent issues the thing,
and also does what its keywords say (a passport service that lists "护照补办" replaces passports too).
Siblings are found from the names with what is done taken out ("居民身份证补领" -> "居民身份证"): a first
issue loses to its sibling that does what the query asks, never to an unrelated service that does it.
"""

from __future__ import annotations

import re
from itertools import combinations

from backend.search import vocabulary as v
from backend.search.text import english_words, has_cjk, normalize, squash, stem

FIRST = "first"

_DOCUMENT = {intent: [normalize(w) for w in zh.split()] for intent, (zh, _) in v.DOCUMENT_INTENTS.items()}
_DOCUMENT_EN = {intent: frozenset(stem(w) for w in en.split()) for intent, (_, en) in v.DOCUMENT_INTENTS.items()}
_ZH_CUES = {intent: [normalize(w) for w in zh.split()] for intent, (zh, _) in v.QUERY_INTENTS.items()}
_EN_CUES = {intent: frozenset(stem(w) for w in en.split()) for intent, (_, en) in v.QUERY_INTENTS.items()}
_ACTIONS = sorted(
    {normalize(w) for w in " ".join([*(zh for zh, _ in v.DOCUMENT_INTENTS.values()), v.SERVICE_ACTIONS]).split()},
    key=len,
    reverse=True,
)
_EN_ACTIONS = frozenset(stem(w) for w in v.ENGLISH_SERVICE_ACTIONS.split())
_MOST_WORDS = 8
_BRACKETS = re.compile(r"[(（][^)）]*[)）]")
_SHORTEST = 3
_NOT_CUES = sorted((normalize(w) for w in v.NOT_INTENT_CUES.split()), key=len, reverse=True)


def document_intents(names: list[str], keywords: list[str]) -> frozenset[str]:
    """What a document does, from its names and keywords (normalised): the follow-up intents of its names,
    or for a first issue FIRST and whatever its keywords say it also handles ("护照补办" in a passport's)."""
    stems = {stem(w) for name in names for w in english_words(name)}
    follow_ups = {intent for intent, words in _DOCUMENT.items() if any(w in name for name in names for w in words)}
    follow_ups |= {intent for intent, words in _DOCUMENT_EN.items() if stems & words}
    if follow_ups:
        return frozenset(follow_ups)
    return frozenset({FIRST, *(query_intents(" ".join(keywords)) - {FIRST})})


Thing = tuple[str, frozenset[str]]
"""What a service is about, without what is done with it: in Chinese, and as English stems."""


def thing(names: list[str]) -> Thing:
    """What a service's (normalised) names are about: "居民身份证补领" -> "居民身份证", "Replacement of a
    Lost Resident Identity Card" -> {resid, ident, card}."""
    chinese = next((name for name in names if has_cjk(name)), "")
    chinese = _BRACKETS.sub("", chinese)
    for word in _ACTIONS:
        chinese = chinese.replace(word, "")
    english = {stem(w) for name in names if not has_cjk(name) for w in english_words(name)} - _EN_ACTIONS
    return squash(chinese), frozenset(english)


def siblings(things: list[Thing]) -> list[set[int]]:
    """For each document, the other documents about the same thing: one's Chinese thing of three characters
    or more contains the other's ("临时居民身份证", "居民身份证"), or one's English stems are all the other's
    ("limited liability company", "company")."""
    by_chinese: dict[str, list[int]] = {}
    by_english: dict[frozenset[str], list[int]] = {}
    for number, (chinese, english) in enumerate(things):
        if len(chinese) >= _SHORTEST:
            by_chinese.setdefault(chinese, []).append(number)
        if 0 < len(english) <= _MOST_WORDS:
            by_english.setdefault(english, []).append(number)
    found: list[set[int]] = [set() for _ in things]
    for number, (chinese, english) in enumerate(things):
        parts: list[list[int]] = []
        for start in range(len(chinese)):
            parts += [by_chinese.get(chinese[start:end], []) for end in range(start + _SHORTEST, len(chinese) + 1)]
        if len(english) <= _MOST_WORDS:
            words = sorted(english)
            parts += [
                by_english.get(frozenset(c), []) for k in range(1, len(words) + 1) for c in combinations(words, k)
            ]
        for other in (o for part in parts for o in part if o != number):
            found[number].add(other)
            found[other].add(number)
    return found


def query_intents(
    text: str, rest: str | None = None, terms: str = "", stems: frozenset[str] = frozenset()
) -> frozenset[str]:
    """The intents of a normalised query, from its words and, for Chinese, from the rest of it besides its
    everyday phrases and from the catalog's terms for those (看不见, blind, holds no 不见, lost); `stems`
    are more English stems (typos undone)."""
    chinese = f"{text if rest is None else rest} {terms}"
    for word in _NOT_CUES:  # 报销 is no cancellation, 补贴 no replacement
        chinese = chinese.replace(word, " ")
    stems |= {stem(w) for w in english_words(text)}
    return frozenset(
        intent
        for intent in v.QUERY_INTENTS
        if any(cue in chinese for cue in _ZH_CUES[intent]) or stems & _EN_CUES[intent]
    )


def fit(document: frozenset[str], others: frozenset[str], query: frozenset[str]) -> int:
    """How well a document does what the query wants (`others`: what its siblings do): +1 for a follow-up
    service that does it, or a first issue that also does it (its keywords say so) when no sibling is the
    follow-up service for it; -1 if it does not and something else does (it is a follow-up service for
    something else, or a first issue with a sibling that does it); else 0."""
    if not query or not document:
        return 0
    wanted = query - {FIRST}
    if FIRST not in document:
        return 1 if document & wanted else -1
    if document & wanted:
        return 0 if others & wanted else 1
    return -1 if others & wanted and FIRST not in query else 0
