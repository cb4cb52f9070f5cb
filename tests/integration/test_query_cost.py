"""Query cost and rate limits through the real app over HTTP: every answer carries extensions.cost,
a document above the cap is refused unexecuted, a bucket drained by one citizen of an app throttles
that citizen only, anonymous callers are limited per address, a dry run charges nothing."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from graphql import get_introspection_query
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.app import create_app
from backend.graphql.context import Context
from backend.graphql.errors import format_error
from backend.graphql.schema import build_schema
from backend.i18n import Locale
from backend.identity import clients
from backend.platform import throttle
from backend.platform.throttle import Throttle, address_bucket
from tests.conftest import make_settings
from tests.support import factories
from tests.support.applications import fill_required
from tests.support.gql import as_user, gql, run, send
from tests.support.identity import third_party_token
from tests.support.servers import RedisServer

Sessions = async_sessionmaker[AsyncSession]
ROOT = Path(__file__).resolve().parents[2]
# The service's own numbers (the suite's other tests have bottomless ones), except an anonymous refill
# of 1 point a second (10 in production) so that the figures a test reads do not move while it reads them.
REAL_BUDGETS = {
    "cost_max_query": 1000,
    "cost_first_party_maximum": 2000,
    "cost_first_party_rate": 100,
    "cost_third_party_maximum": 1000,
    "cost_third_party_rate": 50,
    "cost_anonymous_maximum": 500,
    "cost_anonymous_rate": 1,
}
MATTER = '{ matter(code: "GZ-GA-0021") { code fees { amount } materials { name } } }'
# 1 + 100 x (edge 1 + node 1 + department 1): the demo has 161 matters, so all of it is used.
HUNDRED_MATTERS = "{ matters(first: 100) { edges { node { code department { name } } } } }"


@pytest_asyncio.fixture
async def metered(
    catalog_database: str, fresh_redis: Any, redis_server: RedisServer, tmp_path: Path
) -> AsyncIterator[AsyncTestClient[Any]]:
    """The real app with the real buckets (the suite's other tests have bottomless ones)."""
    settings = make_settings(catalog_database, redis_server.url, tmp_path / "data", **REAL_BUDGETS)
    async with AsyncTestClient(create_app(settings)) as client:
        yield client


def _status(available: int, maximum: int = 500, rate: int = 1) -> dict[str, int]:
    return {"maximumAvailable": maximum, "currentlyAvailable": available, "restoreRate": rate}


async def test_every_answer_says_what_it_cost_and_refunds_what_it_did_not_use(metered: AsyncTestClient[Any]) -> None:
    body = await gql(metered, MATTER, locale="en")
    matter = body["data"]["matter"]
    used = 1 + len(matter["fees"]) + len(matter["materials"])
    assert (len(matter["fees"]), len(matter["materials"])) == (3, 7)
    # Asked for 1 + 5 fees + 10 materials; charged 16, then refunded the 5 it did not use.
    assert body["extensions"]["cost"] == {
        "requestedQueryCost": 16,
        "actualQueryCost": used,
        "throttleStatus": _status(500 - used),
    }
    again = await metered.get("/graphql", params={"query": MATTER})  # GET answers the same way
    assert again.json()["extensions"]["cost"]["throttleStatus"] == _status(500 - 2 * used)
    assert again.json()["extensions"]["cost"]["actualQueryCost"] == used


async def test_a_dry_run_prices_without_running_or_charging(metered: AsyncTestClient[Any]) -> None:
    for _ in range(2):
        response = await metered.post("/graphql", json={"query": HUNDRED_MATTERS, "extensions": {"dryRun": True}})
        assert response.status_code == 200
        cost = {"requestedQueryCost": 301, "actualQueryCost": 0, "throttleStatus": _status(500)}
        assert response.json() == {"extensions": {"cost": cost}}


async def test_first_is_required_on_a_list_that_grows(metered: AsyncTestClient[Any]) -> None:
    body = await gql(metered, "{ matters { totalCount } }", locale="en")
    assert [e["extensions"]["code"] for e in body["errors"]] == ["GRAPHQL_VALIDATION_FAILED"]
    assert "'Query.matters(first:)' of type 'Int!' is required" in body["errors"][0]["message"]
    assert body["extensions"]["cost"] == {"requestedQueryCost": 0, "actualQueryCost": 0, "throttleStatus": _status(500)}


async def test_a_document_above_the_cap_is_refused_and_nothing_runs(
    metered: AsyncTestClient[Any], db: Sessions
) -> None:
    citizen = await factories.citizen(metered, db)
    form = (await run(metered, citizen.token, factories.FORM, {"m": "GZ-GA-0002"}))["applicationForm"]
    values = fill_required(form, {f["key"]: f["value"] for f in form["fields"] if f["value"] is not None})
    heavy = "application { id timeline { at } materials { name } items { timeline { at } materials { name } } }"
    aliases = " ".join(f"s{n}: submitApplication(input: $i) {{ {heavy} errors {{ code }} }}" for n in range(4))
    submit = "mutation($i: SubmitApplicationInput!) { " + aliases + " }"
    status, body = await as_user(metered, citizen.token, submit, {"i": {"matterCode": "GZ-GA-0002", "values": values}})
    # Each: 1 + application (1 + timeline 15 + materials 10 + items 10 x 26) + errors 30 = 317; 4 of them + 10.
    assert status == 200 and "data" not in body
    [error] = body["errors"]
    assert error["extensions"] == {"code": "MAX_COST_EXCEEDED", "cost": 1278, "maximum": 1000}
    assert error["message"] == (
        "This query costs 1278 points, more than the 1000 one query may cost: ask for fewer items."
    )
    assert body["extensions"]["cost"]["requestedQueryCost"] == 1278
    assert body["extensions"]["cost"]["actualQueryCost"] == 0
    mine = await run(metered, citizen.token, "{ myApplications(first: 5) { edges { cursor } } }")
    assert mine["myApplications"]["edges"] == []  # nothing was submitted
    # The same submission, one at a time, runs (and so would have been visible above).
    one = (
        "mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) { application { id } errors { code } } }"
    )
    done = await run(metered, citizen.token, one, {"i": {"matterCode": "GZ-GA-0002", "values": values}})
    assert done["submitApplication"]["errors"] == []


async def test_one_citizen_draining_an_apps_bucket_throttles_only_that_citizen(
    metered: AsyncTestClient[Any], db: Sessions, fresh_redis: Any
) -> None:
    first = await factories.citizen(metered, db, skip=0)
    second = await factories.citizen(metered, db, skip=1)
    async with db() as session, session.begin():
        app, _ = await clients.create_client(
            session, name="Library", redirect_uris=["https://library.example.cn/cb"], scopes=["openid"]
        )
    token, _ = await third_party_token(metered, db, fresh_redis, first.phone, ["openid"], app.client_id)
    other, _ = await third_party_token(metered, db, fresh_redis, second.phone, ["openid"], app.client_id)
    for spent in (301, 602, 903):  # a third-party app's user: 1,000 points, 50 a second back
        status, body = await as_user(metered, token, HUNDRED_MATTERS)
        assert status == 200 and len(body["data"]["matters"]["edges"]) == 100
        left = body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]
        assert 1000 - spent <= left < 1000 - spent + 50  # less than a second of refill in between
    response = await metered.post(
        "/graphql",
        json={"query": HUNDRED_MATTERS},
        headers={"authorization": f"Bearer {token}", "accept-language": "en"},
    )
    body = response.json()
    assert response.status_code == 429 and "data" not in body
    [error] = body["errors"]
    wait = error["extensions"]["retryAfter"]
    assert error["extensions"]["code"] == "THROTTLED" and response.headers["retry-after"] == str(wait)
    assert 1 <= wait <= 5  # (301 - about 97 left) / 50 a second
    assert error["message"] == f"Too many queries at once. Please try again in {wait} seconds."
    assert body["extensions"]["cost"]["throttleStatus"]["maximumAvailable"] == 1000
    # Another citizen of the same app, and an anonymous caller, have buckets of their own.
    status, body = await as_user(metered, other, HUNDRED_MATTERS)
    assert status == 200 and body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 1000 - 301
    assert (await send(metered, HUNDRED_MATTERS))[0] == 200


