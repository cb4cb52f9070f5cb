"""Sandbox apps and personas: a sandbox app signs in only the six personas, with the code 000000 and
no SMS; a live app never signs a persona in, nor takes the sandbox code; `onewindow personas` lists them.

The journeys go through the real server on a loopback port, over HTTP, as a mini-program and its
user's browser would (authorize with PKCE, state and nonce; sign-in page; consent; code exchange).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from click.testing import CliRunner
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.app import create_app
from backend.certificates.credit_codes import normalize_credit_code
from backend.cli import main as cli
from backend.db import tables as t
from backend.db.engine import create_engine, session_factory, unit_of_work
from backend.identity import clients
from backend.identity.login_codes import LoginCodes
from backend.settings import get_settings
from standins.population.generate import Street, generate
from standins.population.personas import PERSONAS, PHONE_PREFIX
from standins.sms import outbox
from tests.conftest import make_settings
from tests.support import factories
from tests.support.gql import gql, run
from tests.support.identity import LOGIN, REQUEST, staff_token
from tests.support.live import listener, served
from tests.support.oidc import Authorization, allow, ask_code, exchange, inputs, sign_in
from tests.support.personas import personas
from tests.support.servers import RedisServer

Sessions = async_sessionmaker[AsyncSession]
SANDBOX_CODE = "000000"
REDIRECT = "https://sandbox-mp.example.cn/callback"
LIVE_REDIRECT = "https://library-mp.example.cn/callback"
SCOPES = ["openid", "profile", "phone", "id_number", "certificates:read"]
ME = """{ me { name phone idNumber identityVerified }
  myCertificates(first: 20) { totalCount items { typeCode name number holderName } } }"""
ONLY_PERSONAS = {
    "en": "This is a sandbox app: it signs in only the sandbox personas, with the code 000000.",
    "zh-CN": "这是沙箱应用：只能用沙箱测试人物登录，验证码为 000000。",
    "zh-TW": "這是沙箱應用：只能用沙箱測試人物登入，驗證碼為 000000。",
}
PERSONA_REFUSED = "This phone number belongs to a sandbox persona: it signs in only to sandbox apps"


@pytest_asyncio.fixture
async def server(
    catalog_database: str, redis_server: RedisServer, fresh_redis: Any, db: Sessions, tmp_path: Path
) -> AsyncIterator[str]:
    """The real app on a loopback port, on this test's database with the personas seeded."""
    await personas(db)
    sock, base = listener()
    settings = make_settings(catalog_database, redis_server.url, tmp_path / "data", issuer=base)
    with served(create_app(settings), sock):
        yield base


async def _client(db: Sessions, *, sandbox: bool) -> tuple[str, str | None]:
    """A confidential mini-program registered with every scope the journeys ask for: (id, secret)."""
    async with db() as session, unit_of_work(session):
        client, secret = await clients.create_client(
            session,
            name="Sandbox MP" if sandbox else "Library MP",
            redirect_uris=[REDIRECT if sandbox else LIVE_REDIRECT],
            scopes=SCOPES,
            sandbox=sandbox,
        )
    return client.client_id, secret


def _browser(base: str, locale: str = "en") -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=False, headers={"accept-language": locale})


async def _messages(db: Sessions) -> int:
    async with db() as session:
        return int((await session.execute(select(func.count()).select_from(t.sms_outbox))).scalar_one())


