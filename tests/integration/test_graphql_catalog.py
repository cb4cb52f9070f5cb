"""The catalog through GraphQL, on SQLite and PostgreSQL, with texts in the request's locale."""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from backend.catalog.files import DEMO_CATALOG_DIR
from tests.support.gql import gql
from tests.support.statements import statements_run

MATTER_NAMES = "{ matters(first: 3) { edges { node { code name } } } }"


def _names_in_file(codes: list[str], locale_key: str) -> list[str]:
    matters = {m["code"]: m for m in json.loads((DEMO_CATALOG_DIR / "matters.json").read_text(encoding="utf-8"))}
    return [matters[code]["name"][locale_key] for code in codes]


@pytest.mark.parametrize(
    ("accept_language", "locale_key"),
    [("zh-CN", "zh-Hans"), ("zh-HK", "zh-Hant"), ("zh-TW", "zh-Hant"), ("en-GB,en;q=0.8", "en"), ("de", "zh-Hans")],
)
async def test_matters_first_three_in_each_locale(
    api: AsyncTestClient[Any], accept_language: str, locale_key: str
) -> None:
    # given the demo catalog; when a client asks for three matters in a language
    body = await gql(api, MATTER_NAMES, locale=accept_language)
    # then the names come back in that locale, ordered by code
    nodes = [edge["node"] for edge in body["data"]["matters"]["edges"]]
    codes = ["GZ-CGJ-0001", "GZ-CGJ-0002", "GZ-CGJ-0003"]
    assert [n["code"] for n in nodes] == codes
    assert [n["name"] for n in nodes] == _names_in_file(codes, locale_key)
    assert nodes[0]["name"] == {"zh-Hans": "户外招牌设置", "zh-Hant": "戶外招牌設置"}.get(
        locale_key, "Installation of a Shop Signboard"
    )


async def test_unsupported_language_falls_back_to_simplified_chinese(api: AsyncTestClient[Any]) -> None:
    body = await gql(api, '{ matter(code: "GZ-GA-0001") { name } }', locale="fr-FR")
    zh = await gql(api, '{ matter(code: "GZ-GA-0001") { name } }', locale="zh-SG")
    assert body["data"]["matter"]["name"] == zh["data"]["matter"]["name"]
    assert (
        body["data"]["matter"]["name"]
        != (await gql(api, '{ matter(code: "GZ-GA-0001") { name } }', locale="en"))["data"]["matter"]["name"]
    )


async def test_matter_exposes_everything_the_catalog_says(api: AsyncTestClient[Any]) -> None:
    query = """{ matter(code: "GZ-GA-0021") {
        code name summary level audience theme modes maxTrips promisedDays legalDays instantApproval
        department { code shortName region { code } }
        fees { itemCode amount name department { code } }
        materials { key required certificateCode certificate { code } }
        formFields { key type required prefill options { value label } }
        outputs { code issuer { code } }
        keywords legalBasis instantApprovalCriteria halls { code }
    } }"""
    matter = (await gql(api, query, locale="en"))["data"]["matter"]
    assert matter["code"] == "GZ-GA-0021"
    assert matter["name"] == "Motor Vehicle Registration (New Car)"
    assert matter["department"] == {
        "code": "GZ-GA",
        "shortName": "Public Security Bureau",
        "region": {"code": "440100"},
    }
    assert [(f["amount"], f["department"]["code"]) for f in matter["fees"]] == [
        ("100.00", "GZ-GA"),
        ("10.00", "GZ-GA"),
        ("360.00", "GZ-SWJ"),
    ]
    id_card = next(m for m in matter["materials"] if m["certificateCode"] == "ID_CARD")
    assert id_card["certificate"] == {"code": "ID_CARD"} and id_card["required"] is True
    fuel = next(f for f in matter["formFields"] if f["type"] == "SELECT")
    assert fuel["options"][0]["label"] == "Petrol"
    assert matter["formFields"][0] == {
        "key": "name",
        "type": "TEXT",
        "required": True,
        "prefill": "profile.name",
        "options": None,
    }
    assert matter["outputs"] == [{"code": "VEHICLE_LICENSE", "issuer": {"code": "GZ-GA"}}]
    assert "register a new car" in matter["keywords"]
    assert matter["instantApproval"] is False and matter["instantApprovalCriteria"] is None
    assert matter["halls"] == [{"code": "HALL-GZ"}]


