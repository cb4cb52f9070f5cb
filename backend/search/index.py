"""An in-memory search index over matters and bundles, rebuilt from the catalog snapshot.

Every document is indexed by features of three kinds: Chinese characters and character pairs
(Simplified), pinyin syllable pairs of its Chinese text (so a wrong character with the right sound
still matches), and stemmed English words. Names weigh more than keywords, keywords more than
summaries. Latin-letter queries also match the full pinyin and the initials of names and keywords.
A bundle also knows its life events (events.py), and a document whether it is an ordinary service
rather than a follow-up or a special case (a small prior, see PRIMARY), what it does with its thing
and what its sibling services do (intent.py), and its whole names and keywords (said whole in a query,
they count: see query.CONTAINED).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from backend.search import vocabulary as v
from backend.search.intent import Thing, document_intents, siblings, thing
from backend.search.text import (
    english_words,
    grams,
    has_cjk,
    normalize,
    pinyin,
    squash,
    stem,
    syllable_pairs,
    syllables,
)

NAME, KEYWORD, SUMMARY, MEMBER = 3.0, 2.4, 1.0, 1.2
"""Field weights: a bundle's member matters describe it, but less than its own name."""

PARAPHRASE = 1.2
"""How citizens say a service (paraphrases.py): nearly a keyword, but written by us, not by its department."""

PRIMARY = 0.1
"""A tie-breaker for the ordinary service that issues or grants something (a passport, a social security
card): a query that names only the thing ("社保卡", "hz") most often wants that one, not a follow-up
service (replacement, renewal, cancellation) or a variant for special cases (temporary, for foreigners)."""
NOT_PRIMARY = (
    "补领",
    "补发",
    "补办",
    "换领",
    "换发",
    "换证",
    "挂失",
    "注销",
    "变更",
    "签注",
    "续期",
    "查询",
    "撤销",
    "临时",
    "外国人",
    "港澳台",
    "境外",
    "乡村",
)


@dataclass
class Document:
    """A matter or a bundle as the index sees it."""

    kind: str  # "matter" | "bundle"
    code: str
    names: list[str]  # normalised, all locales
    keywords: list[str]
    paraphrases: list[str]  # how citizens say it (see paraphrases.py), normalised
    pinyins: list[tuple[str, str]]  # (full, initials) of the Chinese names and keywords
    texts: str = ""  # the names, keywords and paraphrases, "|"-separated (for a quick "is it in any of them")
    spoken: str = ""  # the pinyins, "|"-separated: a Latin query found in none matches none of them
    spellings: dict[str, float] = field(default_factory=dict)  # pinyin runs (and their initials) -> bonus
    features: dict[str, float] = field(default_factory=dict)  # feature -> best field weight
    events: frozenset[str] = frozenset()  # a bundle's life events (see events.py)
    members: tuple[str, ...] = ()  # a bundle's member matters' codes
    prior: float = 0.0  # what the document is worth before any query (see make_document)
    name_words: list[frozenset[str]] = field(default_factory=list)  # each name's characters and English stems
    phrases: list[tuple[str, ...]] = field(default_factory=list)  # the English names' and keywords' stems
    thing: Thing = ("", frozenset())  # what a matter is about, without what is done with it (see intent.py)
    intents: frozenset[str] = frozenset()  # what a follow-up service does (see intent.py); empty for a first issue


def _features(text: str, weight: float, into: dict[str, float], sounds: bool = True) -> None:
    normalised = normalize(text)
    for gram in grams(normalised):
        into[gram] = max(into.get(gram, 0.0), weight)
    for pair in syllable_pairs(normalised) if sounds else ():
        key = "py:" + pair
        into[key] = max(into.get(key, 0.0), weight * 0.8)
    for word in english_words(normalised):
        key = "en:" + stem(word)
        into[key] = max(into.get(key, 0.0), weight)
        into["w:" + word] = 0.0  # the unstemmed word, kept for typo tolerance only


