"""Everyday words through the real server: searchMatters (which the assistant also calls) understands how
citizens say a service (paraphrases and the Cantonese and English lexicon), in each request locale."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.support.gql import gql

SEARCH = """query($q: String!) { searchMatters(query: $q, first: 3) { matter { code } bundle { code } } }"""


@pytest.mark.parametrize(
    ("query", "locale", "kind", "code"),
    [
        ("開間茶記", "zh-HK", "bundle", "LE-0001"),  # the life event, not a district copy of one licence
        ("开个湘菜馆", "zh-CN", "bundle", "LE-0001"),
        ("没结过婚的证明", "zh-CN", "matter", "GZ-MZJ-0005"),
        ("想和老公离了", "zh-CN", "matter", "GZ-MZJ-0002"),
        ("政府的房子租", "zh-CN", "matter", "GZ-ZJJ-0002"),
        ("屋契", "zh-HK", "matter", "GZ-GHZYJ-0002"),
        ("my boss hasn't paid me for two months", "en", "matter", "GZ-HZ-RSJ-0001"),
    ],
)
async def test_an_everyday_phrase_finds_the_service_first(
    api: AsyncTestClient[Any], query: str, locale: str, kind: str, code: str
) -> None:
    hits = (await gql(api, SEARCH, {"q": query}, locale=locale))["data"]["searchMatters"]
    assert hits[0][kind] == {"code": code}
