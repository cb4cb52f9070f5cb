"""A mini-program's developer reads what the app asked of the API per Beijing day (issue 16, item 7):
counted for every request through the real server, read over GraphQL and with the CLI, and kept in the
database once the day has closed, so a Redis flush loses nothing but today."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner, Result
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.cli import main as cli
from backend.db import tables as t
from backend.identity.clients import APP_CLIENT_ID, STAFF_CLIENT_ID
from backend.platform import usage
from backend.settings import get_settings
from standins.seed import DEMO_PASSWORD
from tests.support.gql import as_user, send
from tests.support.identity import login, staff_token, third_party_token
from tests.support.servers import RedisServer

Sessions = async_sessionmaker[AsyncSession]
USAGE = (
    "query($c: String!, $d: Int!) { appUsage(clientId: $c, days: $d) "
    "{ day requests cost throttled errors { code count label } } }"
)
PHONE = "13912380005"
STAFF_CREATE = ("staff", "create", "--role", "developer")
MISSING_MATTER = '{ matter(code: "NO-SUCH-MATTER") { name } }'

# What the mini-program sends: three reads it may make, two it may not (account controls are the
# platform's own app's), one outside its scopes.
CALLS = [
    ("{ me { name } }", None),
    ("{ me { name } }", None),
    ("{ me { id } }", None),
    ("{ mySessions { id } }", "FORBIDDEN"),
    ("{ myConsents { clientId } }", "FORBIDDEN"),
    ("{ myCertificates(first: 5) { totalCount } }", "INSUFFICIENT_SCOPE"),
]


@pytest.fixture
def cli_env(catalog_database: str, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> Any:
    """`onewindow ...` on this test's database and Redis, run off the event loop (a command runs its own)."""
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", catalog_database)
    monkeypatch.setenv("ONEWINDOW_REDIS_URL", redis_server.url)
    get_settings.cache_clear()

    async def invoke(*args: str) -> Result:
        result = await asyncio.to_thread(CliRunner().invoke, cli, list(args))
        assert result.exit_code == 0, result.output
        return result

    yield invoke
    get_settings.cache_clear()


def _spent(body: dict[str, Any]) -> int:
    """The cost a response says it spent (0 while no cost is priced)."""
    return int(body.get("extensions", {}).get("cost", {}).get("actualQueryCost", 0))


async def _mini_program_calls(api: AsyncTestClient[Any], token: str) -> int:
    """Send CALLS with the app's token; the cost they spent."""
    spent = 0
    for query, refusal in CALLS:
        status, body = await as_user(api, token, query)
        assert status == 200
        assert [e["extensions"]["code"] for e in body.get("errors", [])] == ([refusal] if refusal else []), body
        spent += _spent(body)
    return spent


async def _usage(api: AsyncTestClient[Any], token: str, client_id: str, days: int, locale: str = "en") -> Any:
    status, body = await send(api, USAGE, {"c": client_id, "d": days}, token=token, locale=locale)
    assert status == 200
    return body


