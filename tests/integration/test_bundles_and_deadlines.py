"""A life-event bundle becomes one item per department; deadlines count working days; the city's numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.applications.reads import overdue
from backend.applications.workdays import WorkCalendar, shanghai_date
from backend.catalog.snapshot import load_snapshot
from tests.integration.test_applications import FORM, SUBMIT
from tests.support.applications import fill_required, upload
from tests.support.gql import as_user, run
from tests.support.identity import citizen_token, staff_token

STATS = """{ cityStats { departmentCode applications decided instantlyApproved fieldsTotal fieldsPrefilled
  materialsReplaced tripsSaved medianHoursToDecision } }"""


@pytest.fixture
async def citizen(api: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession], fresh_redis: Any) -> str:
    return await citizen_token(api, db)


async def test_a_bundle_routes_one_item_to_each_department(
    api: AsyncTestClient[Any], citizen: str, db: async_sessionmaker[AsyncSession]
) -> None:
    # Given the marriage bundle, filled once
    form = (await run(api, citizen, FORM, {"b": "LE-0003"}))["applicationForm"]
    values = fill_required(form, {})
    uploads = {
        m["key"]: (await upload(api, citizen))["id"] for m in form["materials"] if m["required"] and not m["replaced"]
    }
    # When it is submitted
    data = await run(api, citizen, SUBMIT, {"i": {"bundleCode": "LE-0003", "values": values, "materials": uploads}})
    payload = data["submitApplication"]
    assert payload["errors"] == [], payload
    bundle = payload["application"]
    # Then there is one application with one item per matter, each at its own department
    assert bundle["kind"] == "bundle"
    items = bundle["items"]
    assert [i["matter"]["code"] for i in items] == form["matterCodes"]
    async with db() as session:
        snapshot = await load_snapshot(session)
    assert [i["department"]["code"] for i in items] == [
        snapshot.by_code[c].department_code for c in form["matterCodes"]
    ]
    # Sharing the citizen's data: every item got the merged values of its own fields
    assert bundle["status"] in ("IN_PROGRESS", "COMPLETED")
    # And every item's deadline counts the matter's promised working days from today (China time)
    calendar = WorkCalendar.default()
    today = shanghai_date(datetime.now(UTC))
    query = "query($id: ID!) { application(id: $id) { deadline promisedDays status } }"
    deadlines = []
    for item in items:
        found = (await run(api, citizen, query, {"id": item["id"]}))["application"]
        assert found["deadline"] == calendar.add_working_days(today, found["promisedDays"]).isoformat()
        deadlines.append(found["deadline"])
    assert bundle["deadline"] == max(deadlines)
    # An officer of one department sees the bundle with their own items only
    departments = {i["department"]["code"] for i in items}
    own = sorted(departments)[0]
    officer = await staff_token(api, f"officer.{own.lower()}")
    seen = await run(
        api, officer, "query($id: ID!) { application(id: $id) { items { department { code } } } }", {"id": bundle["id"]}
    )
    assert {i["department"]["code"] for i in seen["application"]["items"]} == {own} != departments


async def test_overdue_items_are_listed_per_department(
    api: AsyncTestClient[Any], citizen: str, db: async_sessionmaker[AsyncSession]
) -> None:
    form = (await run(api, citizen, FORM, {"m": "GZ-RSJ-0008"}))["applicationForm"]
    values = fill_required(form, {"gz_social_insurance": False, "employer_credit_code": "91350100M000100Y43"})
    data = await run(api, citizen, SUBMIT, {"i": {"matterCode": "GZ-RSJ-0008", "values": values}})
    application = data["submitApplication"]["application"]
    assert application["status"] == "SUBMITTED" and application["overdue"] is False
    async with db() as session:
        snapshot = await load_snapshot(session)
        on_time = await overdue(session, snapshot, datetime.now(UTC))
        late = await overdue(session, snapshot, datetime.now(UTC) + timedelta(days=120))
    assert application["reference"] not in [a.reference for a in on_time.get("GZ-RSJ", [])]
    assert application["reference"] in [a.reference for a in late["GZ-RSJ"]]
    assert all(a.department_code == "GZ-RSJ" for a in late["GZ-RSJ"])


async def test_city_numbers_for_admins_and_their_own_for_officers(api: AsyncTestClient[Any], citizen: str) -> None:
    # An instant approval so the figures have something to count
    form = (await run(api, citizen, FORM, {"m": "GZ-WJW-0001"}))["applicationForm"]
    data = await run(
        api, citizen, SUBMIT, {"i": {"matterCode": "GZ-WJW-0001", "values": fill_required(form, {"child_order": "2"})}}
    )
    assert data["submitApplication"]["application"]["status"] == "COMPLETED", data
    admin = await staff_token(api, "admin")
    rows = (await run(api, admin, STATS))["cityStats"]
    city = rows[0]
    assert city["departmentCode"] is None
    assert city["applications"] == sum(r["applications"] for r in rows[1:])
    assert city["instantlyApproved"] >= 1 and city["fieldsPrefilled"] >= 6
    assert city["medianHoursToDecision"] is not None and city["medianHoursToDecision"] < 1
    officer = await staff_token(api, "officer.gz-wjw")
    own = (await run(api, officer, STATS))["cityStats"]
    assert [r["departmentCode"] for r in own] == ["GZ-WJW"]
    citizen_view = await run_raw(api, citizen, STATS)
    assert citizen_view["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def run_raw(api: AsyncTestClient[Any], token: str, query: str) -> dict[str, Any]:
    return (await as_user(api, token, query))[1]


async def test_an_officer_sees_their_departments_share_of_a_bundles_fees(
    api: AsyncTestClient[Any], citizen: str
) -> None:
    # Issue 12, finding 16: an officer saw the whole bundle's feesDue and order total beside empty lines.
    form = (await run(api, citizen, FORM, {"b": "LE-0008"}))["applicationForm"]
    values = fill_required(form, {"gz_social_insurance": True})
    uploads = {
        m["key"]: (await upload(api, citizen))["id"] for m in form["materials"] if m["required"] and not m["replaced"]
    }
    data = await run(api, citizen, SUBMIT, {"i": {"bundleCode": "LE-0008", "values": values, "materials": uploads}})
    assert data["submitApplication"]["errors"] == [], data
    bundle = data["submitApplication"]["application"]
    query = """query($id: ID!) { application(id: $id) { feesDue amountToPay
      order { total refunded lines { department { code } amount } } items { department { code } feesDue } } }"""
    whole = (await run(api, citizen, query, {"id": bundle["id"]}))["application"]
    assert whole["feesDue"] == "20.00" and whole["order"]["total"] == "20.00"
    police = (await run(api, await staff_token(api, "officer.gz-ga"), query, {"id": bundle["id"]}))["application"]
    assert police["feesDue"] == "20.00" and police["amountToPay"] == "20.00"
    assert police["order"] == {
        "total": "20.00",
        "refunded": "0.00",
        "lines": [{"department": {"code": "GZ-GA"}, "amount": "20.00"}],
    }
    talent = (await run(api, await staff_token(api, "officer.gz-rsj"), query, {"id": bundle["id"]}))["application"]
    assert {i["department"]["code"] for i in talent["items"]} == {"GZ-RSJ"}
    assert talent["feesDue"] == "0.00" and talent["amountToPay"] == "0.00"
    assert talent["order"] == {"total": "0.00", "refunded": "0.00", "lines": []}
