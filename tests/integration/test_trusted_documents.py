"""Trusted documents through the real server: registered (at start-up, by the CLI, by an admin), called
by documentId over POST and GET, answered from the response cache with an ETag, refreshed by an import."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.catalog.snapshot import announce_change
from backend.cli import main as cli
from backend.db import tables as t
from backend.platform.documents import document_id
from backend.settings import PROJECT_ROOT, get_settings
from tests.support.catalog_imports import import_folder, renamed_export
from tests.support.factories import citizen, resident, staff
from tests.support.gql import as_user
from tests.support.identity import login, third_party_token

Sessions = async_sessionmaker[AsyncSession]
OPERATIONS = PROJECT_ROOT / "graphql" / "operations"
CATALOG = (OPERATIONS / "catalog.graphql").read_text(encoding="utf-8")
APPLICATIONS = (OPERATIONS / "applications.graphql").read_text(encoding="utf-8")
MATTER = "GZ-GA-0001"
REGISTER = """mutation($input: RegisterTrustedDocumentsInput!) {
  registerTrustedDocuments(input: $input) { documents { documentId operationNames } errors { code field message } }
}"""


def by_get(document: str, operation: str, variables: dict[str, Any] | None = None) -> dict[str, str]:
    """The query string of a GET of a trusted document."""
    params = {"documentId": document_id(document), "operationName": operation}
    return params | ({"variables": json.dumps(variables)} if variables is not None else {})


async def get(api: AsyncTestClient[Any], params: dict[str, str], **headers: str) -> Any:
    return await api.get("/graphql", params=params, headers={"accept-language": "en"} | headers)


async def post(api: AsyncTestClient[Any], body: dict[str, Any], token: str | None = None) -> tuple[int, Any]:
    headers = {"accept-language": "en"} | ({"authorization": f"Bearer {token}"} if token else {})
    response = await api.post("/graphql", json=body, headers=headers)
    return response.status_code, response.json()


def code_of(body: dict[str, Any]) -> str:
    code: str = body["errors"][0]["extensions"]["code"]
    return code


async def test_platform_documents_are_called_by_id_and_public_gets_are_cached(api: AsyncTestClient[Any]) -> None:
    # graphql/operations/*.graphql were registered at start-up: callable by id over POST...
    status, body = await post(
        api, {"documentId": document_id(CATALOG), "operationName": "MatterDetail", "variables": {"code": MATTER}}
    )
    assert status == 200 and body["data"]["matter"]["code"] == MATTER, body

    # ... and over GET, with the headers a browser or a CDN caches by
    params = by_get(CATALOG, "MatterDetail", {"code": MATTER})
    first = await get(api, params)
    assert first.status_code == 200 and first.json()["data"]["matter"]["code"] == MATTER
    assert first.headers["cache-control"] == "public, max-age=60"
    assert "Accept-Language" in first.headers["vary"]
    etag = first.headers["etag"]
    again = await get(api, params)
    assert again.json()["data"] == first.json()["data"] and again.headers["etag"] == etag
    # answered from the cache, yet priced like the first: what computing it cost
    spent = first.json()["extensions"]["cost"]["actualQueryCost"]
    assert again.json()["extensions"]["cost"]["requestedQueryCost"] == spent > 0
    revalidated = await get(api, params, **{"if-none-match": etag})
    assert revalidated.status_code == 304 and revalidated.content == b"" and revalidated.headers["etag"] == etag
    # another language is another answer, with its own validator
    chinese = await api.get("/graphql", params=params, headers={"accept-language": "zh-CN", "if-none-match": etag})
    assert chinese.status_code == 200 and chinese.headers["etag"] != etag

    # a query on the same id in another document's operation, and a query with variables, still run
    status, body = await post(api, {"documentId": document_id(CATALOG), "operationName": "Departments"})
    assert status == 200 and body["data"]["departments"], body


async def test_a_caller_with_a_token_is_never_answered_from_the_cache(api: AsyncTestClient[Any], db: Sessions) -> None:
    params = by_get(CATALOG, "MatterDetail", {"code": MATTER})
    assert (await get(api, params)).status_code == 200  # cached now
    token = (await login(api, db, (await resident(db)).phone))["accessToken"]
    with_token = await get(api, params, authorization=f"Bearer {token}")
    assert with_token.status_code == 200 and with_token.json()["data"]["matter"]["code"] == MATTER
    assert "etag" not in with_token.headers and "cache-control" not in with_token.headers


async def test_an_import_changes_the_cached_answer_and_its_etag(
    api: AsyncTestClient[Any], catalog_database: str, fresh_redis: Any, tmp_path: Path
) -> None:
    params = by_get(CATALOG, "MatterDetail", {"code": MATTER})
    before = await get(api, params)
    assert before.json()["data"]["matter"]["name"] != "Renamed by the import"
    etag = before.headers["etag"]
    assert (await get(api, params, **{"if-none-match": etag})).status_code == 304

    # the instance hears of the import when its catalog is marked stale (the cache is emptied with it)
    catalog = api.app.state.resources.catalog
    heard, mark_stale = asyncio.Event(), catalog.mark_stale

    def mark_and_tell() -> None:
        mark_stale()
        heard.set()

    catalog.mark_stale = mark_and_tell
    await import_folder(catalog_database, renamed_export(tmp_path, MATTER, "Renamed by the import"))
    await announce_change(fresh_redis)  # what `onewindow catalog import` does after committing
    await asyncio.wait_for(heard.wait(), 10)

    after = await get(api, params, **{"if-none-match": etag})
    assert after.status_code == 200 and after.json()["data"]["matter"]["name"] == "Renamed by the import"
    assert after.headers["etag"] != etag


async def test_get_is_for_queries_and_ids_must_be_known(api: AsyncTestClient[Any]) -> None:
    mutation = await get(api, {"documentId": document_id(APPLICATIONS), "operationName": "SaveDraft"})
    assert mutation.status_code == 405 and code_of(mutation.json()) == "METHOD_NOT_ALLOWED"
    unknown = await get(api, {"documentId": "sha256:" + "0" * 64})
    assert unknown.status_code == 200 and code_of(unknown.json()) == "PERSISTED_DOCUMENT_NOT_FOUND"
    assert "etag" not in unknown.headers
    both = await get(api, {"documentId": document_id(CATALOG), "query": "{ departments { code } }"})
    assert both.status_code == 400 and code_of(both.json()) == "BAD_REQUEST"
    status, body = await post(api, {"documentId": "sha256:nope", "operationName": "Departments"})
    assert status == 200 and code_of(body) == "PERSISTED_DOCUMENT_NOT_FOUND"


async def test_a_documents_only_app_calls_its_own_and_the_platforms_documents_and_no_text(
    api: AsyncTestClient[Any],
    db: Sessions,
    fresh_redis: Any,
    catalog_database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person = await citizen(api, db)  # signed in and real-name verified
    token, _ = await third_party_token(api, db, fresh_redis, person.phone, ["openid", "profile"], documents_only=True)
    async with db() as session:
        app_id = (
            await session.execute(select(t.oauth_clients.c.client_id).where(t.oauth_clients.c.documents_only))
        ).scalar_one()

    status, body = await as_user(api, token, "{ me { name } }")
    assert status == 200 and code_of(body) == "PERSISTED_DOCUMENT_REQUIRED" and "data" not in body

    # the developer registers the app's document with the CLI, which prints its id (twice the same)
    own = "query MyName { me { name } }\n"
    path = tmp_path / "my-name.graphql"
    path.write_text(own, encoding="utf-8")
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", catalog_database)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    get_settings.cache_clear()
    try:
        register = ["documents", "register", "--client", app_id, str(path)]
        for _ in range(2):
            registered = await asyncio.to_thread(CliRunner().invoke, cli, register)
            assert registered.exit_code == 0, registered.output
            assert registered.output.split() == [document_id(own), str(path)]
        listed = await asyncio.to_thread(CliRunner().invoke, cli, ["documents", "list", "--client", app_id])
        assert listed.output.split() == [document_id(own), app_id, "query", "MyName"]
        nobody = await asyncio.to_thread(CliRunner().invoke, cli, ["documents", "register", "--client", "x", str(path)])
        assert nobody.exit_code == 1 and "x was not found" in nobody.output
    finally:
        get_settings.cache_clear()

    status, body = await post(api, {"documentId": document_id(own)}, token)
    assert status == 200 and body["data"] == {"me": {"name": person.name}} and "errors" not in body
    status, body = await post(  # the platform's own documents are the app's too
        api, {"documentId": document_id(CATALOG), "operationName": "MatterDetail", "variables": {"code": MATTER}}, token
    )
    assert status == 200 and body["data"]["matter"]["code"] == MATTER

    # an admin registers a document for another app: to this app, it does not exist
    admin = await staff(api, "admin")
    other = "query OtherName { me { name } }"
    invalid = "query Broken { matters { nope } }"
    _, refused = await as_user(
        api, admin, REGISTER, {"input": {"clientId": "onewindow-app", "documents": [other, invalid]}}
    )
    errors = refused["data"]["registerTrustedDocuments"]["errors"]
    assert errors[0]["code"] == "TRUSTED_DOCUMENT_INVALID" and errors[0]["field"] == "documents"
    assert errors[0]["message"].startswith("Document 2 cannot be registered: ")
    _, done = await as_user(api, admin, REGISTER, {"input": {"clientId": "onewindow-app", "documents": [other]}})
    payload = done["data"]["registerTrustedDocuments"]
    assert payload == {"documents": [{"documentId": document_id(other), "operationNames": ["OtherName"]}], "errors": []}
    status, body = await post(api, {"documentId": document_id(other)}, token)
    assert status == 200 and code_of(body) == "PERSISTED_DOCUMENT_NOT_FOUND"
    # a citizen (here in the platform's own app) cannot register documents
    status, body = await as_user(api, person.token, REGISTER, {"input": {"clientId": app_id, "documents": [other]}})
    assert status == 200 and code_of(body) == "FORBIDDEN"


async def test_registration_is_idempotent_and_an_app_is_created_documents_only(
    db: Sessions, catalog_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend.graphql.documents import register_platform_documents
    from backend.graphql.schema import build_schema
    from backend.platform.documents import PLATFORM_OWNER, list_documents

    files = sorted(OPERATIONS.glob("*.graphql"))
    first = await register_platform_documents(db, build_schema(), OPERATIONS)  # what every start-up does
    again = await register_platform_documents(db, build_schema(), OPERATIONS)
    assert [d.document_id for d in first] == [d.document_id for d in again]
    assert [d.document_id for d in first] == [document_id(f.read_text(encoding="utf-8")) for f in files]
    async with db() as session:
        platform = await list_documents(session, PLATFORM_OWNER)
    assert sorted(d.document_id for d in platform) == sorted(d.document_id for d in first)
    applications = next(d for d in platform if d.document_id == document_id(APPLICATIONS))
    assert applications.operation_type == "mutation" and "SaveDraft" in applications.operation_names
    assert next(d for d in platform if d.document_id == document_id(CATALOG)).operation_type == "query"

    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", catalog_database)
    get_settings.cache_clear()
    try:
        create = ["clients", "create", "--name", "Library", "--redirect-uri", "https://lib.example.cn/cb"]
        created = await asyncio.to_thread(CliRunner().invoke, cli, [*create, "--scope", "openid", "--documents-only"])
        assert created.exit_code == 0, created.output
    finally:
        get_settings.cache_clear()
    client_id = created.output.split()[1]
    async with db() as session:
        flag = (
            await session.execute(
                select(t.oauth_clients.c.documents_only).where(t.oauth_clients.c.client_id == client_id)
            )
        ).scalar_one()
    assert flag is True