def _one(text: str) -> dict[str, float]:
    """The features of one text."""
    found: dict[str, float] = {}
    _features(text, 1.0, found)
    return found


def make_document(
    kind: str,
    code: str,
    names: list[str],
    keywords: list[str],
    summaries: list[str],
    members: Sequence[str] = (),
    events: frozenset[str] = frozenset(),
    paraphrases: Sequence[str] = (),
    member_codes: Sequence[str] = (),
) -> Document:
    """A document from its texts in every locale."""
    features: dict[str, float] = {}
    # Paraphrases go without their sounds: the catalog's own words already match a wrong character that
    # sounds right, and the pinyin of some 2,000 phrases would slow the index build by a third.
    for text in paraphrases:
        _features(text, PARAPHRASE, features, sounds=False)
    for text, weight in [
        *((s, SUMMARY) for s in summaries),
        *((m, MEMBER) for m in members),
        *((k, KEYWORD) for k in keywords),
        *((n, NAME) for n in names),
    ]:
        _features(text, weight, features)
    chinese = [t for t in (*names, *keywords) if pinyin(normalize(t))[0]]
    return Document(
        kind=kind,
        code=code,
        names=[squash(normalize(n)) for n in names],
        keywords=[squash(normalize(k)) for k in keywords],
        paraphrases=[squash(normalize(p)) for p in paraphrases],
        texts="|".join(squash(normalize(t)) for t in (*names, *keywords, *paraphrases)),
        pinyins=[pinyin(normalize(t)) for t in chinese],
        spoken="|".join(p for t in chinese for p in pinyin(normalize(t))),
        spellings=_spellings([list(syllables(normalize(t))) for t in chinese]),
        features=features,
        events=events,
        members=tuple(member_codes),
        name_words=[frozenset(f for f in _one(n) if len(f) == 1 or f.startswith("en:")) for n in names],
        phrases=[
            p
            for p in (tuple(stem(w) for w in english_words(normalize(t))) for t in (*names, *keywords, *paraphrases))
            if len(p) > 1
        ],
        thing=thing([normalize(n) for n in names]) if kind == "matter" else ("", frozenset()),
        intents=document_intents([normalize(n) for n in names], [normalize(k) for k in keywords])
        if kind == "matter"
        else frozenset(),
        prior=0.0 if any(word in name for name in map(normalize, names) for word in NOT_PRIMARY) else PRIMARY,
    )


def _spellings(texts: list[list[str]], longest: int = 8) -> dict[str, float]:
    """Every run of up to `longest` pinyin syllables, spelled out ("huzhao") or as initials ("hz").

    A Latin-letter token that equals one of these matches the text; longer spellings are worth more,
    and so are runs that many of the document's names and keywords share (what it is mostly about).
    """
    found: dict[str, float] = {}
    shared: dict[str, int] = defaultdict(int)
    for spoken in texts:
        runs: set[str] = set()
        for start in range(len(spoken)):
            spelled, initials = "", ""
            for syllable in spoken[start : start + longest]:
                spelled += syllable
                initials += syllable[0] if syllable else ""
                found[spelled] = max(found.get(spelled, 0.0), 1.0 + 0.1 * min(len(spelled), 10))
                runs.add(spelled)
                if len(initials) >= 2:
                    found.setdefault(initials, 1.2)
                    runs.add(initials)
        for run in runs:
            shared[run] += 1
    return {run: bonus * (1.0 + 0.03 * math.log(shared[run])) for run, bonus in found.items()}


