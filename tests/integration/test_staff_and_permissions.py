"""Staff login, roles, what each kind of caller may see, real-name verification, client registration."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from standins.seed import DEMO_PASSWORD
from tests.support import factories
from tests.support.gql import as_user, gql
from tests.support.identity import audit_actions, login, staff_login, staff_token

pytestmark = pytest.mark.usefixtures("fresh_redis")
Sessions = async_sessionmaker[AsyncSession]
CREATE_CLIENT = """mutation($i: CreateClientInput!) { createOauthClient(input: $i) {
    client { clientId confidential redirectUris scopes } clientSecret errors { code field message } } }"""


async def test_staff_login_and_roles(api: AsyncTestClient[Any]) -> None:
    token = await staff_token(api, "officer.gz-ga")
    _, body = await as_user(api, token, "{ staffMe { username roles { role departmentCode } } }")
    assert body["data"]["staffMe"] == {
        "username": "officer.gz-ga",
        "roles": [{"role": "officer", "departmentCode": "GZ-GA"}],
    }


@pytest.mark.parametrize(("username", "password"), [("admin", "wrong-password-123"), ("nobody", DEMO_PASSWORD)])
async def test_wrong_staff_credentials_get_one_answer(
    api: AsyncTestClient[Any], db: Sessions, username: str, password: str
) -> None:
    payload = await staff_login(api, username, password, locale="zh-HK")
    assert payload["accessToken"] is None
    assert payload["errors"] == [{"code": "INVALID_CREDENTIALS"}]
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
    # Given two residents of the population stand-in who have not signed up yet
    person, other_person = await factories.resident(db), await factories.resident(db, skip=1)
    verify = (
        "mutation($n: String!, $i: String!) { verifyRealName(name: $n, idNumber: $i) "
        "{ citizen { name idNumber identityVerified } errors { code field } } }"
    )
    # an impostor who knows the name and the ID number, signed in with another phone, is refused: the
    # phone is not the one on the resident's household record
    impostor = (await login(api, db, other_person.phone))["accessToken"]
    _, stolen = await as_user(api, impostor, verify, {"n": person.name, "i": person.id_number})
    assert stolen["data"]["verifyRealName"]["errors"] == [{"code": "REAL_NAME_PHONE_NOT_ON_RECORD", "field": None}]
    token = (await login(api, db, person.phone))["accessToken"]
    _, wrong = await as_user(api, token, verify, {"n": "张三丰", "i": person.id_number})
    assert wrong["data"]["verifyRealName"] == {
        "citizen": None,
        "errors": [{"code": "REAL_NAME_MISMATCH", "field": "name"}],
    }
    bad_digit = person.id_number[:17] + ("0" if person.id_number[-1] != "0" else "1")
    _, invalid = await as_user(api, token, verify, {"n": person.name, "i": bad_digit})
    assert invalid["data"]["verifyRealName"]["errors"] == [{"code": "INVALID_ID_NUMBER", "field": "idNumber"}]
    _, right = await as_user(api, token, verify, {"n": f" {person.name} ", "i": person.id_number.lower()})
    assert right["data"]["verifyRealName"] == {
        "citizen": {"name": person.name, "idNumber": person.id_number, "identityVerified": True},
        "errors": [],
    }
    # once verified, the identity cannot be switched to someone else's
    _, again = await as_user(api, token, verify, {"n": other_person.name, "i": other_person.id_number})
    assert again["data"]["verifyRealName"]["errors"] == [{"code": "ALREADY_VERIFIED", "field": None}]


async def test_real_name_attempts_are_limited(api: AsyncTestClient[Any], db: Sessions) -> None:
    token = (await login(api, db, "13912360009"))["accessToken"]
    verify = 'mutation($i: String!) { verifyRealName(name: "某人", idNumber: $i) { errors { code } } }'
    codes = [
        (await as_user(api, token, verify, {"i": "11010519491231002X"}))[1]["data"]["verifyRealName"]["errors"][0][
            "code"
        ]
        for _ in range(6)
    ]
    assert codes == ["REAL_NAME_NO_SUCH_NUMBER"] * 5 + ["RATE_LIMITED"]


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


async def test_a_disabled_account_is_refused_at_once(api: AsyncTestClient[Any], db: Sessions) -> None:
    from backend.identity import staff
    from backend.identity.models import Role, RoleGrant

    async with db() as session, session.begin():
        await staff.create_staff(
            session, username="temp.finance", name="Temp", password=DEMO_PASSWORD, roles=[RoleGrant(Role.FINANCE)]
        )
    token = await staff_token(api, "temp.finance")
    assert (await as_user(api, token, "{ staffMe { username } }"))[0] == 200
    async with db() as session, session.begin():
        await staff.set_disabled(session, "temp.finance", True)
    status, body = await as_user(api, token, "{ staffMe { username } }")
    assert status == 401 and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    again = await staff_login(api, "temp.finance")
    assert again["errors"] == [{"code": "INVALID_CREDENTIALS"}]


async def test_staff_passwords_are_checked_off_the_event_loop_and_guessing_is_limited(
    api: AsyncTestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 12, finding 15: argon2 (about 0.1 s and 64 MiB a check) ran on the event loop.
    import threading

    from backend.identity import staff

    threads: list[int] = []
    hasher = staff._hasher

    class Recording:
        def verify(self, stored: str, password: str) -> bool:
            threads.append(threading.get_ident())
            return hasher.verify(stored, password)

    monkeypatch.setattr(staff, "_hasher", Recording())
    assert await staff_token(api, "officer.gz-rsj")
    assert threads and threading.get_ident() not in threads  # the event loop runs on this thread
    # Ten wrong passwords for one account from one address, then it is refused before any check;
    # the right password is refused too until the window ends, and nothing more is checked
    codes = []
    for _ in range(11):
        codes.append((await staff_login(api, "officer.gz-rsj", "wrong-password-123"))["errors"][0]["code"])
    assert codes == ["INVALID_CREDENTIALS"] * 10 + ["RATE_LIMITED"]
    checked = len(threads)
    refused = await staff_login(api, "officer.gz-rsj")
    assert refused["errors"][0]["code"] == "RATE_LIMITED" and len(threads) == checked
    # another account from the same address is not locked by it
    assert await staff_token(api, "officer.gz-ga")
