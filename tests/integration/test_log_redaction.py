"""Secrets never reach a log line, whatever path they take: coercion errors, resolver crashes, REST forms.

Issue 12, finding 5: a variable of the wrong JSON type got INTERNAL_ERROR and an error-level log line
whose traceback held the raw value (staff passwords, refresh tokens, SMS codes, phone numbers).
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.identity import clients, staff
from tests.support.gql import gql
from tests.support.identity import REQUEST, STAFF_LOGIN, last_code, login
from tests.support.logs import captured_logs

Sessions = async_sessionmaker[AsyncSession]

PASSWORD = "Pw-7f3a9c1e-staff-secret"
PHONE = "13912345678"
REFRESH = "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken errors { code } } }"


def _assert_hidden(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text, f"{secret!r} reached the log:\n{text}"


async def test_values_of_the_wrong_type_are_validation_errors_and_never_logged(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any
) -> None:
    tokens = await login(api, db, "13700137001")
    refresh_token = tokens["refreshToken"]
    await gql(api, REQUEST, {"p": PHONE}, locale="en")
    sms_code = await last_code(db, PHONE)
    attempts: list[tuple[str, dict[str, Any], list[str]]] = [
        # a password sent as a number, and inside an object
        (STAFF_LOGIN, {"u": "admin", "p": 918273645546}, ["918273645546"]),
        (STAFF_LOGIN, {"u": "admin", "p": {"password": PASSWORD}}, [PASSWORD]),
        # a refresh token inside a list
        (REFRESH, {"t": [refresh_token]}, [refresh_token]),
        # a phone number as a number, and a login code written into the document inside a list
        (REQUEST, {"p": int(PHONE)}, [PHONE]),
        (f'mutation {{ login(phone: "{PHONE}", code: ["{sms_code}"]) {{ accessToken }} }}', {}, [sms_code, PHONE]),
        # a password written with escapes, and a refresh token used as an object's key
        (
            '{ matters(first: "' + "".join(f"\\u{ord(c):04x}" for c in PASSWORD) + '") { edges { cursor } } }',
            {},
            [PASSWORD],
        ),
        (REFRESH, {"t": {refresh_token: 1}}, [refresh_token]),
    ]
    with captured_logs() as logs:
        for query, variables, secrets in attempts:
            body = await gql(api, query, variables, locale="en")
            assert "data" not in body, body
            # the caller's mistake, said as one: a coded validation error, never "something went wrong"
            assert [e["extensions"]["code"] for e in body["errors"]] == ["GRAPHQL_VALIDATION_FAILED"], body
            _assert_hidden(logs.text, *secrets)
    events = logs.events()
    assert not [e for e in events if e["level"] == "error"], events
    invalid = [e for e in events if e["event"] == "graphql.invalid_request"]
    assert len(invalid) == len(attempts)
    # the lines are still useful: they say what was wrong, with the value itself redacted
    assert all("[redacted]" in e["message"] for e in invalid), invalid


async def test_a_crashing_resolver_logs_its_traceback_without_the_password(
    api: AsyncTestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def crash(_session: Any, username: str, password: str) -> Any:
        raise RuntimeError(f"could not check {username} with {password} (phone {PHONE})")  # a bug quoting input

    monkeypatch.setattr(staff, "check_password", crash)
    with captured_logs() as logs:
        body = await gql(api, STAFF_LOGIN, {"u": "admin", "p": PASSWORD}, locale="en")
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_ERROR"
    failed = [e for e in logs.events() if e["event"] == "graphql.resolver_failed"]
    assert len(failed) == 1 and failed[0]["level"] == "error"
    trace = failed[0]["exception"]
    assert "Traceback" in trace and "RuntimeError: could not check [redacted] with [redacted]" in trace
    _assert_hidden(logs.text, PASSWORD, PHONE)
    assert "139****5678" in trace  # masked like every other line (it was not sent, so not redacted)


async def test_a_crash_behind_a_rest_form_logs_without_the_client_secret(
    api: AsyncTestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    client_secret, verifier = "cs-4b1f0e9a7d2c-secret", "v" * 43

    async def crash(_session: Any, client_id: str, secret: str | None) -> Any:
        raise RuntimeError(f"lookup failed for {client_id}:{secret}")

    monkeypatch.setattr(clients, "authenticate_client", crash)
    form = {
        "grant_type": "authorization_code",
        "client_id": "mp-1",
        "client_secret": client_secret,
        "code": "a-stolen-authorization-code",
        "code_verifier": verifier,
    }
    with captured_logs() as logs:
        response = await api.post("/oauth/token", data=form, headers={"accept-language": "en"})
    assert response.status_code == 500 and response.json()["errors"][0]["extensions"]["code"] == "INTERNAL_ERROR"
    crashed = [e for e in logs.events() if e["event"] == "http.unexpected_error"]
    assert len(crashed) == 1 and "RuntimeError: lookup failed for [redacted]:[redacted]" in crashed[0]["exception"]
    _assert_hidden(logs.text, client_secret, "a-stolen-authorization-code")


async def test_a_bearer_token_quoted_by_a_crash_is_redacted(
    api: AsyncTestClient[Any], db: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    access_token = (await login(api, db, "13700137002"))["accessToken"]

    async def crash(self: Any, token: str) -> Any:
        raise RuntimeError(f"cannot read {token}")

    monkeypatch.setattr("backend.identity.access.Access.authenticate", crash)
    with captured_logs() as logs:
        response = await api.get("/oauth/userinfo", headers={"authorization": f"Bearer {access_token}"})
    assert response.status_code == 500
    _assert_hidden(logs.text, access_token)
    assert "cannot read [redacted]" in logs.text
