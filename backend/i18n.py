"""Locale negotiation and the gettext catalogs compiled from locales/."""

from __future__ import annotations

import functools
from enum import StrEnum
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

DOMAIN = "onewindow"


class Locale(StrEnum):
    """The three languages every text is available in."""

    ZH_HANS = "zh-Hans"
    ZH_HANT = "zh-Hant"
    EN = "en"

    @property
    def folder(self) -> str:
        """The gettext folder name under locales/ (zh_Hans, zh_Hant, en)."""
        return self.value.replace("-", "_")


DEFAULT_LOCALE = Locale.ZH_HANS

# Language tags (lower case) that name one of our scripts; a bare "zh" is Simplified.
_TAGS: dict[str, Locale] = {
    "zh": Locale.ZH_HANS,
    "zh-hans": Locale.ZH_HANS,
    "zh-cn": Locale.ZH_HANS,
    "zh-sg": Locale.ZH_HANS,
    "zh-my": Locale.ZH_HANS,
    "zh-hant": Locale.ZH_HANT,
    "zh-tw": Locale.ZH_HANT,
    "zh-hk": Locale.ZH_HANT,
    "zh-mo": Locale.ZH_HANT,
    "en": Locale.EN,
}


def _match(tag: str) -> Locale | None:
    parts = tag.split("-")
    # Most specific first: zh-Hant-TW -> zh-hant; zh-HK -> zh-hk; en-GB -> en.
    for n in range(min(len(parts), 2), 0, -1):
        found = _TAGS.get("-".join(parts[:n]))
        if found is not None:
            return found
    return None


@functools.lru_cache(maxsize=512)
def negotiate(accept_language: str | None) -> Locale:
    """Pick the caller's locale from an Accept-Language header (RFC 9110 q-values)."""
    if not accept_language:
        return DEFAULT_LOCALE
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept_language.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.strip().lower().replace("_", "-")))
    for _, _, tag in sorted(ranked):
        found = _match(tag)
        if found is not None:
            return found
    return DEFAULT_LOCALE


class Catalogs:
    """The translated messages of every locale, loaded once from the .po files."""

    def __init__(self, messages: dict[Locale, dict[str, str]]) -> None:
        self._messages = messages

    @classmethod
    def load(cls, locales_dir: Path) -> Catalogs:
        """Read locales/<folder>/LC_MESSAGES/onewindow.po for every locale."""
        messages: dict[Locale, dict[str, str]] = {}
        for locale in Locale:
            messages[locale] = read_catalog(locales_dir, locale)
        return cls(messages)

    def gettext(self, locale: Locale, msgid: str, **params: Any) -> str:
        """The message in `locale`, falling back to the English source; params are formatted in."""
        text = self._messages[locale].get(msgid) or msgid
        if params:
            try:
                return text.format(**params)
            except (KeyError, IndexError, ValueError):
                return text
        return text


def read_catalog(locales_dir: Path, locale: Locale) -> dict[str, str]:
    """msgid -> msgstr of one locale's catalog (empty translations left out)."""
    path = locales_dir / locale.folder / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=None)
    result: dict[str, str] = {}
    for message in catalog:
        if message.id and isinstance(message.id, str) and isinstance(message.string, str) and message.string:
            result[message.id] = message.string
    return result


@functools.cache
def catalogs(locales_dir: str) -> Catalogs:
    """The process-wide catalogs for a locales folder, loaded on first use."""
    return Catalogs.load(Path(locales_dir))


class Msgid(str):
    """A message parameter that is itself a message (a status's label): said in the reader's language
    when the message is, never shown as the code it stands for."""

    __slots__ = ()


def pick_text(text: Any, locale: Locale) -> str:
    """A catalog text record (zh_hans, zh_hant, en attributes) in `locale`."""
    return str({"zh-Hans": text.zh_hans, "zh-Hant": text.zh_hant, "en": text.en}[locale.value])


def pick(text: dict[str, str], locale: Locale) -> str:
    """The text of a catalog locale map in `locale`, falling back to Simplified Chinese."""
    return text.get(locale.value) or text.get(DEFAULT_LOCALE.value, "")


def said_in(text: Any, locale: Locale) -> Any:
    """A stored text in `locale`: a locale map (a system reason) is picked from, anything else (an
    officer's own words, nothing) is as it was written."""
    return pick(text, locale) if isinstance(text, dict) else text
