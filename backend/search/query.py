"""Scoring a query against the index: feature overlap weighted by rarity, plus pinyin and exact boosts."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from backend.search.index import Document, SearchIndex
from backend.search.text import english_words, expand_chinese, grams, has_cjk, normalize, squash, stem, syllables

_LATIN = re.compile(r"^[a-z]+$")


@dataclass(frozen=True)
class Hit:
    """A document and how well it matched (higher is better)."""

    document: Document
    score: float


def _query_features(index: SearchIndex, text: str) -> dict[str, float]:
    features: dict[str, float] = {}
    for gram in grams(text):
        features[gram] = 1.0
    spoken = syllables(text)
    for i in range(len(spoken) - 1):
        features["py:" + spoken[i] + spoken[i + 1]] = 0.9
    for word in english_words(text):
        term = stem(word)
        if term in index.english_vocabulary:
            features["en:" + term] = 1.0
        else:
            for close in index.close_terms(word):
                features["en:" + close] = max(features.get("en:" + close, 0.0), 0.8)
    return features


# Asking what to do about a life event ("what do I need to do", "要办哪些手续") favours bundles.
_LIFE_EVENT_CUES = ("哪些", "什么手续", "要办什么", "办什么", "点算", "处理", "咩", "what do i", "what should i",
                    "everything", "all the", "what to do")  # fmt: skip


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


def search(index: SearchIndex, query: str, limit: int = 10) -> list[Hit]:
    """The best `limit` documents for the query, best first."""
    text = expand_chinese(normalize(query).strip())
    if not text.strip():
        return []
    features = _query_features(index, text)
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
    squashed = squash(text)
    latin = squashed if not has_cjk(text) and _LATIN.match(squashed) else ""
    tokens = [t for t in re.split(r"[^a-z]+", text) if len(t) >= 2] if not has_cjk(text) else []
    wants_bundle = any(cue in text for cue in _LIFE_EVENT_CUES)
    candidates = set(scores)
    if latin or tokens:  # pinyin input matches documents that share no feature with it
        candidates = set(range(len(index.documents)))
    hits = []
    for number in candidates:
        document = index.documents[number]
        score = scores.get(number, 0.0) + _exact_bonus(document, squashed)
        if latin:
            score += _pinyin_bonus(document, latin)
        if tokens:
            score += sum(_run_bonus(document, t) for t in tokens) / len(tokens)
        if wants_bundle and document.kind == "bundle" and score > 0:
            score += 0.8
        if score > 0:
            hits.append(Hit(document, score))
    hits.sort(key=lambda h: (-h.score, h.document.kind != "bundle", h.document.code))
    return hits[:limit]
