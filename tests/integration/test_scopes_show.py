"""Issue 16, item 6: each scope shows what its consent text says, and one phone format everywhere.

Found: `applications:read` returned the whole form (phone, postal address) while the consent page
promised "your applications and their progress"; `me { phone }` said 18638622709 and userinfo
+8618638622709. Here a mini-program signs a real resident in through the provider's pages (sign-in,
consent, code, token), and reads what its scopes allow.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from graphql import get_named_type
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.graphql.schema import build_schema
from backend.i18n import Locale
from backend.identity import clients
from backend.identity.models import Scope
from backend.identity.scopes import SCOPES
from tests.support import factories
from tests.support.applications import PNG, upload
from tests.support.gql import as_user, run
from tests.support.identity import last_code

Sessions = async_sessionmaker[AsyncSession]
REDIRECT = "https://tenancy-mp.example.cn/callback"
MATTER = "GZ-ZJJ-0003"  # tenancy registration: the citizen's phone, the rented home, the other party
TYPED = {
    "property_location": "广州市越秀区试验街88号之三",
    "counterparty_name": "欧阳试验",
    "counterparty_id_number": "440106199001011235",
    "monthly_rent": "3200.00",
    "lease_start": "2026-12-01",
    "lease_end": "2027-11-30",
}
NOT_PERSONAL = ("monthly_rent", "lease_start", "lease_end", "landlord_or_tenant")
APPLICATION = """query($id: ID!) { application(id: $id) {
  reference status statusLabel deadline timeline { action actionLabel } form } }"""


def _input(page: str, name: str) -> str:
    found = re.search(rf'name="{name}"\s+value="([^"]*)"', page)
    assert found, page
    return html.unescape(found.group(1))


class MiniProgram:
    """A third-party app registered for `scopes`, signing citizens in as a browser would."""

    def __init__(self, api: AsyncTestClient[Any], db: Sessions, redis: Any, scopes: list[str]) -> None:
        self.api, self.db, self.redis, self.scopes = api, db, redis, scopes
        self.client_id, self.secret = "", ""

    async def register(self) -> MiniProgram:
        async with self.db() as session, session.begin():
            client, secret = await clients.create_client(
                session, name="Tenancy helper", redirect_uris=[REDIRECT], scopes=self.scopes
            )
        self.client_id, self.secret = client.client_id, secret or ""
        return self

    async def consent_page(self, phone: str, locale: str, verifier: str) -> str:
        """Authorize (signing in by SMS code when the browser is not yet): the consent page's HTML."""
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": REDIRECT,
                "scope": " ".join(self.scopes),
                "state": secrets.token_urlsafe(8),
                "nonce": "n",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "prompt": "consent",
            }
        )
        headers = {"accept-language": locale}
        page = await self.api.get(f"/oauth/authorize?{query}", headers=headers)
        if 'action="/oauth/login/code"' in page.text:
            await self.redis.delete(f"otp:cooldown:{phone}")  # the minute a citizen waits between two codes
            follow = {"phone": phone, "continue": _input(page.text, "continue")}
            sent = await self.api.post("/oauth/login/code", data=follow, headers=headers)
            assert sent.status_code == 200, sent.text
            follow["code"] = await last_code(self.db, phone)
            signed_in = await self.api.post("/oauth/login", data=follow, headers=headers, follow_redirects=False)
            assert signed_in.status_code == 302, signed_in.text
            page = await self.api.get(signed_in.headers["location"], headers=headers)
        assert page.status_code == 200 and 'action="/oauth/consent"' in page.text, page.text
        return page.text

    async def sign_in(self, phone: str, locale: str = "zh-CN") -> str:
        """Through the provider's pages and the token endpoint: an access token."""
        verifier = secrets.token_urlsafe(48)
        page = await self.consent_page(phone, locale, verifier)
        allowed = await self.api.post(
            "/oauth/consent", data={"request": _input(page, "request"), "decision": "allow"}, follow_redirects=False
        )
        assert allowed.status_code == 302, allowed.text
        code = parse_qs(urlsplit(allowed.headers["location"]).query)["code"][0]
        answer = await self.api.post(
            "/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT,
                "code_verifier": verifier,
                "client_id": self.client_id,
                "client_secret": self.secret,
            },
        )
        assert answer.status_code == 200, answer.text
        token: str = answer.json()["access_token"]
        return token


