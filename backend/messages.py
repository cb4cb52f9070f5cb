"""Every user-facing message source, so tooling and tests can check the catalogs cover them all."""

from __future__ import annotations

from backend import errors
from backend.catalog import validate
from backend.identity import oidc, service
from backend.rest import pages

SOURCES: dict[str, dict[str, str]] = {
    "backend.errors": {code.value: text for code, text in errors.MESSAGES.items()},
    "backend.catalog.validate": {code.value: text for code, text in validate.MESSAGES.items()},
    "backend.identity.service": {"LOGIN_SMS": service.LOGIN_SMS},
    "backend.identity.oidc": {str(scope): text for scope, text in oidc.SCOPE_DESCRIPTIONS.items()},
    "backend.rest.pages": pages.TEXTS,
}


def all_msgids() -> set[str]:
    """The English source text of every message the service can show."""
    return {text for messages in SOURCES.values() for text in messages.values()}
