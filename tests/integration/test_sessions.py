"""Refresh token rotation and reuse detection, sessions, revocation across instances, key rotation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jwt
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.app import create_app
from backend.identity import keys
from backend.identity.secrets import derive
from tests.conftest import make_settings
from tests.support.gql import as_user, gql
from tests.support.identity import audit_actions, login
from tests.support.servers import RedisServer

pytestmark = pytest.mark.usefixtures("fresh_redis")
Sessions = async_sessionmaker[AsyncSession]
REFRESH = (
    "mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken refreshToken errors { code message } } }"
)
ME = "{ me { phone } }"


async def test_refresh_rotates_and_reuse_revokes_the_family(api: AsyncTestClient[Any], db: Sessions) -> None:
    first = await login(api, db, "13912350001")
    second = (await gql(api, REFRESH, {"r": first["refreshToken"]}))["data"]["refreshToken"]
    assert second["errors"] == [] and second["refreshToken"] != first["refreshToken"]
    assert (await as_user(api, second["accessToken"], ME))[0] == 200
    # the first refresh token again: stolen or replayed, so the whole session ends
    replay = (await gql(api, REFRESH, {"r": first["refreshToken"]}, locale="en"))["data"]["refreshToken"]
    assert replay["errors"] == [
        {"code": "INVALID_REFRESH_TOKEN", "message": "Your sign-in is no longer valid. Please sign in again."}
    ]
    status, body = await as_user(api, second["accessToken"], ME)
    assert status == 401 and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    newest = (await gql(api, REFRESH, {"r": second["refreshToken"]}))["data"]["refreshToken"]
    assert newest["errors"][0]["code"] == "INVALID_REFRESH_TOKEN"
    assert "refresh_reuse_detected" in await audit_actions(db)


async def test_garbage_refresh_token_is_refused(api: AsyncTestClient[Any]) -> None:
    body = (await gql(api, REFRESH, {"r": "rt_nope"}))["data"]["refreshToken"]
    assert body["accessToken"] is None and body["errors"][0]["code"] == "INVALID_REFRESH_TOKEN"


async def test_my_sessions_and_revoking_one(api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any) -> None:
    phone = "13912350002"
    a, b = await login(api, db, phone), await login_again(api, db, fresh_redis, phone)
    _, listed = await as_user(api, a["accessToken"], "{ mySessions { id current clientName } }")
    sessions = listed["data"]["mySessions"]
    assert len(sessions) == 2 and sorted(s["current"] for s in sessions) == [False, True]
    other = next(s["id"] for s in sessions if not s["current"])
    revoke = "mutation($id: ID!) { revokeSession(sessionId: $id) { revoked errors { code } } }"
    _, done = await as_user(api, a["accessToken"], revoke, {"id": other})
    assert done["data"]["revokeSession"] == {"revoked": True, "errors": []}
    assert (await as_user(api, b["accessToken"], ME))[0] == 401
    assert (await as_user(api, a["accessToken"], ME))[0] == 200


async def login_again(api: AsyncTestClient[Any], db: Sessions, redis: Any, phone: str) -> dict[str, Any]:
    """The same citizen on a second device (the one-minute resend limit lifted)."""
    await redis.delete(f"otp:cooldown:{phone}")
    return await login(api, db, phone)


async def test_another_citizens_session_cannot_be_revoked(api: AsyncTestClient[Any], db: Sessions) -> None:
    mine, theirs = await login(api, db, "13912350003"), await login(api, db, "13912350004")
    _, listed = await as_user(api, theirs["accessToken"], "{ mySessions { id } }")
    their_session = listed["data"]["mySessions"][0]["id"]
    revoke = "mutation($id: ID!) { revokeSession(sessionId: $id) { revoked errors { code } } }"
    _, body = await as_user(api, mine["accessToken"], revoke, {"id": their_session})
    assert body["data"]["revokeSession"] == {"revoked": False, "errors": [{"code": "NOT_FOUND"}]}
    assert (await as_user(api, theirs["accessToken"], ME))[0] == 200


async def test_logout_everywhere_ends_every_session_at_once_on_every_instance(
    api: AsyncTestClient[Any],
    db: Sessions,
    fresh_redis: Any,
    catalog_database: str,
    redis_server: RedisServer,
    tmp_path: Path,
) -> None:
    phone = "13912350005"
    a = await login(api, db, phone)
    b = await login_again(api, db, fresh_redis, phone)
    # a second API instance on the same database and Redis
    other = create_app(make_settings(catalog_database, redis_server.url, tmp_path))
    async with AsyncTestClient(other) as second:
        assert (await as_user(second, b["accessToken"], ME))[0] == 200  # its Redis view is now warm
        _, body = await as_user(api, a["accessToken"], "mutation { logoutEverywhere { revokedCount errors { code } } }")
        assert body["data"]["logoutEverywhere"] == {"revokedCount": 2, "errors": []}
        assert (await as_user(second, a["accessToken"], ME))[0] == 401
        assert (await as_user(second, b["accessToken"], ME))[0] == 401
    refreshed = (await gql(api, REFRESH, {"r": b["refreshToken"]}))["data"]["refreshToken"]
    assert refreshed["errors"][0]["code"] == "INVALID_REFRESH_TOKEN"


async def test_sessions_survive_a_redis_flush_and_revocations_stay(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any
) -> None:
    live, dead = await login(api, db, "13912350006"), await login(api, db, "13912350007")
    await as_user(api, dead["accessToken"], "mutation { logoutEverywhere { revokedCount } }")
    await fresh_redis.flushdb()  # Redis holds nothing that cannot be rebuilt
    assert (await as_user(api, live["accessToken"], ME))[0] == 200
    assert (await as_user(api, dead["accessToken"], ME))[0] == 401


async def test_rotated_key_signs_new_tokens_while_old_ones_still_verify(
    api: AsyncTestClient[Any],
    db: Sessions,
    fresh_redis: Any,
    catalog_database: str,
    redis_server: RedisServer,
    tmp_path: Path,
) -> None:
    before = await login(api, db, "13912350008")
    old_kid = jwt.get_unverified_header(before["accessToken"])["kid"]
    # `onewindow keys rotate`, run against the shared database
    secret = api.app.state.resources.settings.secret_key.encode()
    async with db() as session, session.begin():
        new_kid = await keys.rotate(session, derive(secret, "signing-keys"))
    # an instance started after the rotation signs with the new key...
    other = create_app(make_settings(catalog_database, redis_server.url, tmp_path))
    async with AsyncTestClient(other) as second:
        after = await login_again(second, db, fresh_redis, "13912350008")
        assert jwt.get_unverified_header(after["accessToken"])["kid"] == new_kid != old_kid
        # ...and still accepts tokens signed with the retired key until they expire
        assert (await as_user(second, before["accessToken"], ME))[0] == 200
        jwks = (await second.get("/.well-known/jwks.json")).json()
        assert {old_kid, new_kid} <= {k["kid"] for k in jwks["keys"]}
    # the first instance meets a token with a kid it does not know yet: it reloads and accepts it
    api.app.state.resources.identity.ring.RELOAD_INTERVAL = 0
    assert (await as_user(api, after["accessToken"], ME))[0] == 200
