"""The sample mini-program (miniapp_stub/) in a real headless Chromium against a real `onewindow serve`:
sign-in with PKCE, consent, the citizen's applications in their language, an access token the platform
no longer accepts (refreshed once, silently), and consent withdrawn (signed out, sign in again)."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Request, sync_playwright
from redis.asyncio import Redis

from backend.db.engine import create_engine, session_factory
from miniapp_stub.server import BANNER
from tests.e2e.conftest import onewindow
from tests.support import factories
from tests.support.gql import run
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
# Generous: a loaded two-core machine renders and answers slowly; how fast is not what this checks.
WAIT_MS = 60_000
CHROMIUM = "/usr/bin/chromium"
MATTER = "GZ-GA-0002"
LABELS = """query { myApplications(first: 10) { edges { node { id statusLabel matter { name } } } } }"""
REVOKE = """mutation($c: String!) { revokeConsent(clientId: $c) { revoked errors { code } } }"""


@pytest.fixture
def server_env(server_env: dict[str, str]) -> dict[str, str]:
    """The server's environment with the demo data loaded before it starts."""
    onewindow(server_env, "seed")
    return server_env


@pytest.fixture
def stub_port() -> int:
    return free_port()


@pytest.fixture
def client_id(server_env: dict[str, str], stub_port: int) -> str:
    """The tracker registered as the README says: a public client for the stub's callback."""
    registered = onewindow(
        server_env,
        *("clients", "create", "--public", "--name", "My applications tracker"),
        *("--redirect-uri", f"http://127.0.0.1:{stub_port}/callback"),
        *("--scope", "openid", "--scope", "applications:read"),
    )
    found = re.search(r"client_id:\s+(\S+)", registered)
    assert found, registered
    return found.group(1)


@pytest.fixture
def stub(served: str, client_id: str, stub_port: int) -> Iterator[str]:
    """`python -m miniapp_stub` on its port, pointed at the served platform."""
    issuer = httpx.get(f"{served}/.well-known/openid-configuration", timeout=60).json()["issuer"]
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "miniapp_stub", "--port", str(stub_port), "--platform", served),
            *("--client-id", client_id, "--issuer", issuer),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    banner = process.stdout.readline()
    assert banner.startswith(BANNER), banner + process.stdout.read()
    try:
        yield banner.split()[-1]
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)


def _citizen_with_an_application(served: str, env: dict[str, str]) -> tuple[factories.Citizen, dict[str, Any]]:
    """A resident of the test's own signs up and applies (through the API); their labels in zh-Hans."""

    async def prepare() -> tuple[factories.Citizen, dict[str, Any]]:
        engine = create_engine(env["ONEWINDOW_DATABASE_URL"])
        try:
            async with httpx.AsyncClient(base_url=served, timeout=60) as api:
                citizen = await factories.citizen(api, session_factory(engine))
                submitted = await factories.application(api, citizen.token, MATTER)
                mine = await run(api, citizen.token, LABELS, locale="zh-CN")
            # The same person signs in again at once, in the browser: as if a minute had passed since
            # the app's sign-in, so the stand-in's one-code-a-minute limit does not refuse the code.
            redis = Redis.from_url(env["ONEWINDOW_REDIS_URL"])
            assert await redis.delete(f"otp:cooldown:{citizen.phone}") == 1
            await redis.aclose()
        finally:
            await engine.dispose()
        [node] = [e["node"] for e in mine["myApplications"]["edges"] if e["node"]["id"] == submitted["id"]]
        return citizen, node

    return asyncio.run(prepare())


def _sms_code(env: dict[str, str], phone: str) -> str:
    """The newest sign-in code, from the operator's `onewindow sms outbox`."""
    return str(re.findall(r"\b(\d{6})\b", onewindow(env, "sms", "outbox", "--phone", phone))[-1])


def _stored_tokens(page: Page) -> dict[str, str] | None:
    stored = page.evaluate("() => sessionStorage.getItem('tracker.tokens')")
    return json.loads(stored) if stored else None