async def test_a_sandbox_app_signs_a_persona_in_and_reads_their_known_data(server: str, db: Sessions) -> None:
    client_id, secret = await _client(db, sandbox=True)
    owner = next(p for p in PERSONAS if p.key == "business_owner").person
    authorization = Authorization(client_id, REDIRECT, SCOPES)
    sms_before = await _messages(db)
    async with _browser(server) as browser, httpx.AsyncClient(base_url=server, timeout=60) as http:
        # The sign-in page says it is a sandbox and lists the personas' phones
        page = await browser.get(authorization.url)
        assert "Sandbox" in page.text and "only these test personas sign in here, with the code 000000" in page.text
        assert all(f"{p.person.phone} {p.person.name}" in page.text for p in PERSONAS)
        # The persona's phone, then the sandbox code: no SMS is sent
        sent, consent = await sign_in(browser, authorization, owner.phone or "", SANDBOX_CODE)
        assert sent.status_code == 302
        assert "Sandbox MP would like to" in consent.text and owner.name in consent.text
        callback = await allow(browser, consent)
        tokens = await exchange(http, authorization, callback, secret)
        assert tokens["scope"] == " ".join(sorted(SCOPES))
        # The ID token is for this app and this authorization (its nonce), under a pairwise subject
        keys = KeySet.import_key_set((await http.get("/.well-known/jwks.json")).json())
        claims = jwt.decode(tokens["id_token"], keys, algorithms=["ES256"]).claims
        assert claims["aud"] == client_id and claims["nonce"] == authorization.nonce
        # GraphQL shows the persona's known data under the token's scopes
        data = await run(http, tokens["access_token"], ME)
    me = data["me"]
    assert (me["name"], me["idNumber"], me["identityVerified"]) == (owner.name, owner.id_number, True)
    assert me["phone"][-11:] == owner.phone  # E.164 or local: the same number
    wallet = {item["typeCode"]: item for item in data["myCertificates"]["items"]}
    assert set(wallet) == {
        "ID_CARD",
        "HOUSEHOLD_REGISTER",
        "SOCIAL_SECURITY_CARD",
        "BUSINESS_LICENSE",
        "FOOD_BUSINESS_LICENSE",
    }
    assert wallet["ID_CARD"]["number"] == owner.id_number and wallet["BUSINESS_LICENSE"]["name"] == "Business Licence"
    assert normalize_credit_code(wallet["BUSINESS_LICENSE"]["number"]) == wallet["BUSINESS_LICENSE"]["number"]
    assert await _messages(db) == sms_before


@pytest.mark.parametrize("locale", ["en", "zh-CN", "zh-TW"])
async def test_a_sandbox_app_refuses_a_real_resident(server: str, db: Sessions, locale: str) -> None:
    client_id, _ = await _client(db, sandbox=True)
    resident = await factories.resident(db)
    authorization = Authorization(client_id, REDIRECT, SCOPES)
    async with _browser(server, locale) as browser:
        refused = await ask_code(browser, authorization, resident.phone)
        assert refused.status_code == 400 and ONLY_PERSONAS[locale] in refused.text
        assert "onewindow personas" in refused.text
        # Posting the sandbox code straight to the second step signs nobody in either
        page = await browser.get(authorization.url)
        continued = inputs(page.text)["continue"]
        forced = await browser.post(
            "/oauth/login", data={"phone": resident.phone, "code": SANDBOX_CODE, "continue": continued}
        )
        assert forced.status_code == 400 and ONLY_PERSONAS[locale] in forced.text
        assert "ow_sso" not in forced.cookies
    async with db() as session:
        assert await outbox(session, resident.phone) == []


async def test_a_live_app_never_takes_the_sandbox_code_nor_a_persona(server: str, db: Sessions) -> None:
    sandbox_id, _ = await _client(db, sandbox=True)
    live_id, _ = await _client(db, sandbox=False)
    resident = await factories.resident(db)
    persona = PERSONAS[0].person
    live = Authorization(live_id, LIVE_REDIRECT, SCOPES)
    async with _browser(server) as browser:
        # A persona's phone: refused before any code is sent
        refused = await ask_code(browser, live, persona.phone or "")
        assert refused.status_code == 400 and PERSONA_REFUSED in refused.text
        # A resident's phone gets a real code by SMS; the sandbox code is not it
        wrong, _ = await sign_in(browser, live, resident.phone, SANDBOX_CODE)
        assert wrong.status_code == 400 and "The code is wrong or has expired." in wrong.text
        async with db() as session:
            assert len(await outbox(session, resident.phone)) == 1
        # Signed in as a persona on the sandbox app, the browser is asked to sign in again on the live app
        sent, consent = await sign_in(
            browser, Authorization(sandbox_id, REDIRECT, SCOPES), persona.phone or "", "000000"
        )
        assert sent.status_code == 302 and "would like to" in consent.text
        again = await browser.get(live.url)
        assert again.status_code == 200 and 'action="/oauth/login/code"' in again.text and "Sandbox" not in again.text
        silent = await browser.get(live.url + "&prompt=none")
        assert "error=login_required" in silent.headers["location"]
    async with db() as session:
        assert await outbox(session, persona.phone) == []


async def test_the_platforms_own_app_refuses_personas(api: Any, db: Sessions) -> None:
    persona = (await personas(db))["elderly"].person
    sent = await gql(api, REQUEST, {"p": persona.phone}, locale="en")
    assert sent["data"]["requestLoginCode"]["errors"][0]["code"] == "SANDBOX_PERSONA_REFUSED"
    assert sent["data"]["requestLoginCode"]["sent"] is False
    login = await gql(api, LOGIN, {"p": persona.phone, "c": SANDBOX_CODE}, locale="zh-CN")
    error = login["data"]["login"]["errors"][0]
    assert error["code"] == "SANDBOX_PERSONA_REFUSED" and "沙箱测试人物" in error["message"]
    assert login["data"]["login"]["accessToken"] is None
    async with db() as session:
        assert await outbox(session, persona.phone) == []