async def _tenancy(api: AsyncTestClient[Any], token: str) -> dict[str, Any]:
    """The citizen's tenancy registration: their phone pre-filled, the rest typed."""
    form = (
        await run(
            api,
            token,
            "query($m: String) { applicationForm(matterCode: $m) { materials { key replaced } } }",
            {"m": MATTER},
        )
    )["applicationForm"]
    scans = {m["key"]: (await upload(api, token, PNG))["id"] for m in form["materials"] if not m["replaced"]}
    return await factories.application(api, token, MATTER, TYPED, scans)


async def test_applications_read_shows_the_progress_and_no_personal_answers(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any
) -> None:
    # Given a resident's tenancy registration, with their phone, the home's address, the landlord's
    # name and ID number in its form
    person = await factories.citizen(api, db)
    submitted = await _tenancy(api, person.token)
    own = (await run(api, person.token, APPLICATION, {"id": submitted["id"]}))["application"]
    assert own["form"]["phone"] == "+86" + person.phone  # E.164, as every machine-readable phone
    assert {k: own["form"][k] for k in TYPED} == TYPED

    # When a mini-program with only `openid applications:read` reads it
    reader = await (await MiniProgram(api, db, fresh_redis, ["openid", "applications:read"]).register()).sign_in(
        person.phone
    )
    seen = (await run(api, reader, APPLICATION, {"id": submitted["id"]}))["application"]

    # Then it sees the application and its progress, and the form's other answers
    assert {k: seen[k] for k in ("reference", "status", "statusLabel", "deadline", "timeline")} == {
        k: own[k] for k in ("reference", "status", "statusLabel", "deadline", "timeline")
    }
    assert {k: seen["form"][k] for k in NOT_PERSONAL} == {k: own["form"][k] for k in NOT_PERSONAL}
    # but no phone, address, name or ID number: null, not masked
    for key in ("phone", "name", "id_number", "property_location", "counterparty_name", "counterparty_id_number"):
        assert seen["form"][key] is None, key

    # And with `phone` granted too, the phone comes back, in E.164; the address and ID numbers still do not
    with_phone = await (
        await MiniProgram(api, db, fresh_redis, ["openid", "applications:read", "phone"]).register()
    ).sign_in(person.phone)
    form = (await run(api, with_phone, APPLICATION, {"id": submitted["id"]}))["application"]["form"]
    assert form["phone"] == "+86" + person.phone
    assert form["property_location"] is None and form["counterparty_id_number"] is None

    # And the application's form is the same in the list and in the live update's type
    listed = (await run(api, reader, "{ myApplications(first: 5) { edges { node { id form } } } }"))["myApplications"][
        "edges"
    ]
    assert [e["node"]["form"] for e in listed if e["node"]["id"] == submitted["id"]] == [seen["form"]]


async def test_me_and_userinfo_write_the_same_phone(api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any) -> None:
    person = await factories.citizen(api, db)
    token = await (await MiniProgram(api, db, fresh_redis, ["openid", "profile", "phone"]).register()).sign_in(
        person.phone
    )
    _, body = await as_user(api, token, "{ me { phone name } }")
    userinfo = await api.get("/oauth/userinfo", headers={"authorization": f"Bearer {token}"})
    assert userinfo.status_code == 200
    assert body["data"]["me"]["phone"] == userinfo.json()["phone_number"] == "+86" + person.phone
    assert body["data"]["me"]["name"] == userinfo.json()["name"] == person.name
    # the citizen's own app writes it the same way
    assert (await run(api, person.token, "{ me { phone } }"))["me"]["phone"] == "+86" + person.phone


