"""Scoring a query against the index: feature overlap weighted by rarity, plus pinyin, exact and event boosts,
and what the query wants done with the thing (intent.py) to choose between sibling services."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from backend.search.events import query_events
from backend.search.index import Document, SearchIndex
from backend.search.intent import FIRST, fit, query_intents
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

CONTAINED = 0.3
"""What a document gains (at most) when the query says one of the catalog's names or keywords whole and
the document has it: "抵押登记" in "买楼做咗按揭，抵押登记使唔使自己办"."""
PART_OF_NAME, PART_OF_KEYWORD = 1.0, 0.8
"""What a document gains when the whole query is part of one of its names or keywords (times the share)."""
PARAPHRASED = 2.0
"""What a document gains when the whole query is one of its paraphrases (a keyword whole gains 2.2)."""
INTENT, SIBLING = 0.1, 0.4
"""The share of its score a document gains when it does what the query wants done ("丢了": a replacement),
and loses when it does not and a sibling service for the same thing (or another follow-up) does (intent.py)."""
EVENT = 1.2
"""What a bundle gains when the query is all about its life event (less as the query says more)."""
COVER = 0.02
"""A tie-breaker: how much of a document's name the query covers (of two names that match alike, the
one that says less besides)."""
MEMBERS = 0.5
"""What a bundle gains for each of its matters past the first that the query names in their own words
("出世纸、入户口、买医保": three of the birth bundle's): one who lists several steps of a bundle wants all of them."""
ASKS_FOR_ALL = 0.8
"""What a bundle gains when the query asks what all there is to do ("要办哪些手续", "what do I need to do")."""
_ASKS_FOR_ALL = (
    "哪些",
    "什么手续",
    "要办什么",
    "办什么",
    "点算",
    "处理",
    "咩",
    "一次搞定",
    "一齐办",
    "一齐申请",
    "一齐搞",
    "一起申请",
    "一条龙",
    "一次办",
    "一起办",
    "一并办",
    "一次过",
    "一站式",
    "what do i",
    "what should i",
    "what do we",
    "what should we",
    "everything",
    "all the",
    "what to do",
    "paperwork",
    "where to start",
    "where do i start",
    "all at once",
    "in one go",
    "one place",
    "whole process",
    "where to begin",
)


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
    intents: frozenset[str]  # what the query wants done (see intent.py)
    stems: frozenset[str]  # the stems of its English words


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
    rest, terms = text, ""
    if cjk:
        rest, phrases, terms = split_colloquial(text)
        abbreviations = " ".join(LATIN_IN_CHINESE[t] for t in latin if t in LATIN_IN_CHINESE)
        latin = [t for t in latin if t not in LATIN_IN_CHINESE]
        # An everyday phrase counts through the catalog's terms for it, a typo through its correction.
        chinese = [
            (strip_frames(_correct(index, rest)), 1.0),
            (terms, 1.0),
            (abbreviations, 1.0),
            (phrases, 0.5),
            (strip_frames(rest), 0.2),
        ]
    pinyin = [t for t in latin if not _is_english(index, t)]
    squashed = squash(text)
    features = _features(index, chinese, " ".join(latin) if cjk else text, pinyin, cjk)
    stems = frozenset(f[3:] for f in features if f.startswith("en:"))
    return Query(
        features=features,
        squashed=(squashed, squash(_correct(index, text))) if cjk else (squashed,),
        latin=squashed if not cjk and len(pinyin) == len(latin) and _LATIN.match(squashed) else "",
        spelled=[t for t in pinyin if len(t) >= 2 and t not in PINYIN_FRAMES and (not cjk or t in index.spelled)],
        events=query_events(text),
        asks_for_all=any(cue in text for cue in _ASKS_FOR_ALL),
        intents=query_intents(text, rest, terms, stems),
        stems=stems,
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
    if len(squashed) < 2 or squashed not in document.texts:  # in no name, keyword nor paraphrase: the usual case
        return 0.0
    if squashed in document.names:
        return 3.0
    if squashed in document.keywords:
        return 2.2
    if squashed in document.paraphrases:
        return PARAPHRASED
    # Part of a name, keyword or paraphrase: worth more the more of it the query says ("居住证补办" is most
    # of "补办居住证" but only part of "港澳居民居住证补办").
    said = (*document.names, *document.keywords, *document.paraphrases)
    share = max(len(squashed) / len(text) for text in said if squashed in text)
    if any(squashed in name for name in document.names):
        return PART_OF_NAME * share
    return PART_OF_KEYWORD * share


def _contained(index: SearchIndex, asked: Query) -> tuple[dict[str, float], dict[int, float]]:
    """What the query says of the catalog's whole names and keywords ("抵押登记" in "...抵押登记使唔使自己办",
    "get a driving licence" in "how do I get a driving license in china"): the Chinese ones, and the documents
    with the English ones, each with how long it is (0 to 1). A query that says a document's own words is
    most likely about it; a Chinese one counts for every document that has it in a name or keyword."""
    chinese: dict[str, float] = {}
    for text in asked.squashed:
        for start in range(len(text) - 1):
            for end in range(start + 2, min(len(text), start + index.longest_whole) + 1):
                if text[start:end] in index.wholes:
                    chinese[text[start:end]] = min(1.0, (end - start) / 6)
    english: dict[int, float] = {}
    for word in asked.stems:
        for phrase, number in index.phrases.get(word, ()):
            if phrase <= asked.stems:
                english[number] = max(english.get(number, 0.0), min(1.0, len(phrase) / 3))
    return chinese, english


def _said(index: SearchIndex, chinese: dict[str, float], english: dict[int, float]) -> dict[int, float]:
    """The documents whose own words the query says (see _contained), each with the longest share."""
    said = dict(english)
    for whole, share in chinese.items():
        for number in index.saying(whole):
            said[number] = max(said.get(number, 0.0), share)
    return said


def _named(index: SearchIndex, chinese: dict[str, float], english: dict[int, float]) -> set[int]:
    """The matters of bundles whose own words (a Chinese name, keyword or paraphrase of three characters or
    more, or an English one of two words or more) the query says."""
    named = {n for whole, share in chinese.items() if share >= 0.5 for n in index.saying(whole)}
    return (named | set(english)) & index.members_of_bundles


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
    chinese, english = _contained(index, asked)
    said = _said(index, chinese, english)
    exact = [s for s in asked.squashed if len(s) > 1 and s in index.texts]  # usually none: a longer query
    named = _named(index, chinese, english) if said else set()
    scored = []
    for number in candidates:
        document = index.documents[number]
        score = scores.get(number, 0.0) + max((_exact_bonus(document, s) for s in exact), default=0.0)
        score += CONTAINED * said.get(number, 0.0)
        if asked.latin:
            score += _pinyin_bonus(document, asked.latin)
        if asked.spelled:
            score += sum(_run_bonus(document, t) for t in asked.spelled) / len(asked.spelled)
        if document.kind == "bundle":
            score += EVENT * max((events[e] for e in document.events if e in events), default=0.0)
            steps = sum(m in named for m in index.members[number])
            if steps > 1 and score > 0:
                score += MEMBERS * (steps - 1)
            if asked.asks_for_all and score > 0 and (steps > 1 or any(e in events for e in document.events)):
                score += ASKS_FOR_ALL
        if score > 0:
            fits = fit(document.intents, index.sibling_intents[number], asked.intents)
            score *= 1.0 + (INTENT if fits > 0 else SIBLING) * fits
            # The prior is for a query that names only the thing: one that asks for a follow-up has none.
            scored.append((score + (0.0 if asked.intents - {FIRST} else document.prior), document))
    # The tie-breaker can only reorder hits that come within COVER of the last one shown.
    last = sorted((score for score, _ in scored), reverse=True)[min(limit, len(scored)) - 1] if scored else 0.0
    hits = [Hit(d, s + COVER * _coverage(d, words) if s >= last - COVER else s) for s, d in scored]
    hits.sort(key=lambda h: (-h.score, h.document.kind != "bundle", h.document.code))
    return hits[:limit]
