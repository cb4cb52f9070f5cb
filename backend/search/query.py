"""Scoring a query against the index: feature overlap weighted by rarity, plus pinyin, exact and event boosts."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from backend.search.events import query_events
from backend.search.index import Document, SearchIndex
from backend.search.text import (
    PINYIN_FRAMES,
    STOP_WORDS,
    confusable,
    english_words,
    grams,
    has_cjk,
    normalize,
    split_colloquial,
    split_pinyin,
    squash,
    stem,
    strip_frames,
    syllable_pairs,
)
from backend.search.vocabulary import LATIN_IN_CHINESE

_LATIN = re.compile(r"^[a-z]+$")
_TOKEN = re.compile(r"[a-z]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")

EVENT = 1.2
"""What a bundle gains when the query is all about its life event (less as the query says more)."""
COVER = 0.02
"""A tie-breaker: how much of a document's name the query covers (of two names that match alike, the
one that says less besides)."""
ASKS_FOR_ALL = 0.8
"""What a bundle gains when the query asks what all there is to do ("要办哪些手续", "what do I need to do")."""
_ASKS_FOR_ALL = ("哪些", "什么手续", "要办什么", "办什么", "点算", "处理", "咩", "what do i", "what should i",
                 "everything", "all the", "what to do", "paperwork")  # fmt: skip


@dataclass(frozen=True)
class Hit:
    """A document and how well it matched (higher is better)."""

    document: Document
    score: float


@dataclass(frozen=True)
class Query:
    """What a query asks for, as the scoring sees it."""

    features: dict[str, float]  # feature -> weight
    squashed: tuple[str, ...]  # the query (and, for Chinese, the query with typos undone) for exact matches
    latin: str  # the whole query, if it is one run of Latin letters (pinyin or initials)
    spelled: list[str]  # Latin tokens that may spell pinyin or initials
    events: dict[str, float]  # life event -> how much the query is about it
    asks_for_all: bool


def _correct(index: SearchIndex, text: str) -> str:
    """The text with shape-similar typos undone: a character is replaced by one it is often confused
    with when the index has that one next to the same neighbour and not the typed one."""

    def known(i: int, char: str) -> bool:
        left = text[i - 1] + char if i > 0 and _HAN.match(text[i - 1]) else ""
        right = char + text[i + 1] if i + 1 < len(text) and _HAN.match(text[i + 1]) else ""
        return left in index.postings or right in index.postings

    chars = list(text)
    for i, char in enumerate(text):
        others = confusable(char)
        if others and not known(i, char):
            chars[i] = next((other for other in others if known(i, other)), char)
    return "".join(chars)


def _is_english(index: SearchIndex, token: str) -> bool:
    """Whether a Latin token is an English word the index knows (or a stop word), rather than pinyin."""
    if token in STOP_WORDS or token in index.english_words:
        return True
    return any(stem(w) in index.english_vocabulary or w in index.english_words for w in english_words(token))


def _pinyin_pairs(tokens: list[str]) -> dict[str, float]:
    """Pairs of neighbouring syllables spelled by Latin tokens that are pinyin (question frames such as
    "zenme" left out); a pair across two tokens counts half: a space usually separates words."""
    pairs: dict[str, float] = {}
    last = ""
    for token in tokens:
        spoken = split_pinyin(token) if token not in PINYIN_FRAMES else ()
        if last and spoken:
            pairs.setdefault(last + spoken[0], 0.45)
        for i in range(len(spoken) - 1):
            pairs[spoken[i] + spoken[i + 1]] = 0.9
        last = spoken[-1] if spoken else ""
    return pairs


def _features(
    index: SearchIndex, chinese: list[tuple[str, float]], english: str, pinyin: list[str], mixed: bool
) -> dict[str, float]:
    """Weighted features of the query's Chinese parts (text, weight), English words and pinyin tokens."""
    features: dict[str, float] = {}

    def add(feature: str, weight: float) -> None:
        features[feature] = max(features.get(feature, 0.0), weight)

    for part, weight in chinese:
        for gram in grams(part):
            add(gram, weight)
        for pair in syllable_pairs(part):
            add("py:" + pair, 0.9 * weight)
    for pair, weight in _pinyin_pairs(pinyin).items():
        add("py:" + pair, weight)
    weight = 2.5 if mixed else 1.0  # in a Chinese query an English word stands for a whole Chinese word
    for word in english_words(english):
        term = stem(word)
        if term in index.english_vocabulary:
            add("en:" + term, weight)
        elif word not in index.spelled:
            for close in index.close_terms(word):
                add("en:" + close, 0.8 * weight)
    return features