class SearchIndex:
    """Postings and inverse document frequencies over a set of documents."""

    def __init__(self, documents: list[Document]) -> None:
        self.documents = documents
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for number, document in enumerate(documents):
            for feature, weight in document.features.items():
                postings[feature].append((number, weight))
        self.postings = dict(postings)
        total = max(len(documents), 1)
        self.idf = {f: math.log(1 + total / len(p)) for f, p in self.postings.items()}
        self.english_vocabulary = {f[3:] for f in self.postings if f.startswith("en:")}
        self.english_words = {f[2:] for f in self.postings if f.startswith("w:")}
        self.spelled = {run for document in documents for run in document.spellings}
        self.bundles: dict[str, list[int]] = defaultdict(list)  # life event -> its bundles
        for number, document in enumerate(documents):
            for event in document.events:
                self.bundles[event].append(number)
        numbers = {document.code: number for number, document in enumerate(documents)}
        self.members = [[numbers[c] for c in document.members if c in numbers] for document in documents]
        self.wholes: set[str] = set()  # the Chinese names, keywords and paraphrases
        self.phrases: dict[str, list[tuple[frozenset[str], int]]] = defaultdict(list)  # stem -> (phrase, document)
        for number, document in enumerate(documents):
            said = (*document.names, *document.keywords, *document.paraphrases)
            self.wholes.update(w for w in said if len(w) > 1 and has_cjk(w))
            for phrase in {frozenset(p) for p in document.phrases}:
                self.phrases[min(phrase)].append((phrase, number))
        # What each matter's siblings (services for the same thing) do: see intent.py.
        self.sibling_intents = [
            frozenset(i for o in others for i in documents[o].intents)
            for others in siblings([d.thing for d in documents])
        ]
        self.longest_whole = max(map(len, self.wholes), default=0)
        self._saying: dict[str, list[int]] = {}  # see saying()
        self.members_of_bundles = frozenset(m for ms in self.members for m in ms)
        self.texts = "\n".join(d.texts for d in documents)  # a query in none of them gains no exact bonus
        # Typos are undone towards the index's words and the everyday words that stand for them ("extention").
        everyday = {w for w in (*v.ENGLISH_SYNONYMS, *v.ENGLISH_SPELLINGS) if _stems(w) <= self.english_vocabulary}
        self._typo_words = self.english_words | everyday
        self._deletions = _deletion_map(self._typo_words, 1, 4)
        self._far_deletions = _deletion_map(self._typo_words, 2, 7)

    def saying(self, whole: str) -> list[int]:
        """The documents that say a whole (in a name, keyword or paraphrase): found on first asking and kept,
        rather than for every query and document (nor for all wholes at build: most are never asked)."""
        found = self._saying.get(whole)
        if found is None:
            found = self._saying[whole] = [n for n, d in enumerate(self.documents) if whole in d.texts]
        return found

    def close_terms(self, word: str) -> list[str]:
        """Stems of vocabulary words one edit away from `word` (typo tolerance for words of 4+ letters),
        or else two edits away, for words of 7+ letters."""
        if len(word) < 4 or word in self._typo_words:
            return []
        found: set[str] = set()
        for variant in _deletes(word, 1):
            found.update(self._deletions.get(variant, ()))
        if not found and len(word) >= 7:
            for variant in _deletes(word, 2):
                found.update(w for w in self._far_deletions.get(variant, ()) if _distance(word, w) <= 2)
        return sorted({s for w in found for s in _stems(w)})


def _stems(word: str) -> set[str]:
    """The stems of the catalog's words for an English word."""
    return {stem(w) for w in english_words(word)}


def _deletes(term: str, times: int) -> set[str]:
    """The term and what is left of it after deleting up to `times` letters."""
    found = {term}
    for _ in range(times):
        found |= {t[:i] + t[i + 1 :] for t in found for i in range(len(t))}
    return found


def _deletion_map(vocabulary: set[str], times: int, shortest: int) -> dict[str, set[str]]:
    """SymSpell-style: every term of `shortest` letters or more and its deletions point back to the term."""
    result: dict[str, set[str]] = defaultdict(set)
    for term in vocabulary:
        if len(term) >= shortest:
            for variant in _deletes(term, times):
                result[variant].add(term)
    return dict(result)


def _distance(a: str, b: str) -> int:
    """Edit distance with adjacent transpositions (optimal string alignment)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]
