"""Word lists for search (chinese.py, english.py, intents.py): how citizens say things, and how the catalog says them.

General knowledge of Mandarin, Cantonese and English usage, written per concept (never per matter or
per query): everyday words for the catalog's official terms, the words of life events, shape-similar
characters people type by mistake, question frames that carry no topic, British and American
spellings. Chinese may be written in Simplified or Traditional characters (normalised on load);
lists are space-separated.
"""

from __future__ import annotations

from backend.search.vocabulary.chinese import (
    CHINESE_EVENT_FILLERS,
    CHINESE_SYNONYMS,
    CONFUSABLE_GROUPS,
    LATIN_IN_CHINESE,
    LIFE_EVENTS,
    PARTICLES,
    PINYIN_SYLLABLES,
    QUESTION_FRAMES,
)
from backend.search.vocabulary.english import (
    ENGLISH_EVENT_FILLERS,
    ENGLISH_PHRASES,
    ENGLISH_SPELLINGS,
    ENGLISH_SUFFIXES,
    ENGLISH_SYNONYMS,
)
from backend.search.vocabulary.intents import (
    DOCUMENT_INTENTS,
    ENGLISH_SERVICE_ACTIONS,
    NOT_INTENT_CUES,
    QUERY_INTENTS,
    SERVICE_ACTIONS,
)

__all__ = [
    "CHINESE_EVENT_FILLERS",
    "CHINESE_SYNONYMS",
    "CONFUSABLE_GROUPS",
    "DOCUMENT_INTENTS",
    "ENGLISH_EVENT_FILLERS",
    "ENGLISH_PHRASES",
    "ENGLISH_SERVICE_ACTIONS",
    "ENGLISH_SPELLINGS",
    "ENGLISH_SUFFIXES",
    "ENGLISH_SYNONYMS",
    "LATIN_IN_CHINESE",
    "LIFE_EVENTS",
    "NOT_INTENT_CUES",
    "PARTICLES",
    "PINYIN_SYLLABLES",
    "QUERY_INTENTS",
    "QUESTION_FRAMES",
    "SERVICE_ACTIONS",
]
