"""Relay-style connections: opaque cursors and page-size checks."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

import strawberry

from backend.errors import CommonErrorCode, DomainError

_PREFIX = "v1:"


def encode_cursor(key: str) -> str:
    """An opaque cursor for the item with this key."""
    return base64.urlsafe_b64encode((_PREFIX + key).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    """The key inside a cursor; INVALID_CURSOR when it is not one of ours."""
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise DomainError(CommonErrorCode.INVALID_CURSOR, field="after") from None
    if not text.startswith(_PREFIX) or len(text) == len(_PREFIX):
        raise DomainError(CommonErrorCode.INVALID_CURSOR, field="after")
    return text[len(_PREFIX) :]


def time_cursor(at: datetime, key: str) -> str:
    """The cursor of an item in a list ordered by time, then id (newest first or oldest first)."""
    return encode_cursor(f"{at.isoformat()}|{key}")


def time_position(after: str | None) -> tuple[datetime, str] | None:
    """(time, id) of the item a `time_cursor` names; INVALID_CURSOR for a cursor that is not one."""
    key = decode_cursor(after)
    if key is None:
        return None
    at, _, last = key.partition("|")
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        raise DomainError(CommonErrorCode.INVALID_CURSOR, field="after") from None
    if moment.tzinfo is None or not last:
        raise DomainError(CommonErrorCode.INVALID_CURSOR, field="after")
    return moment, last


def check_page_size(first: int, maximum: int) -> int:
    """`first` when 1..maximum, else PAGE_SIZE_OUT_OF_RANGE."""
    if not 1 <= first <= maximum:
        raise DomainError(CommonErrorCode.PAGE_SIZE_OUT_OF_RANGE, field="first", max=maximum)
    return first


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None