def _altered(token: str) -> str:
    """The access token with its expiry moved into the past: the platform refuses it as it refuses an
    expired one (401 invalid_token), without the test waiting out the lifetime and clock leeway."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["exp"] = claims["iat"] - 60
    moved = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{moved}.{signature}"


@pytest.mark.parametrize("server_env", ["postgresql+redis"], indirect=True)
def test_the_tracker_signs_in_lists_refreshes_and_signs_out_on_withdrawal(
    served: str, server_env: dict[str, str], stub: str, client_id: str
) -> None:
    citizen, application = _citizen_with_an_application(served, server_env)
    token_grants: list[str] = []

    def seen(request: Request) -> None:
        if request.url == f"{served}/oauth/token":
            token_grants.append(dict(httpx.QueryParams(request.post_data or ""))["grant_type"])

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_context(locale="zh-CN").new_page()
            page.set_default_timeout(WAIT_MS)
            page.on("request", seen)

            page.goto(stub)
            page.locator("#sign-in").click()
            # The platform's sign-in page, in the page's language, then the code from the SMS outbox.
            page.wait_for_url(f"{served}/oauth/authorize?*")
            assert page.locator("html").get_attribute("lang") == "zh-Hans"
            page.locator("#phone").fill(citizen.phone)
            page.locator("form[action='/oauth/login/code'] button").click()
            page.locator("#code").wait_for()  # the code page: the SMS is in the outbox by now
            page.locator("#code").fill(_sms_code(server_env, citizen.phone))
            page.locator("form[action='/oauth/login'] button").click()
            # Consent: the tracker asks for the citizen's applications only.
            page.locator("button[value=allow]").click()

            item = page.locator(f"li.application[data-id='{application['id']}']")
            item.wait_for()
            assert page.url == f"{stub}/"  # back on the tracker, the code gone from the address
            assert item.locator(".title").inner_text() == application["matter"]["name"]
            assert item.locator(".status").inner_text() == application["statusLabel"]
            assert item.locator(".step").inner_text().startswith("最新进展：")
            assert page.locator("#title").inner_text() == "我的办件"
            assert token_grants == ["authorization_code"]

            # The access token is no longer accepted: one refresh, the list again, no sign-in.
            first = _stored_tokens(page)
            assert first is not None
            page.evaluate(
                "(t) => sessionStorage.setItem('tracker.tokens', JSON.stringify(t))",
                {"access": _altered(first["access"]), "refresh": first["refresh"]},
            )
            with page.expect_response(lambda r: r.url == f"{served}/graphql" and r.status == 200):
                page.locator("#reload").click()
            page.locator("#message").wait_for(state="hidden")
            assert item.locator(".status").inner_text() == application["statusLabel"]
            assert token_grants == ["authorization_code", "refresh_token"]
            renewed = _stored_tokens(page)
            assert renewed is not None and renewed["refresh"] != first["refresh"]  # refresh tokens rotate

            # The citizen withdraws the tracker's access in the platform's app: signed out, sign in again.
            with ThreadPoolExecutor(1) as outside:  # Playwright's sync API holds this thread's event loop
                withdrawn = outside.submit(asyncio.run, _withdraw(served, citizen.token, client_id)).result()
            assert withdrawn == {"revoked": True, "errors": []}
            page.locator("#reload").click()
            page.locator("#message").filter(has_text="您已退出登录，请重新登录。").wait_for()
            assert page.locator("#sign-in").is_visible() and page.locator("li.application").count() == 0
            assert page.evaluate("() => sessionStorage.length") == 0
            assert token_grants == ["authorization_code", "refresh_token", "refresh_token"]
        finally:
            browser.close()


async def _withdraw(served: str, first_party_token: str, client_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=served, timeout=60) as api:
        payload: dict[str, Any] = (await run(api, first_party_token, REVOKE, {"c": client_id}))["revokeConsent"]
        return payload
