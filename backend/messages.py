"""Every user-facing message source, so tooling and tests can check the catalogs cover them all."""

from __future__ import annotations

from backend import errors
from backend.catalog import validate

SOURCES: dict[str, dict[str, str]] = {
    "backend.errors": {code.value: text for code, text in errors.MESSAGES.items()},
    "backend.catalog.validate": {code.value: text for code, text in validate.MESSAGES.items()},
}


def all_msgids() -> set[str]:
    """The English source text of every message the service can show."""
    return {text for messages in SOURCES.values() for text in messages.values()}
