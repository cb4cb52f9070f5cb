"""Life events: recognising that a query is about an event ("my dad passed away", "想开间茶餐厅").

A "one thing" bundle gathers the matters of a life event. An event is known by its terms in the
catalog's wording (`vocabulary.LIFE_EVENTS`, what the synonym tables map everyday phrases to): a
bundle has the events whose terms its names contain, a query those whose terms it (or the catalog's
wording for its everyday phrases) contains. A query that says little besides the event, and who,
when and where, is about the whole event: its bundle is what it wants. One that also names something
particular ("死亡证", "birth certificate") wants that, and the event counts for less.
"""

from __future__ import annotations

from backend.search import vocabulary as v
from backend.search.text import chinese_phrases, chinese_runs, english_words, normalize, stem, strip_frames

_ZH_TERMS = {event: [normalize(t) for t in zh.split()] for event, (zh, _) in v.LIFE_EVENTS.items()}
_EN_TERMS = {event: [tuple(t.split("+")) for t in en.split()] for event, (_, en) in v.LIFE_EVENTS.items()}
_ALL_ZH_TERMS = frozenset(t for terms in _ZH_TERMS.values() for t in terms)
_ZH_FILLERS = sorted({normalize(w) for w in v.CHINESE_EVENT_FILLERS.split()}, key=len, reverse=True)
_ZH_FILLER_SET = frozenset(_ZH_FILLERS)
_EN_FILLERS = frozenset(stem(w) for w in v.ENGLISH_EVENT_FILLERS.split())
_OTHER = "\u3400"  # stands for a character of the query that is about something else


def _strength(rest: float) -> float:
    """How much a query is about an event, from how many words it says besides: falls fast."""
    return max(0.0, 1.0 - rest) ** 2


def _english_events(stems: set[str]) -> set[str]:
    return {event for event, terms in _EN_TERMS.items() if any(all(s in stems for s in term) for term in terms)}


def bundle_events(names: list[str]) -> frozenset[str]:
    """The life events of a bundle, from its names in every locale."""
    found: set[str] = set()
    for name in names:
        text = normalize(name)
        found |= {event for event, terms in _ZH_TERMS.items() if any(term in text for term in terms)}
        found |= _english_events({stem(w) for w in english_words(text)})
    return frozenset(found)


def query_events(text: str) -> dict[str, float]:
    """The life events a normalised query expresses, each with how much the query is about it (0 to 1)."""
    events: dict[str, float] = {}
    stems = [stem(w) for w in english_words(text)]
    english = _english_events(set(stems))
    if english:
        used = {s for event in english for term in _EN_TERMS[event] for s in term}
        others = [s for s in stems if s not in used and s not in _EN_FILLERS]
        events = dict.fromkeys(english, _strength(len(others) / 2))
    phrases = chinese_phrases(text)
    expanded = " ".join([text, *(t for _, terms in phrases for t in terms)])
    chinese = {event for event, terms in _ZH_TERMS.items() if any(term in expanded for term in terms)}
    if chinese:
        rest = strip_frames(text)
        for phrase, terms in phrases:  # an everyday phrase for an event or a person is not "the rest";
            # one for something else (a certificate) is, all of it, even if it contains an event's term
            about_event = any(t in _ZH_FILLER_SET or t in _ALL_ZH_TERMS for t in terms)
            rest = rest.replace(phrase, " " if about_event else _OTHER * len(phrase))
        for term in (*(t for event in chinese for t in _ZH_TERMS[event]), *_ZH_FILLERS):
            rest = rest.replace(term, " ")
        strength = _strength(len("".join(chinese_runs(rest))) / 4)  # a Chinese word: some two characters
        for event in chinese:
            events[event] = max(events.get(event, 0.0), strength)
    return events
