"""Cursors are opaque and checked; page sizes are bounded."""

from __future__ import annotations

import pytest

from backend.errors import CommonErrorCode, DomainError
from backend.graphql.pagination import check_page_size, decode_cursor, encode_cursor


def test_cursor_round_trip() -> None:
    assert decode_cursor(encode_cursor("GZ-GA-0001")) == "GZ-GA-0001"
    assert decode_cursor(None) is None


@pytest.mark.parametrize("cursor", ["", "!!!", "Zm9v", encode_cursor("")])
def test_foreign_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(DomainError) as caught:
        decode_cursor(cursor)
    assert caught.value.code is CommonErrorCode.INVALID_CURSOR and caught.value.field == "after"


@pytest.mark.parametrize("first", [0, -1, 101])
def test_page_size_bounds(first: int) -> None:
    with pytest.raises(DomainError) as caught:
        check_page_size(first, 100)
    assert caught.value.params == {"max": 100}
    assert check_page_size(100, 100) == 100
