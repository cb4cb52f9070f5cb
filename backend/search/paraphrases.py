"""How citizens say each matter and bundle, from vocabulary/paraphrases.txt: more words for a document.

The catalog's keywords are few and official-sounding; the paraphrase file says each service the way people
ask for it (colloquial Mandarin, written Cantonese, plain English), per catalog code. The index takes them
as a field of their own, weighed a little below the catalog's keywords (index.PARAPHRASE).

File format: a line "[CODE]" starts a document; each following line "locale = phrase; phrase; ..." lists
its phrases in that locale; "#" starts a comment line.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

PARAPHRASE_FILE = Path(__file__).parent / "vocabulary" / "paraphrases.txt"
LOCALES = ("zh-Hans", "zh-Hant", "en")
_SEPARATOR = re.compile(r"[;；]")


def parse(text: str) -> dict[str, dict[str, list[str]]]:
    """Code -> locale -> phrases, from the file's text; a malformed line is an error (the file is ours)."""
    found: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = found.setdefault(line[1:-1].strip(), {})
            continue
        locale, equals, phrases = line.partition("=")
        if current is None or not equals or locale.strip() not in LOCALES:
            raise ValueError(f"{PARAPHRASE_FILE.name}:{number}: expected '[CODE]' or 'locale = phrase; ...'")
        current.setdefault(locale.strip(), []).extend(p.strip() for p in _SEPARATOR.split(phrases) if p.strip())
    return found


@functools.cache
def all_paraphrases() -> dict[str, dict[str, list[str]]]:
    """Every code's paraphrases by locale (read once per process)."""
    return parse(PARAPHRASE_FILE.read_text(encoding="utf-8"))


def paraphrases(code: str) -> list[str]:
    """A matter's or bundle's paraphrases in every locale ([] for a code the file does not list)."""
    by_locale = all_paraphrases().get(code, {})
    return [p for locale in LOCALES for p in by_locale.get(locale, [])]