def analyse(index: SearchIndex, query: str) -> Query | None:
    """The features and cues of a query, or None for an empty one."""
    text = normalize(query).strip()
    if not text:
        return None
    cjk = has_cjk(text)
    latin = _TOKEN.findall(text)
    chinese: list[tuple[str, float]] = []
    if cjk:
        rest, phrases, terms = split_colloquial(text)
        abbreviations = " ".join(LATIN_IN_CHINESE[t] for t in latin if t in LATIN_IN_CHINESE)
        latin = [t for t in latin if t not in LATIN_IN_CHINESE]
        # An everyday phrase counts through the catalog's terms for it, a typo through its correction.
        chinese = [(strip_frames(_correct(index, rest)), 1.0), (terms, 1.0), (abbreviations, 1.0),
                   (phrases, 0.5), (strip_frames(rest), 0.2)]  # fmt: skip
    pinyin = [t for t in latin if not _is_english(index, t)]
    squashed = squash(text)
    return Query(
        features=_features(index, chinese, " ".join(latin) if cjk else text, pinyin, cjk),
        squashed=(squashed, squash(_correct(index, text))) if cjk else (squashed,),
        latin=squashed if not cjk and len(pinyin) == len(latin) and _LATIN.match(squashed) else "",
        spelled=[t for t in pinyin if len(t) >= 2 and t not in PINYIN_FRAMES and (not cjk or t in index.spelled)],
        events=query_events(text),
        asks_for_all=any(cue in text for cue in _ASKS_FOR_ALL),
    )


def _run_bonus(document: Document, token: str) -> float:
    """A Latin token that spells a run of pinyin syllables (or their initials) in a name or keyword."""
    return document.spellings.get(token, 0.0)


def _pinyin_bonus(document: Document, latin: str) -> float:
    if latin not in document.spoken:  # no name or keyword has it in its pinyin or its initials
        return 0.0
    best = 0.0
    for full, initials in document.pinyins:
        if latin == full:
            best = max(best, 3.0)
        elif len(latin) >= 4 and full.startswith(latin):
            best = max(best, 2.2)
        elif len(latin) >= 4 and latin in full:
            best = max(best, 1.6)
        if len(latin) >= 2 and latin == initials:
            best = max(best, 2.6)
        elif len(latin) >= 3 and initials.startswith(latin):
            best = max(best, 1.2)
    return best


def _exact_bonus(document: Document, squashed: str) -> float:
    if len(squashed) < 2 or squashed not in document.texts:  # in no name nor keyword: the usual case
        return 0.0
    if squashed in document.names:
        return 3.0
    if squashed in document.keywords:
        return 2.2
    if any(squashed in name for name in document.names):
        return 1.0
    return 0.8


def _coverage(document: Document, features: frozenset[str]) -> float:
    """The largest share of the words of one of the document's names that the query has."""
    return max((len(words & features) / len(words) for words in document.name_words if words), default=0.0)


def search(index: SearchIndex, query: str, limit: int = 10) -> list[Hit]:
    """The best `limit` documents for the query, best first."""
    asked = analyse(index, query)
    if asked is None:
        return []
    features, events = asked.features, asked.events
    mass = sum(index.idf[f] * w for f, w in features.items() if f in index.idf)
    scores: dict[int, float] = defaultdict(float)
    for feature, weight in features.items():
        postings = index.postings.get(feature)
        if postings is None:
            continue
        idf = index.idf[feature] * weight
        for number, field_weight in postings:
            scores[number] += idf * field_weight
    if mass:
        for number in scores:
            scores[number] /= mass
    words = frozenset(features)
    candidates = set(scores)
    if asked.latin or asked.spelled:  # pinyin input matches documents that share no feature with it
        candidates = set(range(len(index.documents)))
    elif events:
        candidates |= {n for event in events for n in index.bundles.get(event, ())}
    scored = []
    for number in candidates:
        document = index.documents[number]
        score = scores.get(number, 0.0) + max(_exact_bonus(document, s) for s in asked.squashed)
        if asked.latin:
            score += _pinyin_bonus(document, asked.latin)
        if asked.spelled:
            score += sum(_run_bonus(document, t) for t in asked.spelled) / len(asked.spelled)
        if document.kind == "bundle":
            score += EVENT * max((events[e] for e in document.events if e in events), default=0.0)
            if asked.asks_for_all and score > 0:
                score += ASKS_FOR_ALL
        if score > 0:
            scored.append((score + document.prior, document))
    # The tie-breaker can only reorder hits that come within COVER of the last one shown.
    last = sorted((score for score, _ in scored), reverse=True)[min(limit, len(scored)) - 1] if scored else 0.0
    hits = [Hit(d, s + COVER * _coverage(d, words) if s >= last - COVER else s) for s, d in scored]
    hits.sort(key=lambda h: (-h.score, h.document.kind != "bundle", h.document.code))
    return hits[:limit]