async def test_anonymous_callers_are_limited_per_address(metered: AsyncTestClient[Any], fresh_redis: Any) -> None:
    status, body = await send(metered, HUNDRED_MATTERS)
    assert status == 200 and body["extensions"]["cost"]["throttleStatus"] == _status(199)
    status, body = await send(metered, HUNDRED_MATTERS)
    assert status == 429 and body["errors"][0]["extensions"]["retryAfter"] in (101, 102)  # 102 points at 1 a second
    # The bucket is the address's (an IPv6 /64 is one subscriber): the test client's is drained, others are not.
    throttle = Throttle(fresh_redis)
    assert (await throttle.take(address_bucket("2001:db8::1", 500, 10), 500)).taken
    same_network = await throttle.take(address_bucket("2001:db8::ffff", 500, 10), 1)
    assert not same_network.taken and same_network.retry_after == 1
    assert (await throttle.take(address_bucket("2001:db8:0:1::1", 500, 10), 500)).taken
    assert (await throttle.take(address_bucket("192.0.2.1", 500, 10), 500)).taken


async def test_answers_from_the_response_cache_are_charged_like_executed_ones(metered: AsyncTestClient[Any]) -> None:
    """A public trusted document over GET comes from the cache after its first answer, and still costs the
    address what computing it cost: the cache is no way around the limit."""
    catalog = (ROOT / "graphql" / "operations" / "catalog.graphql").read_text(encoding="utf-8")
    params = {
        "documentId": "sha256:" + hashlib.sha256(catalog.encode()).hexdigest(),
        "operationName": "MatterList",
        "variables": '{"first": 30}',
    }
    first = await metered.get("/graphql", params=params)
    spent = first.json()["extensions"]["cost"]["actualQueryCost"]
    assert first.status_code == 200 and spent > 50 and "etag" in first.headers
    cached = await metered.get("/graphql", params=params)
    assert cached.headers["etag"] == first.headers["etag"] and cached.json()["data"] == first.json()["data"]
    left = cached.json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]
    assert 500 - 2 * spent <= left <= 500 - 2 * spent + 2  # (1 point a second refills meanwhile)
    answers = [await metered.get("/graphql", params=params) for _ in range(500 // spent)]
    throttled = answers[-1]
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) >= 1
    assert throttled.json()["errors"][0]["extensions"]["code"] == "THROTTLED"
    # revalidating what the caller holds computes nothing and costs nothing, even with an empty bucket
    unchanged = await metered.get("/graphql", params=params, headers={"if-none-match": first.headers["etag"]})
    assert unchanged.status_code == 304


# Per item of a bundle: 1 + timeline 15 + materials 10 + issuedCertificates 3 x (1 + fields 12) + dataUses 10
# + supplementChanges 10 + certificateFieldsToEnter 12 = 97; the application: 1 + the same 96 + items 10 x 97.
PARTS = (
    "timeline { at } materials { key } issuedCertificates { fields { key } } dataUses { applicationId } "
    "supplementChanges { key } certificateFieldsToEnter { certificateType }"
)
HEAVY_SUBSCRIPTION = f"subscription {{ applicationUpdated {{ {PARTS} items {{ {PARTS} }} }} }}"


async def test_a_subscription_above_the_cap_is_refused_before_it_starts(metered: AsyncTestClient[Any]) -> None:
    # As backend.graphql.ws subscribes: a context without a meter (no bucket on the WebSocket).
    context = Context(metered.app.state.resources, Locale.EN, "ws-test")
    stream = await build_schema().subscribe(HEAVY_SUBSCRIPTION, context_value=context)
    first = await anext(aiter(stream))  # type: ignore[call-overload]
    assert first.data is None and not context.live.is_set()  # refused before the resolver listened
    [error] = [format_error(e, context.resources.messages, Locale.EN, "ws-test") for e in first.errors]
    assert error["extensions"] == {"code": "MAX_COST_EXCEEDED", "cost": 1067, "maximum": 1000}


async def test_workers_spend_on_their_own_briefly_and_the_bucket_keeps_the_debt(
    fresh_redis: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, other = Throttle(fresh_redis), Throttle(fresh_redis)  # two workers
    bucket = address_bucket("198.51.100.7", 500, 10)
    assert (await one.take(bucket, 100)).taken  # asked Redis: 400 left
    spent = await one.take(bucket, 300)  # within SYNC_SECONDS: admitted from its own estimate
    assert spent.taken and 100 <= spent.available < 101
    assert await fresh_redis.hget(bucket.key, "available") == b"400.000"  # Redis not told yet
    assert (await other.take(bucket, 300)).taken  # the other worker saw 400: a burst overspends once
    monkeypatch.setattr(throttle, "SYNC_SECONDS", 0)  # from now on each take asks Redis
    refused = await one.take(bucket, 1)  # tells its 300: the bucket is 200 in debt
    assert not refused.taken and refused.available < -199 and refused.retry_after == 21  # (200 + 1) / 10


async def test_thirty_aliased_schema_introspections_are_priced_and_refused(metered: AsyncTestClient[Any]) -> None:
    """Introspection was free: 30 aliases of `__schema` answered 3 MB to anyone, as often as asked.
    Each `__schema` now costs INTROSPECTION_COSTS points (and `__type` a few): one standard
    introspection (a client tool's) still runs; thirty of them are refused before they run."""
    schema = "{ types { name fields(includeDeprecated: true) { name args { name } type { name } } } }"
    heavy = "{ " + " ".join(f"s{i}: __schema {schema}" for i in range(30)) + " }"
    refused = await gql(metered, heavy, locale="en")
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["MAX_COST_EXCEEDED"]
    assert "data" not in refused
    one = await gql(metered, get_introspection_query(descriptions=True), locale="en")
    assert "errors" not in one and one["data"]["__schema"]["types"]
    assert one["extensions"]["cost"]["requestedQueryCost"] == one["extensions"]["cost"]["actualQueryCost"] == 100
    typename = await gql(metered, "{ __typename }", locale="en")
    assert typename["extensions"]["cost"]["requestedQueryCost"] == 0  # __typename stays free


async def test_the_guides_app_usage_query_runs_on_the_real_cap(metered: AsyncTestClient[Any]) -> None:
    """The developer guide's `appUsage(days: 7) { ... errors { code count label } }` was priced 10,100
    (an undeclared list of 100 days, each with 100 error codes) and refused with MAX_COST_EXCEEDED."""
    from backend.identity.clients import APP_CLIENT_ID
    from tests.support.identity import staff_token

    usage = (
        "query($c: String!, $d: Int!) "
        "{ appUsage(clientId: $c, days: $d) { day requests cost throttled errors { code count label } } }"
    )
    admin = await staff_token(metered, "admin")
    for days in (7, 90):
        status, body = await as_user(metered, admin, usage, {"c": APP_CLIENT_ID, "d": days})
        assert status == 200 and "errors" not in body, body
        assert len(body["data"]["appUsage"]) == days
        assert body["extensions"]["cost"]["requestedQueryCost"] == days * (1 + 10)  # a day and its error codes


async def test_a_first_sent_as_3_point_0_is_priced_as_3(metered: AsyncTestClient[Any]) -> None:
    """GraphQL takes 3.0 for an Int (a JSON number from some clients); the price took it for no `first`
    at all (100) and refused a small page with MAX_COST_EXCEEDED."""
    page = "query($n: Int!) { matters(first: $n) { edges { node { code department { name } } } } }"
    response = await metered.post("/graphql", json={"query": page, "variables": {"n": 3.0}})
    body = response.json()
    assert "errors" not in body, body
    assert len(body["data"]["matters"]["edges"]) == 3
    assert body["extensions"]["cost"]["requestedQueryCost"] == 1 + 3 * 3
