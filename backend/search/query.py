"""Scoring a query against the index: feature overlap weighted by rarity, plus pinyin and exact boosts."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from backend.search.events import query_themes
from backend.search.index import Document, SearchIndex
from backend.search.text import (
    confusable,
    english_words,
    grams,
    has_cjk,
    split_colloquial,
    normalize,
    PINYIN_FRAMES,
    STOP_WORDS,
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


@dataclass(frozen=True)
class Hit:
    """A document and how well it matched (higher is better)."""

    document: Document
    score: float


def _correct(index: SearchIndex, text: str) -> str:
    """The text with shape-similar typos undone: a character is replaced by one it is often mistaken
    for when the index has that one next to a neighbour and not the typed one."""

    def known(chars: str, i: int, char: str) -> bool:
        left = chars[i - 1] + char if i > 0 and _HAN.match(chars[i - 1]) else ""
        right = char + chars[i + 1] if i + 1 < len(chars) and _HAN.match(chars[i + 1]) else ""
        return (left in index.postings) or (right in index.postings)

    chars = list(text)
    for i, char in enumerate(chars):
        others = confusable(char)
        if others and not known(text, i, char):
            chars[i] = next((o for o in others if known(text, i, o)), char)
    return "".join(chars)


def _is_english(index: SearchIndex, token: str) -> bool:
    """Whether a Latin token is an English word of the index (or a stop word), not pinyin."""
    if token in STOP_WORDS or token in index.english_words:
        return True
    return any(stem(w) in index.english_vocabulary or w in index.english_words for w in english_words(token))


def _pinyin_pairs(index: SearchIndex, tokens: list[str]) -> dict[str, float]:
    """Pairs of neighbouring syllables spelled by the Latin tokens that are pinyin rather than English
    words (or question frames such as "zenme"); a pair across two tokens counts half."""
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


def _query_features(
    index: SearchIndex, chinese: list[tuple[str, float]], english: str, tokens: list[str], mixed: bool
) -> dict[str, float]:
    """Weighted features of the query's Chinese parts (text, weight) and of its English words."""
    features: dict[str, float] = {}
    for part, weight in chinese:
        for gram in grams(part):
            features[gram] = max(features.get(gram, 0.0), weight)
        for pair in syllable_pairs(part):
            features["py:" + pair] = max(features.get("py:" + pair, 0.0), 0.9 * weight)
    for pair, weight in _pinyin_pairs(index, tokens).items():
        features["py:" + pair] = max(features.get("py:" + pair, 0.0), weight)
    pinyin_tokens = {t for t in tokens if t in index.spelled}
    weight = 2.5 if mixed else 1.0  # in a Chinese query, an English word stands for a whole Chinese word
    for word in english_words(english):
        term = stem(word)
        if term in index.english_vocabulary:
            features["en:" + term] = max(features.get("en:" + term, 0.0), weight)
        elif word not in pinyin_tokens:
            for close in index.close_terms(word):
                features["en:" + close] = max(features.get("en:" + close, 0.0), 0.8 * weight)
    return features


# Asking what to do about a life event ("what do I need to do", "要办哪些手续") favours bundles.
_LIFE_EVENT_CUES = ("哪些", "什么手续", "要办什么", "办什么", "点算", "处理", "咩", "what do i", "what should i",
                    "everything", "all the", "what to do", "paperwork")  # fmt: skip


def _run_bonus(document: Document, token: str) -> float:
    """A Latin token that spells a run of pinyin syllables (or their initials) in a name or keyword."""
    return document.spellings.get(token, 0.0)


def _pinyin_bonus(document: Document, latin: str) -> float:
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
    if len(squashed) < 2:
        return 0.0
    if squashed in document.names:
        return 3.0
    if squashed in document.keywords:
        return 2.2
    if any(squashed in name for name in document.names):
        return 1.0
    if any(squashed in keyword for keyword in document.keywords):
        return 0.8
    return 0.0


@dataclass(frozen=True)
class Analysis:
    """What a query asks for, as the scoring sees it."""

    features: dict[str, float]  # feature -> weight
    squashed: tuple[str, ...]  # the query (and its corrected form) for exact comparisons
    latin: str  # the whole query, if it is one Latin-letter run (pinyin or initials)
    spelled: list[str]  # Latin tokens that may spell pinyin runs or initials
    themes: dict[str, float]  # life events -> how much the query is about them
    wants_bundle: bool


def analyse(index: SearchIndex, query: str) -> Analysis | None:
    """The query's features and cues, or None for an empty query."""
    text = normalize(query).strip()
    if not text:
        return None
    cjk = has_cjk(text)
    tokens = _TOKEN.findall(text)
    chinese: list[tuple[str, float]] = []
    if cjk:
        rest, phrases, terms = split_colloquial(text)
        fixed, rest = strip_frames(_correct(index, rest)), strip_frames(rest)
        abbreviations = [LATIN_IN_CHINESE[t] for t in tokens if t in LATIN_IN_CHINESE]
        tokens = [t for t in tokens if t not in LATIN_IN_CHINESE]
        # A colloquial phrase counts through the catalog's terms for it; a typo undone, through the fix.
        chinese = [(fixed, 1.0), (terms, 1.0), (" ".join(abbreviations), 1.0), (phrases, 0.5), (rest, 0.2)]
    squashed = squash(text)
    english = " ".join(tokens) if cjk else text
    tokens = [t for t in tokens if not _is_english(index, t)]  # the rest may be pinyin or initials
    spelled = [t for t in tokens if len(t) >= 2 and t not in PINYIN_FRAMES and (not cjk or t in index.spelled)]
    return Analysis(
        features=_query_features(index, chinese, english, tokens, cjk),
        squashed=(squashed, squash(_correct(index, text))) if cjk else (squashed,),
        latin=squashed if not cjk and _LATIN.match(squashed) else "",
        spelled=spelled,
        themes=query_themes(text),
        wants_bundle=any(cue in text for cue in _LIFE_EVENT_CUES),
    )


def search(index: SearchIndex, query: str, limit: int = 10) -> list[Hit]:
    """The best `limit` documents for the query, best first."""
    asked = analyse(index, query)
    if asked is None:
        return []
    features, themes = asked.features, asked.themes
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
    candidates = set(scores)
    if asked.latin or asked.spelled:  # pinyin input matches documents that share no feature with it
        candidates = set(range(len(index.documents)))
    elif themes:
        candidates |= {n for n, d in enumerate(index.documents) if d.themes & themes.keys()}
    hits = []
    for number in candidates:
        document = index.documents[number]
        score = scores.get(number, 0.0) + max(_exact_bonus(document, s) for s in asked.squashed)
        if asked.latin:
            score += _pinyin_bonus(document, asked.latin)
        if asked.spelled:
            score += sum(_run_bonus(document, t) for t in asked.spelled) / len(asked.spelled)
        if document.kind == "bundle":
            score += EVENT * max((themes[t] for t in document.themes if t in themes), default=0.0)
            if asked.wants_bundle and score > 0:
                score += 0.8
        if score > 0:
            hits.append(Hit(document, score + document.prior))
    hits.sort(key=lambda h: (-h.score, h.document.kind != "bundle", h.document.code))
    return hits[:limit]
