"""Issue 14's merged change, reviewed: what the review found, each proved through the real server."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.integration.test_payments import _writers_blocked
from tests.support import factories
from tests.support.identity import staff_token
from tests.support.payments import Sessions, Stack, payment_stack
from tests.support.servers import RedisServer

APPLICATION = "query($id: ID!) { application(id: $id) { id status order { id status } } }"
PROCESS = """mutation($i: ProcessApplicationInput!) { processApplication(input: $i) {
  application { id status } errors { code field message } } }"""


@pytest.fixture
def stack(catalog_database: str, redis_server: RedisServer, tmp_path: Path) -> Iterator[Stack]:
    with payment_stack(catalog_database, redis_server.url, tmp_path / "payments") as running:
        yield running


async def test_a_refusals_refund_asks_the_channel_with_no_transaction_open(
    stack: Stack, db: Sessions, fresh_redis: Any, catalog_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 12's rule: the channel is asked with no transaction open. The refusal's refund read the
    # order on the request's session after the refusal committed, which opened a transaction again
    # and held it (and its connection) across the call to Alipay.
    async with stack.client() as client:
        citizen = await factories.citizen(client, db)
        application = await factories.car_registration(client, citizen)
        officer = await staff_token(client, "officer.gz-ga")
    order_id = (await stack.gql(citizen.token, APPLICATION, {"id": application["id"]}))["application"]["order"]["id"]
    await stack.pay(citizen.token, order_id)
    original = stack.deps.channel.refund
    seen: list[int] = []

    async def probing(*args: Any) -> Any:
        seen.append(await asyncio.to_thread(_writers_blocked, catalog_database))
        return await original(*args)

    monkeypatch.setattr(stack.deps.channel, "refund", probing)
    for action, reason in (("ACCEPT", None), ("REJECT", "购车发票与合格证信息不一致")):
        step = {"applicationId": application["id"], "action": action} | ({"reason": reason} if reason else {})
        answer = (await stack.gql(officer, PROCESS, {"i": step}))["processApplication"]
        assert answer["errors"] == [], answer
    assert seen == [0, 0]  # two departments' shares, each asked with nothing held open
