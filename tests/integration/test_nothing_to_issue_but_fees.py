"""A matter that issues nothing but has fees (issue 14, items 1 and 7 together): approving it does not
end it while its order is open; the payment does. Approving it once paid ends it at once."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.support import factories
from tests.support.applications import upload
from tests.support.gql import run

# 临时居民身份证申领: decided by an officer of the police, 10.00 of fees, no certificate in the wallet.
TEMPORARY_ID = "GZ-GA-0005"
PROCESS = """mutation($i: ProcessApplicationInput!) { processApplication(input: $i) {
  application { status } errors { code } } }"""
READ = """query($id: ID!) { application(id: $id) { status order { status total }
  timeline { action actionLabel toStatus } } }"""


@pytest.fixture
async def submitted(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], fresh_redis: Any
) -> tuple[factories.Citizen, dict[str, Any], str]:
    citizen = await factories.citizen(api, db)
    scans = {
        key: (await upload(api, citizen.token))["id"] for key in ("household_register", "photo", "acceptance_slip")
    }
    application = await factories.application(
        api, citizen.token, TEMPORARY_ID, values={"reason": "replacing"}, materials=scans
    )
    officer = await factories.staff(api, "officer.gz-ga")
    return citizen, application, officer


async def _approve(api: AsyncTestClient[Any], officer: str, application_id: str) -> str:
    for action in ("ACCEPT", "APPROVE"):
        step = {"applicationId": application_id, "action": action}
        payload = (await run(api, officer, PROCESS, {"i": step}))["processApplication"]
        assert payload["errors"] == [], payload
    status: str = payload["application"]["status"]
    return status


async def test_approved_with_fees_open_it_waits_and_the_payment_completes_it(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], submitted: Any
) -> None:
    citizen, application, officer = submitted
    # When the officer approves it before the citizen has paid: approved, not done
    assert await _approve(api, officer, application["id"]) == "APPROVED"
    waiting = (await run(api, citizen.token, READ, {"id": application["id"]}))["application"]
    assert waiting["order"] == {"status": "open", "total": "10.00"}
    # When the payment is credited, it is completed, and the timeline says why
    await factories.pay_fees(api, db, application["id"])
    done = (await run(api, citizen.token, READ, {"id": application["id"]}))["application"]
    assert done["status"] == "COMPLETED" and done["order"]["status"] == "paid"
    assert done["timeline"][-1] == {
        "action": "PAID_COMPLETE",
        "actionLabel": "The fees were paid: the application is completed",
        "toStatus": "COMPLETED",
    }


async def test_approved_once_paid_it_is_completed_at_once(
    api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], submitted: Any
) -> None:
    citizen, application, officer = submitted
    await factories.pay_fees(api, db, application["id"])
    assert await _approve(api, officer, application["id"]) == "COMPLETED"
    done = (await run(api, citizen.token, READ, {"id": application["id"]}))["application"]
    assert [s["action"] for s in done["timeline"]] == ["SUBMIT", "ACCEPT", "APPROVE"]