async def test_instant_approval_matter_explains_its_rule(api: AsyncTestClient[Any]) -> None:
    matter = (await gql(api, '{ matter(code: "GZ-WJW-0001") { instantApproval instantApprovalCriteria } }'))["data"][
        "matter"
    ]
    assert matter["instantApproval"] is True
    assert "结婚" in matter["instantApprovalCriteria"] or "婚" in matter["instantApprovalCriteria"]


async def test_unknown_matter_is_null(api: AsyncTestClient[Any]) -> None:
    body = await gql(api, '{ matter(code: "NOPE-0001") { code } }')
    assert body["data"] == {"matter": None} and "errors" not in body


async def test_pagination_walks_every_matter_exactly_once(api: AsyncTestClient[Any]) -> None:
    query = (
        "query($after: String) { matters(first: 40, after: $after) { totalCount edges { cursor node { code } } "
        "pageInfo { hasNextPage hasPreviousPage endCursor } } }"
    )
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        connection = (await gql(api, query, {"after": after}))["data"]["matters"]
        seen += [edge["node"]["code"] for edge in connection["edges"]]
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert connection["totalCount"] == 161
    assert len(seen) == 161 == len(set(seen))
    assert seen == sorted(seen)
    assert pages == 5


@pytest.mark.parametrize(
    ("filter_", "check"),
    [
        ({"theme": "BIRTH"}, lambda n: n["theme"] == "BIRTH"),
        ({"audience": "ENTERPRISE"}, lambda n: n["audience"] == "ENTERPRISE"),
        ({"level": "STREET"}, lambda n: n["level"] == "STREET"),
        ({"department": "GZ-RSJ"}, lambda n: n["department"]["code"] == "GZ-RSJ"),
        ({"mode": "IMMEDIATE"}, lambda n: "IMMEDIATE" in n["modes"]),
        ({"region": "440106"}, lambda n: n["region"]["code"] == "440106"),
        (
            {"theme": "BUSINESS", "audience": "ENTERPRISE"},
            lambda n: n["theme"] == "BUSINESS" and n["audience"] == "ENTERPRISE",
        ),
    ],
)
async def test_filters_select_exactly_the_matching_matters(
    api: AsyncTestClient[Any], filter_: dict[str, str], check: Any
) -> None:
    fields = "code theme audience level modes department { code } region { code }"
    all_nodes = await _all_matters(api, fields)
    expected = sorted(n["code"] for n in all_nodes if check(n))
    assert expected, "the demo catalog should have matches for every filter used here"
    query = "query($f: MatterFilter) { matters(first: 100, filter: $f) { totalCount edges { node { code } } } }"
    body = (await gql(api, query, {"f": filter_}))["data"]["matters"]
    assert sorted(e["node"]["code"] for e in body["edges"]) == expected
    assert body["totalCount"] == len(expected)


