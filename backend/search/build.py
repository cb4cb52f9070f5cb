"""Building the search index from the catalog snapshot (and the bulky texts: keywords), with how citizens
say each matter and bundle (paraphrases.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from backend.search.events import bundle_events
from backend.search.index import Document, SearchIndex, make_document
from backend.search.paraphrases import paraphrases

LOCALES = ("zh-Hans", "zh-Hant", "en")


def matter_document(
    code: str, name: dict[str, str], summary: dict[str, str], keywords: dict[str, list[str]]
) -> Document:
    """A matter's document from its texts."""
    names = [name[locale] for locale in LOCALES]
    words = [k for locale in LOCALES for k in keywords.get(locale, [])]
    summaries = [summary[locale] for locale in LOCALES]
    return make_document("matter", code, names, words, summaries, paraphrases=paraphrases(code))


def bundle_document(
    code: str,
    name: dict[str, str],
    summary: dict[str, str],
    members: Iterable[tuple[dict[str, str], dict[str, list[str]]]],
    member_codes: Sequence[str] = (),
) -> Document:
    """A bundle's document: its own texts, and its matters' names and keywords at a lower weight (and their
    codes: a query that names several of its matters asks for the bundle, see query.MEMBERS)."""
    member_texts: list[str] = []
    for member_name, member_keywords in members:
        member_texts += [member_name[locale] for locale in LOCALES]
        member_texts += [k for locale in LOCALES for k in member_keywords.get(locale, [])]
    names = [name[locale] for locale in LOCALES]
    summaries = [summary[locale] for locale in LOCALES]
    return make_document(
        "bundle",
        code,
        names,
        [],
        summaries,
        member_texts,
        events=bundle_events(names),
        paraphrases=paraphrases(code),
        member_codes=member_codes,
    )


def build_index(documents: list[Document]) -> SearchIndex:
    """The index over the documents."""
    return SearchIndex(documents)