async def test_a_developer_reads_their_apps_usage_and_it_outlives_a_redis_flush(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any, cli_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    citizen = (await login(api, db, PHONE))["accessToken"]
    token, _ = await third_party_token(api, db, fresh_redis, PHONE, ["openid", "profile"])
    async with db() as session:
        client_id = (
            await session.scalars(
                select(t.oauth_clients.c.client_id).where(t.oauth_clients.c.name == "Some mini-program")
            )
        ).one()
    # Its developer gets an account with the developer role and is linked to the app; a colleague is not
    for username in ("dev.library", "dev.hospital"):
        await cli_env(*STAFF_CREATE, "--username", username, "--name", username, "--password", DEMO_PASSWORD)
    linked = await cli_env("clients", "add-developer", client_id, "dev.library")
    assert linked.output == f"dev.library is now a developer of {client_id}\n"

    spent = await _mini_program_calls(api, token)
    await send(api, MISSING_MATTER)  # anonymous: counted as "anonymous", not the app
    today = usage.beijing_today()

    developer = await staff_token(api, "dev.library")
    body = await _usage(api, developer, client_id, 7)
    assert "errors" not in body, body
    days = body["data"]["appUsage"]
    assert [d["day"] for d in days] == [(today - timedelta(days=back)).isoformat() for back in range(6, -1, -1)]
    assert all(d["requests"] == 0 and d["errors"] == [] for d in days[:-1])
    assert days[-1] == {
        "day": today.isoformat(),
        "requests": 6,
        "cost": spent,
        "throttled": 0,
        "errors": [
            {"code": "FORBIDDEN", "count": 2, "label": "You are not allowed to do this."},
            {"code": "INSUFFICIENT_SCOPE", "count": 1, "label": "This app has not been given the permission …."},
        ],
    }
    zh = (await _usage(api, developer, client_id, 1, locale="zh-CN"))["data"]["appUsage"]
    assert zh[0]["errors"][0] == {"code": "FORBIDDEN", "count": 2, "label": "您无权进行此操作。"}

    # The CLI prints the same numbers, one line per day under a header
    table = (await cli_env("clients", "usage", client_id, "--days", "2")).output.splitlines()
    assert table[0].split() == ["Day", "(Beijing)", "Requests", "Cost", "Throttled", "Errors"]
    assert table[1].split() == [(today - timedelta(days=1)).isoformat(), "0", "0", "0", "-"]
    assert table[2].split() == [today.isoformat(), "6", str(spent), "0", "FORBIDDEN×2,", "INSUFFICIENT_SCOPE×1"]

    # The admin reads it too; the colleague, a citizen and the app itself may not; an unknown app is not found
    assert (await _usage(api, await staff_token(api, "admin"), client_id, 1))["data"]["appUsage"][0]["requests"] == 6
    for outsider in (await staff_token(api, "dev.hospital"), citizen, token):
        refused = await _usage(api, outsider, client_id, 1)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", refused
    spent += _spent(refused)  # the app's own try is one more of its requests, refused
    missing = await _usage(api, developer, "no-such-app", 1)
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    out_of_range = await _usage(api, developer, client_id, 91)
    assert out_of_range["errors"][0]["extensions"]["code"] == "INVALID_VALUE"

    # Midnight in Beijing: the closed day is copied to the database, once however often the copy runs
    monkeypatch.setattr(usage, "beijing_today", lambda: today + timedelta(days=1))
    assert (await cli_env("usage", "persist")).output == "4 app-day(s) copied to the database\n"
    assert (await cli_env("usage", "persist")).output == "0 app-day(s) copied to the database\n"
    async with db() as session:
        apps = set(await session.scalars(select(t.api_usage.c.app).where(t.api_usage.c.day == today)))
        row = (await session.execute(select(t.api_usage).where(t.api_usage.c.app == client_id))).one()
    assert apps == {client_id, usage.ANONYMOUS_APP, APP_CLIENT_ID, STAFF_CLIENT_ID}  # the citizen's app, the console
    assert (row.day, row.requests, row.cost, row.throttled) == (today, 7, spent, 0)
    assert row.errors == {"FORBIDDEN": 3, "INSUFFICIENT_SCOPE": 1}

    # Redis loses everything: the closed day is still there, read from the database
    await fresh_redis.flushdb()
    developer = await staff_token(api, "dev.library")
    after = (await _usage(api, developer, client_id, 2))["data"]["appUsage"]
    assert [(d["day"], d["requests"], d["cost"]) for d in after] == [
        (today.isoformat(), 7, spent),
        ((today + timedelta(days=1)).isoformat(), 0, 0),
    ]
    assert [(e["code"], e["count"]) for e in after[0]["errors"]] == [("FORBIDDEN", 3), ("INSUFFICIENT_SCOPE", 1)]

    # Unlinked, the developer reads it no more
    await cli_env("clients", "remove-developer", client_id, "dev.library")
    refused = await _usage(api, developer, client_id, 1)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_reading_usage_copies_the_closed_days_and_calls_without_a_token_count_apart(
    api: AsyncTestClient[Any], db: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = usage.beijing_today()
    admin = await staff_token(api, "admin")  # its staffLogin is a call without a token
    for _ in range(3):
        await send(api, MISSING_MATTER)
    monkeypatch.setattr(usage, "beijing_today", lambda: today + timedelta(days=1))
    # No daily command ran: the admin's read of any app's usage copies every closed day
    read = (await _usage(api, admin, APP_CLIENT_ID, 2))["data"]["appUsage"]
    assert [d["requests"] for d in read] == [0, 0]
    async with db() as session:
        rows = (await session.execute(select(t.api_usage))).all()
    assert [(r.app, r.day, r.requests, r.errors) for r in rows] == [(usage.ANONYMOUS_APP, today, 4, {})]


async def test_a_late_count_for_a_copied_day_is_copied_again_as_the_new_total(db: Sessions, fresh_redis: Any) -> None:
    today = usage.beijing_today()
    for codes in ([], ["FORBIDDEN"]):
        await usage.record_request(fresh_redis, "mp-1", cost=5, throttled=False, error_codes=codes)
    tomorrow = today + timedelta(days=1)
    async with db() as session:
        assert await usage.persist_closed_days(session, fresh_redis, today=tomorrow) == 1
        assert await usage.persist_closed_days(session, fresh_redis, today=tomorrow) == 0  # nothing new
    # An instance whose clock is a moment behind still counts a request in the closed day
    await usage.record_request(fresh_redis, "mp-1", cost=3, throttled=True, error_codes=["THROTTLED"])
    async with db() as session:
        assert await usage.persist_closed_days(session, fresh_redis, today=tomorrow) == 1
        row = (await session.execute(select(t.api_usage))).one()
    assert (row.app, row.day, row.requests, row.cost, row.throttled) == ("mp-1", today, 3, 13, 1)
    assert row.errors == {"FORBIDDEN": 1, "THROTTLED": 1}
    await fresh_redis.flushdb()
    async with db() as session:
        read = await usage.daily_usage(session, fresh_redis, "mp-1", 2, today=tomorrow)
    assert read == [usage.UsageDay(today, 3, 13, 1, {"FORBIDDEN": 1, "THROTTLED": 1}), usage.UsageDay(tomorrow)]
