"""What any text a caller sends must be: something the database can hold and JSON can carry."""

from __future__ import annotations

UNSTORABLE = "text may not contain NUL characters or unpaired surrogates"


def storable(text: str) -> bool:
    """Whether text can be stored and sent on: no NUL character (PostgreSQL refuses it), no unpaired
    surrogate (not UTF-8)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