# What the consent page must say of each scope, in each language: the words for what its fields carry.
PROMISED = {
    Locale.ZH_HANS: {
        Scope.PROFILE: ("姓名", "地址", "出生日期"),
        Scope.PHONE: ("手机号码", "电话号码"),
        Scope.ID_NUMBER: ("居民身份证号码", "护照", "通行证"),
        Scope.APPLICATIONS_READ: ("办理进度", "其他内容", "须另经相应授权"),
        Scope.APPLICATIONS_WRITE: ("提交", "补正"),
        Scope.PAYMENTS: ("缴费订单", "电子票据", "发起缴费"),
        Scope.CERTIFICATES_READ: ("电子证照", "证照信息"),
    },
    Locale.ZH_HANT: {
        Scope.PROFILE: ("姓名", "地址", "出生日期"),
        Scope.PHONE: ("手機號碼", "電話號碼"),
        Scope.ID_NUMBER: ("居民身分證號碼", "護照", "通行證"),
        Scope.APPLICATIONS_READ: ("辦理進度", "其他內容", "須另經相應授權"),
        Scope.APPLICATIONS_WRITE: ("提交", "補正"),
        Scope.PAYMENTS: ("繳費訂單", "電子票據", "發起繳費"),
        Scope.CERTIFICATES_READ: ("電子證照", "證照資訊"),
    },
    Locale.EN: {
        Scope.PROFILE: ("name", "addresses", "dates of birth"),
        Scope.PHONE: ("mobile phone number", "phone numbers written in your applications"),
        Scope.ID_NUMBER: ("resident ID number", "passport"),
        Scope.APPLICATIONS_READ: ("progress", "other answers", "only with the permissions for those"),
        Scope.APPLICATIONS_WRITE: ("submit applications", "requests for more information"),
        Scope.PAYMENTS: ("payment orders and receipts", "start payments"),
        Scope.CERTIFICATES_READ: ("electronic certificates", "certificate details"),
    },
}


@pytest.mark.parametrize(
    ("locale", "header"), [(Locale.ZH_HANS, "zh-CN"), (Locale.ZH_HANT, "zh-HK"), (Locale.EN, "en")]
)
async def test_the_consent_page_says_what_each_scope_shows(
    api: AsyncTestClient[Any], db: Sessions, fresh_redis: Any, locale: Locale, header: str
) -> None:
    person = await factories.citizen(api, db)
    app = await MiniProgram(api, db, fresh_redis, [s.value for s in Scope]).register()
    page = html.unescape(await app.consent_page(person.phone, header, secrets.token_urlsafe(48)))
    items = re.findall(r"<li>(.*?)</li>", page)
    messages = api.app.state.resources.messages
    # one line per scope, each the table's consent text in the page's language
    assert sorted(items) == sorted(messages.gettext(locale, row.consent) for row in SCOPES.values())
    for scope, words in PROMISED[locale].items():
        line = messages.gettext(locale, SCOPES[scope].consent)
        assert all(word in line for word in words), (scope, line)


def test_the_scope_table_covers_every_scope_and_names_real_fields() -> None:
    assert set(SCOPES) == set(Scope)
    schema = build_schema()._schema
    named = re.compile(r"\b([A-Z][A-Za-z]+)\.([a-z][A-Za-z]+)\b")
    checked = 0
    for row in SCOPES.values():
        for text in row.shows:
            for type_name, field_name in named.findall(text):
                kind = schema.get_type(type_name)
                assert kind is not None, (type_name, text)
                assert field_name in kind.fields, (type_name, field_name)  # type: ignore[union-attr]
                assert get_named_type(kind.fields[field_name].type)  # type: ignore[union-attr]
                checked += 1
    assert checked >= 20
