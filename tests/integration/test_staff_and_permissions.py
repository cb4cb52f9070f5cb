"""Staff login, roles, what each kind of caller may see, real-name verification, client registration."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.identity.seed import DEMO_PASSWORD
from tests.support.gql import gql
from tests.support.identity import STAFF_LOGIN, as_user, audit_actions, login

pytestmark = pytest.mark.usefixtures("fresh_redis")
Sessions = async_sessionmaker[AsyncSession]
CREATE_CLIENT = """mutation($i: CreateClientInput!) { createOauthClient(input: $i) {
    client { clientId confidential redirectUris scopes } clientSecret errors { code field message } } }"""


async def staff_token(api: AsyncTestClient[Any], username: str) -> str:
    body = await gql(api, STAFF_LOGIN, {"u": username, "p": DEMO_PASSWORD})
    token: str = body["data"]["staffLogin"]["accessToken"]
    return token


async def test_staff_login_and_roles(api: AsyncTestClient[Any]) -> None:
    token = await staff_token(api, "officer.gz-ga")
    _, body = await as_user(api, token, "{ staffMe { username roles { role departmentCode } } }")
    assert body["data"]["staffMe"] == {
        "username": "officer.gz-ga", "roles": [{"role": "officer", "departmentCode": "GZ-GA"}],
    }  # fmt: skip


@pytest.mark.parametrize(("username", "password"), [("admin", "wrong-password-123"), ("nobody", DEMO_PASSWORD)])
async def test_wrong_staff_credentials_get_one_answer(
    api: AsyncTestClient[Any], db: Sessions, username: str, password: str
) -> None:
    body = await gql(api, STAFF_LOGIN, {"u": username, "p": password}, locale="zh-HK")
    assert body["data"]["staffLogin"]["accessToken"] is None
    assert body["data"]["staffLogin"]["errors"] == [{"code": "INVALID_CREDENTIALS"}]
    assert (await audit_actions(db))[-1] == "staff_login_failed"


async def test_callers_reach_only_what_they_may(api: AsyncTestClient[Any], db: Sessions) -> None:
    citizen = (await login(api, db, "13912360001"))["accessToken"]
    officer = await staff_token(api, "officer.gz-ga")
    admin = await staff_token(api, "admin")
    # anonymous
    anonymous = await gql(api, "{ me { phone } }", locale="en")
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert anonymous["errors"][0]["message"] == "Please sign in again."
    # a citizen is not staff; staff are not citizens
    _, body = await as_user(api, citizen, "{ oauthClients { clientId } }")
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    _, body = await as_user(api, officer, "{ me { phone } }")
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # an officer is not an admin
    _, body = await as_user(
        api, officer, CREATE_CLIENT, {"i": {"name": "x", "redirectUris": ["https://x.cn/cb"], "scopes": ["openid"]}}
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    _, body = await as_user(api, admin, "{ oauthClients { clientId firstParty } }")
    assert {"clientId": "onewindow-app", "firstParty": True} in body["data"]["oauthClients"]


async def test_real_name_verification_against_the_registry(api: AsyncTestClient[Any], db: Sessions) -> None:
    from sqlalchemy import select

    from backend.db import tables as t

    async with db() as session:
        person = (
            await session.execute(
                select(t.registry_persons)
                .where(t.registry_persons.c.phone.is_not(None))
                .order_by(t.registry_persons.c.id_number)
                .offset(7)
            )
        ).first()
    assert person is not None
    token = (await login(api, db, "13912360002"))["accessToken"]
    verify = (
        "mutation($n: String!, $i: String!) { verifyRealName(name: $n, idNumber: $i) "
        "{ citizen { name idNumber identityVerified } errors { code field } } }"
    )
    _, wrong = await as_user(api, token, verify, {"n": "张三丰", "i": person.id_number})
    assert wrong["data"]["verifyRealName"] == {
        "citizen": None,
        "errors": [{"code": "REAL_NAME_MISMATCH", "field": "idNumber"}],
    }
    _, invalid = await as_user(
        api,
        token,
        verify,
        {
            "n": person.name,
            "i": person.id_number[:17] + "0" if person.id_number[-1] != "0" else person.id_number[:17] + "1",
        },
    )
    assert invalid["data"]["verifyRealName"]["errors"] == [{"code": "INVALID_ID_NUMBER", "field": "idNumber"}]
    _, right = await as_user(api, token, verify, {"n": f" {person.name} ", "i": person.id_number.lower()})
    assert right["data"]["verifyRealName"] == {
        "citizen": {"name": person.name, "idNumber": person.id_number, "identityVerified": True}, "errors": [],
    }  # fmt: skip
    # the same ID number cannot be claimed by a second account
    other = (await login(api, db, "13912360003"))["accessToken"]
    _, taken = await as_user(api, other, verify, {"n": person.name, "i": person.id_number})
    assert taken["data"]["verifyRealName"]["errors"] == [{"code": "ID_NUMBER_TAKEN", "field": "idNumber"}]


async def test_admin_registers_a_client_with_exact_redirects(api: AsyncTestClient[Any], db: Sessions) -> None:
    admin = await staff_token(api, "admin")
    bad = {"name": "Bad", "redirectUris": ["http://evil.example/cb"], "scopes": ["openid"]}
    _, body = await as_user(api, admin, CREATE_CLIENT, {"i": bad}, locale="en")
    assert body["data"]["createOauthClient"]["errors"][0]["code"] == "INVALID_REDIRECT_URI"
    unknown = {"name": "Unknown", "redirectUris": ["https://mp.example.cn/cb"], "scopes": ["openid", "everything"]}
    _, body = await as_user(api, admin, CREATE_CLIENT, {"i": unknown}, locale="en")
    assert body["data"]["createOauthClient"]["errors"] == [
        {"code": "UNKNOWN_SCOPE", "field": "scopes", "message": "Unknown scope everything."}
    ]
    good = {"name": "Library", "redirectUris": ["https://mp.example.cn/cb"], "scopes": ["openid", "profile"]}
    _, body = await as_user(api, admin, CREATE_CLIENT, {"i": good})
    created = body["data"]["createOauthClient"]
    assert created["errors"] == [] and created["clientSecret"].startswith("cs_")
    assert created["client"]["redirectUris"] == ["https://mp.example.cn/cb"]
    rotate = "mutation($c: String!) { rotateOauthClientSecret(clientId: $c) { clientSecret errors { code } } }"
    _, rotated = await as_user(api, admin, rotate, {"c": created["client"]["clientId"]})
    assert rotated["data"]["rotateOauthClientSecret"]["clientSecret"] not in (None, created["clientSecret"])
    assert (await audit_actions(db))[-2:] == ["client_created", "client_secret_rotated"]