async def _all_matters(api: AsyncTestClient[Any], fields: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        query = (
            f"query($a: String) {{ matters(first: 100, after: $a) {{ edges {{ node {{ {fields} }} }} "
            "pageInfo { hasNextPage endCursor } } }"
        )
        connection = (await gql(api, query, {"a": after}))["data"]["matters"]
        nodes += [e["node"] for e in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]


async def test_hall_filter_lists_what_the_hall_handles(api: AsyncTestClient[Any]) -> None:
    listed = (await gql(api, '{ matters(first: 100, filter: {hall: "HALL-GZ"}) { totalCount } }'))["data"]
    assert listed["matters"]["totalCount"] == 15
    everything = (await gql(api, '{ matters(first: 100, filter: {hall: "HALL-440106"}) { totalCount } }'))["data"]
    assert everything["matters"]["totalCount"] > 15


@pytest.mark.parametrize(
    ("locale", "message"),
    [
        ("zh-CN", "每页数量须在 1 到 100 之间。"),
        ("zh-TW", "每頁數量須在 1 至 100 之間。"),
        ("en", "Ask for between 1 and 100 items per page."),
    ],
)
async def test_page_size_error_is_localized_with_a_stable_code(
    api: AsyncTestClient[Any], locale: str, message: str
) -> None:
    body = await gql(api, "{ matters(first: 101) { totalCount } }", locale=locale)
    assert body["data"] is None
    assert body["errors"][0]["message"] == message
    assert body["errors"][0]["extensions"] == {"code": "PAGE_SIZE_OUT_OF_RANGE", "field": "first"}


async def test_forged_cursor_is_refused(api: AsyncTestClient[Any]) -> None:
    body = await gql(api, '{ matters(first: 20, after: "not-a-cursor") { totalCount } }', locale="en")
    assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


async def test_invalid_query_reports_validation_error(api: AsyncTestClient[Any]) -> None:
    body = await gql(api, "{ matters(first: 20) { nope } }", locale="en")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "nope" in body["errors"][0]["message"]


async def test_bundles_departments_halls_certificate_types(api: AsyncTestClient[Any]) -> None:
    query = """{
        bundle(code: "LE-0001") { name matters { code } }
        bundles { code }
        departments { code region { code } }
        halls { code openingHoursWeekdays openingHoursSaturday region { code parent { code } } }
        certificateTypes { code issuer { code } fields { key type } }
    }"""
    data = (await gql(api, query, locale="en"))["data"]
    assert data["bundle"]["name"] == "Opening a Restaurant"
    assert [m["code"] for m in data["bundle"]["matters"]] == [
        "GZ-SJJ-0001",
        "GZ-SWJ-0002",
        "GZ-SJJ-0006",
        "GZ-XFZD-0001",
        "GZ-CGJ-0001",
        "GZ-SWUJ-0001",
        "GZ-STHJJ-0001",
    ]
    assert len(data["bundles"]) == 10
    assert len(data["departments"]) == 41
    assert len(data["halls"]) == 12 and data["halls"][0]["openingHoursWeekdays"] == "09:00-17:00"
    district_hall = next(h for h in data["halls"] if h["code"] == "HALL-440106")
    assert district_hall["region"] == {"code": "440106", "parent": {"code": "440100"}}
    assert len(data["certificateTypes"]) == 32
    id_card = next(c for c in data["certificateTypes"] if c["code"] == "ID_CARD")
    assert id_card["issuer"] == {"code": "GZ-GA"} and {"key": "sex", "type": "ENUM"} in id_card["fields"]


async def test_nested_fields_do_not_multiply_queries(api: AsyncTestClient[Any]) -> None:
    engine = api.app.state.resources.engine

    async def statements_for(page_size: int) -> int:
        query = (
            f"{{ matters(first: {page_size}) {{ edges {{ node {{ department {{ name }} fees {{ amount }} }} }} }} }}"
        )
        with statements_run(engine) as statements:
            body = await gql(api, query)
        assert len(body["data"]["matters"]["edges"]) == page_size
        return len(statements)

    # then the number of statements does not grow with the page size (the lists come from the
    # process's catalog snapshot; nested lookups are batched by DataLoaders)
    small, large = await statements_for(5), await statements_for(50)
    assert small == large <= 3


async def test_details_are_loaded_in_one_batch(api: AsyncTestClient[Any]) -> None:
    with statements_run(api.app.state.resources.engine) as statements:
        body = await gql(api, "{ matters(first: 30) { edges { node { materials { name } formFields { key } } } } }")
    assert len(body["data"]["matters"]["edges"]) == 30
    assert len([s for s in statements if "materials" in s]) == 1


async def test_get_runs_queries_but_refuses_mutations(api: AsyncTestClient[Any]) -> None:
    response = await api.get("/graphql", params={"query": '{ matter(code: "GZ-GA-0001") { code } }'})
    assert response.json()["data"] == {"matter": {"code": "GZ-GA-0001"}} and "errors" not in response.json()
    refused = await api.get("/graphql", params={"query": "mutation { x }"}, headers={"accept-language": "en"})
    assert refused.status_code == 405
    assert refused.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_malformed_body_is_a_localized_400(api: AsyncTestClient[Any]) -> None:
    response = await api.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json", "accept-language": "zh-HK"}
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert error["message"].startswith("無法識別該請求")


async def test_graphiql_served_to_browsers_outside_production(api: AsyncTestClient[Any]) -> None:
    response = await api.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_every_response_carries_a_request_id(api: AsyncTestClient[Any]) -> None:
    response = await api.post("/graphql", json={"query": "{ bundles { code } }"}, headers={"x-request-id": "abc123"})
    assert response.headers["x-request-id"] == "abc123"
    other = await api.post("/graphql", json={"query": "{ bundles { code } }"})
    assert len(other.headers["x-request-id"]) == 32


async def test_repeated_query_is_validated_once(api: AsyncTestClient[Any]) -> None:
    from strawberry.extensions.validation_cache import _get_validate_cache

    from backend.graphql.schema import VALIDATION_CACHE_SIZE

    cache = _get_validate_cache(VALIDATION_CACHE_SIZE)
    query = "{ matters(first: 2) { edges { node { code theme } } } }"
    await gql(api, query)
    before = cache.cache_info()
    await gql(api, query)
    await gql(api, query)
    after = cache.cache_info()
    assert after.hits - before.hits == 2 and after.misses == before.misses


async def test_depth_and_alias_limits_hold(api: AsyncTestClient[Any]) -> None:
    deep = (
        "{ matters(first: 20) { edges { node { department { region "
        + "{ parent " * 8
        + "{ code }"
        + " }" * 8
        + " } } } } }"
    )
    body = await gql(api, deep, locale="en")
    assert (
        body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        and "depth" in body["errors"][0]["message"]
    )
    aliases = "{ " + " ".join(f"a{i}: bundles {{ code }}" for i in range(31)) + " }"
    body = await gql(api, aliases, locale="en")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


SEARCH = """query($q: String!, $f: MatterFilter) { searchMatters(query: $q, first: 3, filter: $f) {
    score snippet matter { code } bundle { code } } }"""


async def test_search_matters_in_the_request_locale(api: AsyncTestClient[Any]) -> None:
    hits = (await gql(api, SEARCH, {"q": "辦護照"}, locale="zh-HK"))["data"]["searchMatters"]
    assert hits[0]["matter"] == {"code": "GZ-GA-0013"} and hits[0]["bundle"] is None
    assert hits[0]["snippet"] == "普通<em>護照</em>簽發"
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    english = (await gql(api, SEARCH, {"q": "passport"}, locale="en"))["data"]["searchMatters"]
    assert english[0]["snippet"] == "Issue of an Ordinary <em>Passport</em>"


async def test_search_offers_bundles_and_honours_filters(api: AsyncTestClient[Any]) -> None:
    hits = (await gql(api, SEARCH, {"q": "我要开一家奶茶店"}))["data"]["searchMatters"]
    assert hits[0]["bundle"] == {"code": "LE-0001"} and hits[0]["matter"] is None
    filtered = (await gql(api, SEARCH, {"q": "身份证", "f": {"department": "GZ-GA"}}))["data"]["searchMatters"]
    assert filtered and all(h["matter"] is None or h["matter"]["code"].startswith("GZ-GA-") for h in filtered)
    assert (await gql(api, SEARCH, {"q": "   "}))["data"]["searchMatters"] == []


@pytest.mark.parametrize(
    ("language", "says"),
    [("en", "WebSocket"), ("zh-CN", "WebSocket"), ("zh-HK", "WebSocket")],
)
async def test_a_subscription_posted_over_http_is_told_to_use_the_websocket(
    api: AsyncTestClient[Any], language: str, says: str
) -> None:
    """It used to answer "Mutations must be sent with POST" to a subscription that was POSTed."""
    subscription = "subscription { applicationUpdated { id } }"
    refused = await api.post("/graphql", json={"query": subscription}, headers={"accept-language": language})
    assert refused.status_code == 405
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert says in error["message"] and "/graphql" in error["message"]