async def test_admins_register_sandbox_apps(api: Any) -> None:
    admin = await staff_token(api, "admin")
    created = await run(
        api,
        admin,
        """mutation($i: CreateClientInput!) { createOauthClient(input: $i) {
          client { clientId sandbox } errors { code } } }""",
        {"i": {"name": "Test MP", "redirectUris": [REDIRECT], "scopes": ["openid"], "sandbox": True}},
    )
    assert created["createOauthClient"]["errors"] == [] and created["createOauthClient"]["client"]["sandbox"] is True


async def test_a_sign_in_code_is_never_the_sandbox_code(fresh_redis: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("backend.identity.login_codes.secrets.randbelow", lambda bound: 0)  # the lowest draw
    assert await LoginCodes(fresh_redis, b"k" * 32).issue("13912345678", None) == "000001"


async def test_personas_are_seeded_once_with_their_certificates(db: Sessions) -> None:
    await personas(db)
    await personas(db)  # again, as a second `onewindow seed` does: nothing changes
    async with db() as session:
        keys = (
            await session.execute(
                select(t.registry_persons.c.persona).where(t.registry_persons.c.phone.like(f"{PHONE_PREFIX}%"))
            )
        ).scalars()
        assert sorted(keys) == sorted(p.key for p in PERSONAS)
        held = (
            await session.execute(
                select(t.certificates.c.type_code).where(
                    t.certificates.c.holder_id_number
                    == next(p for p in PERSONAS if p.key == "minor_guardian").person.id_number
                )
            )
        ).scalars()
        assert sorted(held) == ["HOUSEHOLD_REGISTER", "ID_CARD", "MARRIAGE_CERT"]
        verified = (
            await session.execute(
                select(func.count()).where(
                    t.citizens.c.phone.like(f"{PHONE_PREFIX}%"), t.citizens.c.verified_at.is_not(None)
                )
            )
        ).scalar_one()
        assert verified == len(PERSONAS)


def test_no_generated_resident_shares_a_persona_number() -> None:
    streets = [Street(f"4401{d}001", f"4401{d}", "区", "街道") for d in ("03", "04", "05", "06", "11", "13")]
    people = generate(streets)
    assert not {p.phone for p in people if p.phone and p.phone.startswith(PHONE_PREFIX)}
    assert not {p.id_number for p in people} & {p.person.id_number for p in PERSONAS}


@pytest.mark.parametrize("databases", ["sqlite"], indirect=True)
def test_the_commands_make_a_sandbox_app_and_list_the_personas(
    catalog_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", catalog_database)
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    get_settings.cache_clear()
    try:
        args = ["--name", "Sandbox MP", "--redirect-uri", REDIRECT, "--scope", "openid", "--sandbox"]
        created = CliRunner().invoke(cli, ["clients", "create", *args])
        listed = CliRunner().invoke(cli, ["clients", "list"])
        listing = CliRunner().invoke(cli, ["personas"])
    finally:
        get_settings.cache_clear()
    assert created.exit_code == 0 and listed.exit_code == 0 and listing.exit_code == 0, created.output + listing.output
    client_id = created.output.split()[1]
    assert any(line.startswith(client_id) and " sandbox " in line for line in listed.output.splitlines())
    out = listing.output
    assert "the code 000000; no SMS is sent" in out
    assert "Persona" in out and "Household registered in" in out and "Age" in out
    for persona in PERSONAS:
        assert f"{persona.key} " in out and persona.person.name in out and (persona.person.phone or "-") in out
        assert persona.person.id_number in out and persona.region["en"] in out
    # Labels, not codes
    assert "Business Licence, Food Business Licence" in out and "Hong Kong SAR" in out
    assert (
        "Yuelu District, Changsha, Hunan" in out and "Residence Permit for Hong Kong, Macao and Taiwan Residents" in out
    )
    assert "BUSINESS_LICENSE" not in out and "440106 " not in out


async def test_personas_have_their_known_applications_once_as_the_platform_decided_them(db: Sessions) -> None:
    await personas(db)
    await personas(db)  # again, as a second `onewindow seed` does: nothing changes
    a = t.applications.c
    async with db() as session:
        rows = (
            await session.execute(
                select(t.citizens.c.phone, a.id, a.matter_code, a.status, a.deadline)
                .join(t.citizens, t.citizens.c.id == a.citizen_id)
                .where(t.citizens.c.phone.like(f"{PHONE_PREFIX}%"))
                .order_by(t.citizens.c.phone, a.submitted_at)
            )
        ).all()
        steps = {
            row.id: list(
                (
                    await session.execute(
                        select(t.application_events.c.action)
                        .where(t.application_events.c.application_id == row.id)
                        .order_by(t.application_events.c.id)
                    )
                ).scalars()
            )
            for row in rows
        }
    made = [(row.phone, row.matter_code, row.status) for row in rows]
    assert made == [(p.person.phone, known.matter_code, known.status) for p in PERSONAS for known in p.applications]
    assert made[:2] == [
        ("17000000001", "GZ-RSJ-0001", "completed"),
        ("17000000001", "GZ-GA-0009", "submitted"),
    ]
    assert {p.key for p in PERSONAS if p.applications} == {"resident", "minor_guardian", "business_owner"}
    by_matter = {row.matter_code: row for row in rows}
    # Real timelines and deadlines, as submitApplication leaves them
    assert steps[by_matter["GZ-RSJ-0001"].id][:2] == ["submit", "auto_approve"]
    assert steps[by_matter["GZ-GA-0009"].id] == ["submit"]
    assert by_matter["GZ-GA-0009"].deadline is not None


@pytest.mark.parametrize("databases", ["sqlite"], indirect=True)
def test_seed_twice_gives_the_personas_the_same_applications_and_personas_lists_them(
    catalog_database: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ONEWINDOW_DATABASE_URL", catalog_database)
    monkeypatch.setenv("ONEWINDOW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    get_settings.cache_clear()
    try:
        seeded = [CliRunner().invoke(cli, ["seed"]) for _ in range(2)]
        references = asyncio.run(_persona_applications(catalog_database))
        listing = CliRunner().invoke(cli, ["personas"])
    finally:
        get_settings.cache_clear()
    assert [done.exit_code for done in seeded] == [0, 0], seeded[0].output + seeded[1].output
    assert listing.exit_code == 0, listing.output
    # Once: the second seed left the first one's applications as they were, and added none.
    assert [(phone, matter, status) for phone, matter, status, _ in references] == [
        ("17000000001", "GZ-RSJ-0001", "completed"),
        ("17000000001", "GZ-GA-0009", "submitted"),
        ("17000000003", "GZ-JYJ-0001", "submitted"),
        ("17000000006", "GZ-SJJ-0007", "submitted"),
    ]
    lines = listing.output.splitlines()
    # Labels in the reader's language, never codes
    assert any(line.strip() == "已办事项：失业保险金申领（已办结）、无犯罪记录证明开具（已提交）" for line in lines), (
        listing.output
    )
    assert any(line.strip() == "已办事项：义务教育阶段学校招生入学申请（已提交）" for line in lines)
    assert any(line.strip() == "已办事项：仅销售预包装食品备案（已提交）" for line in lines)
    assert "completed" not in listing.output and "GZ-" not in listing.output


async def _persona_applications(database_url: str) -> list[tuple[str, str, str, str]]:
    engine = create_engine(database_url)
    a, c = t.applications.c, t.citizens.c
    try:
        async with session_factory(engine)() as session:
            rows = await session.execute(
                select(c.phone, a.matter_code, a.status, a.reference)
                .join(t.citizens, c.id == a.citizen_id)
                .where(c.phone.like(f"{PHONE_PREFIX}%"))
                .order_by(c.phone, a.submitted_at)
            )
            return [tuple(row) for row in rows]  # type: ignore[misc]
    finally:
        await engine.dispose()


async def test_an_app_without_certificates_read_is_not_told_the_persona_has_no_social_security_card(
    api: Any, db: Sessions, fresh_redis: Any
) -> None:
    """The resident's unemployment benefit was approved because her social security card is in her
    wallet; an app with applications:read only read "Social Security Card · Card number: required (not
    found): met": the card number is hidden from it, but the condition held, so it was found."""
    from tests.support.identity import third_party_token

    await personas(db)
    token, _ = await third_party_token(api, db, fresh_redis, f"{PHONE_PREFIX}01", ["openid", "applications:read"])
    query = "{ myApplications(first: 5) { edges { node { matter { code } decision { conditions { text held } } } } } }"
    edges = (await run(api, token, query, locale="en"))["myApplications"]["edges"]
    [decision] = [e["node"]["decision"] for e in edges if e["node"]["matter"]["code"] == "GZ-RSJ-0001"]
    card = [c for c in decision["conditions"] if c["text"].startswith("Social Security Card")]
    assert card == [{"text": "Social Security Card · Card number: required (found): met", "held": True}]
