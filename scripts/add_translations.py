"""Add translations to locales/*/onewindow.po (developer tool): `uv run python scripts/add_translations.py FILE.json`.

FILE.json maps each English msgid to {"zh-Hans": ..., "zh-Hant": ...}; the en catalog gets the msgid itself.
Existing entries are kept; the files stay sorted by msgid.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from backend.i18n import Locale, read_catalog

ROOT = Path(__file__).resolve().parent.parent / "locales"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def write_catalog(locale: Locale, messages: dict[str, str]) -> None:
    """Write one locale's .po file from msgid -> msgstr."""
    lines = [
        f"# onewindow messages: {locale.folder}. The msgid is the English source text.",
        'msgid ""',
        'msgstr ""',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        f'"Language: {locale.folder}\\n"',
        "",
    ]
    for msgid in sorted(messages):
        lines += [f'msgid "{_escape(msgid)}"', f'msgstr "{_escape(messages[msgid])}"', ""]
    (ROOT / locale.folder / "LC_MESSAGES" / "onewindow.po").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    """Merge the JSON file's translations into the three catalogs."""
    additions: dict[str, dict[str, str]] = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    for locale in Locale:
        messages = read_catalog(ROOT, locale)
        for msgid, texts in additions.items():
            messages[msgid] = msgid if locale is Locale.EN else texts[locale.value]
        write_catalog(locale, messages)


if __name__ == "__main__":
    main()
