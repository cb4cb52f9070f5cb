"""Every message exists in all three locales; Accept-Language picks the right one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from backend.i18n import Catalogs, Locale, negotiate, read_catalog
from backend.messages import all_msgids
from backend.settings import PROJECT_ROOT

LOCALES_DIR = PROJECT_ROOT / "locales"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.mark.parametrize("locale", list(Locale))
def test_every_message_is_translated(locale: Locale) -> None:
    catalog = read_catalog(LOCALES_DIR, locale)
    missing = sorted(all_msgids() - set(catalog))
    assert not missing, f"{locale.folder}/LC_MESSAGES/onewindow.po lacks: {missing}"


@pytest.mark.parametrize("locale", list(Locale))
def test_no_stale_messages(locale: Locale) -> None:
    stale = sorted(set(read_catalog(LOCALES_DIR, locale)) - all_msgids())
    assert not stale, f"{locale.folder} has messages nothing uses: {stale}"


@pytest.mark.parametrize("locale", list(Locale))
def test_translations_keep_the_placeholders(locale: Locale) -> None:
    for msgid, msgstr in read_catalog(LOCALES_DIR, locale).items():
        assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(msgstr)), (locale, msgid)


def test_chinese_scripts_really_differ() -> None:
    hans = read_catalog(LOCALES_DIR, Locale.ZH_HANS)
    hant = read_catalog(LOCALES_DIR, Locale.ZH_HANT)
    assert hans["{what} was not found."] == "未找到 {what}。"
    assert hant["{what} was not found."] == "找不到 {what}。"
    assert sum(hans[k] != hant[k] for k in hans) >= len(hans) * 0.8


def test_gettext_formats_params_and_falls_back_to_source(tmp_path: Path) -> None:
    catalogs = Catalogs({Locale.ZH_HANS: {"Hi {name}": "你好 {name}"}, Locale.ZH_HANT: {}, Locale.EN: {}})
    assert catalogs.gettext(Locale.ZH_HANS, "Hi {name}", name="王") == "你好 王"
    assert catalogs.gettext(Locale.ZH_HANT, "Hi {name}", name="王") == "Hi 王"
    assert catalogs.gettext(Locale.EN, "Hi {name}") == "Hi {name}"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, Locale.ZH_HANS),
        ("", Locale.ZH_HANS),
        ("zh-CN", Locale.ZH_HANS),
        ("zh-SG", Locale.ZH_HANS),
        ("zh", Locale.ZH_HANS),
        ("zh-Hans-CN", Locale.ZH_HANS),
        ("zh-TW", Locale.ZH_HANT),
        ("zh-HK", Locale.ZH_HANT),
        ("zh-MO", Locale.ZH_HANT),
        ("zh-Hant", Locale.ZH_HANT),
        ("zh_TW", Locale.ZH_HANT),
        ("en", Locale.EN),
        ("en-US,en;q=0.9", Locale.EN),
        ("fr-FR", Locale.ZH_HANS),
        ("fr-FR,fr;q=0.9,en;q=0.8", Locale.EN),
        ("en;q=0.5,zh-HK;q=0.9", Locale.ZH_HANT),
        ("zh-HK;q=0,en", Locale.EN),
        ("*", Locale.ZH_HANS),
        ("en;q=abc", Locale.ZH_HANS),
    ],
)
def test_accept_language_negotiation(header: str | None, expected: Locale) -> None:
    assert negotiate(header) is expected
