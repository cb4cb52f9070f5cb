"""The platform's sign-in form posted from its own page in a real browser is accepted; from another
site it is refused (login CSRF). Chromium sends `Origin: null` on the page's own posts (the pages'
no-referrer policy), so the browser's Sec-Fetch-Site decides, not Origin."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.support import factories

pytestmark = pytest.mark.usefixtures("fresh_redis")


async def test_the_sign_in_page_posts_to_itself_with_a_null_origin(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession]
) -> None:
    person = await factories.resident(db)
    form = {"phone": person.phone, "continue": "/oauth/authorize?client_id=x"}
    forged = await api.post("/oauth/login/code", data=form, headers={"origin": "null", "sec-fetch-site": "cross-site"})
    assert forged.status_code == 403
    own = await api.post("/oauth/login/code", data=form, headers={"origin": "null", "sec-fetch-site": "same-origin"})
    assert own.status_code == 200 and 'name="code"' in own.text
