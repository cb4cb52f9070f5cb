"""A real relying party (authlib) signs a citizen in through our OpenID Connect provider."""

from __future__ import annotations

import re
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.e2e.conftest import onewindow
from tests.support.oidc import inputs

REDIRECT = "https://library-mp.example.cn/callback"
PHONE = "13800138000"
# A loaded machine answers slowly; how long a request takes is not what these tests check.
WEB_TIMEOUT = 60


def sign_in(browser: httpx.Client, authorize_url: str, env: dict[str, str], phone: str = PHONE) -> httpx.Response:
    """The citizen's part in the browser: phone, SMS code; returns the page after sign-in."""
    page = browser.get(authorize_url)
    assert page.status_code == 200 and 'action="/oauth/login/code"' in page.text
    continue_url = inputs(page.text)["continue"]
    sent = browser.post("/oauth/login/code", data={"phone": phone, "continue": continue_url})
    assert sent.status_code == 200 and f"{phone[:3]}****{phone[7:]}" in sent.text
    code = re.findall(r"\b(\d{6})\b", onewindow(env, "sms", "outbox", "--phone", phone))[-1]
    signed_in = browser.post("/oauth/login", data={"phone": phone, "code": code, "continue": continue_url})
    assert signed_in.status_code == 302
    return browser.get(signed_in.headers["location"])


@pytest.fixture
def server_env(server_env: dict[str, str]) -> dict[str, str]:
    """The server's environment, with the demo data loaded before the server starts."""
    onewindow(server_env, "seed")
    return server_env


def _library_client(env: dict[str, str]) -> tuple[str, str]:
    """Register the library mini-program (openid, phone) with the CLI: its client id and secret."""
    registered = onewindow(
        env,
        "clients",
        "create",
        "--name",
        "Library mini-program",
        "--redirect-uri",
        REDIRECT,
        "--scope",
        "openid",
        "--scope",
        "phone",
    )
    client_id = re.search(r"client_id:\s+(\S+)", registered).group(1)  # type: ignore[union-attr]
    client_secret = re.search(r"client_secret:\s+(\S+)", registered).group(1)  # type: ignore[union-attr]
    return client_id, client_secret


def test_authorization_code_flow_with_pkce(served: str, server_env: dict[str, str]) -> None:
    client_id, client_secret = _library_client(server_env)

    discovery = httpx.get(f"{served}/.well-known/openid-configuration", timeout=WEB_TIMEOUT).json()
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert discovery["id_token_signing_alg_values_supported"] == ["ES256"]

    rp = OAuth2Session(
        client_id, client_secret, scope="openid phone", redirect_uri=REDIRECT, code_challenge_method="S256"
    )
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    url, state = rp.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce)

    with httpx.Client(
        base_url=served, timeout=WEB_TIMEOUT, follow_redirects=False, headers={"accept-language": "zh-CN"}
    ) as browser:
        consent = sign_in(browser, url, server_env)
        assert consent.status_code == 200
        assert "Library mini-program 申请获取以下权限" in consent.text and "您的手机号码" in consent.text
        assert "您的居民身份证号码" not in consent.text  # only what was asked for is listed
        allowed = browser.post("/oauth/consent", data={"request": inputs(consent.text)["request"], "decision": "allow"})
        assert allowed.status_code == 302
        callback = allowed.headers["location"]
        assert callback.startswith(REDIRECT) and parse_qs(urlsplit(callback).query)["state"] == [state]

        token = rp.fetch_token(discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier)
        assert token["token_type"] == "Bearer" and token["scope"] == "openid phone"

        # the ID token verifies against the published keys and is for this client only
        keys = KeySet.import_key_set(httpx.get(discovery["jwks_uri"], timeout=WEB_TIMEOUT).json())
        id_token = jwt.decode(token["id_token"], keys, algorithms=["ES256"])
        claims = id_token.claims
        assert id_token.header["alg"] == "ES256" and id_token.header["kid"]
        assert claims["iss"] == discovery["issuer"] and claims["aud"] == client_id and claims["nonce"] == nonce
        assert claims["phone_number"] == "+8613800138000" and "id_number" not in claims and "name" not in claims

        userinfo = rp.get(discovery["userinfo_endpoint"]).json()
        assert userinfo == {"sub": claims["sub"], "phone_number": "+8613800138000", "phone_number_verified": True}

        # the token reaches only what its scopes allow: no profile scope, so no `me`
        graphql = httpx.post(
            f"{served}/graphql",
            timeout=WEB_TIMEOUT,
            json={"query": "{ me { phone } }"},
            headers={"authorization": f"Bearer {token['access_token']}"},
        )
        assert graphql.json()["errors"][0]["extensions"]["code"] == "INSUFFICIENT_SCOPE"
        public = httpx.post(
            f"{served}/graphql",
            timeout=WEB_TIMEOUT,
            json={"query": "{ bundles { code } }"},
            headers={"authorization": f"Bearer {token['access_token']}"},
        )
        assert len(public.json()["data"]["bundles"]) == 10

        # consent is remembered: the next authorization goes straight back with a code
        url2, _ = rp.create_authorization_url(
            discovery["authorization_endpoint"], code_verifier=secrets.token_urlsafe(48), nonce="n2"
        )
        again = browser.get(url2)
        assert again.status_code == 302 and "code=" in again.headers["location"]

    # a refresh rotates; revoking ends the session for the relying party at once
    refreshed = rp.refresh_token(discovery["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["refresh_token"] != token["refresh_token"]
    rp.revoke_token(discovery["revocation_endpoint"], token=refreshed["refresh_token"])
    assert rp.get(discovery["userinfo_endpoint"]).status_code == 401


def test_authorize_refuses_what_it_must(served: str, server_env: dict[str, str]) -> None:
    registered = onewindow(
        server_env, "clients", "create", "--name", "MP", "--redirect-uri", REDIRECT, "--scope", "openid"
    )
    client_id = re.search(r"client_id:\s+(\S+)", registered).group(1)  # type: ignore[union-attr]
    base = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "scope": "openid",
        "state": "s",
        "code_challenge": "x" * 43,
        "code_challenge_method": "S256",
    }
    with httpx.Client(
        base_url=served, timeout=WEB_TIMEOUT, follow_redirects=False, headers={"accept-language": "en"}
    ) as browser:
        # an unregistered redirect URI is never redirected to
        wrong = browser.get("/oauth/authorize", params=base | {"redirect_uri": REDIRECT + "/other"})
        assert wrong.status_code == 400 and "not registered" in wrong.text
        # no PKCE, or plain PKCE: an error back to the client
        for params in (
            base | {"code_challenge_method": "plain"},
            {k: v for k, v in base.items() if k != "code_challenge"},
        ):
            refused = browser.get("/oauth/authorize", params=params)
            assert refused.status_code == 302
            assert parse_qs(urlsplit(refused.headers["location"]).query)["error"] == ["invalid_request"]
        # a scope the client was not given
        refused = browser.get("/oauth/authorize", params=base | {"scope": "openid id_number"})
        assert parse_qs(urlsplit(refused.headers["location"]).query)["error"] == ["invalid_scope"]
        # prompt=none without a signed-in browser: an error for the client, never a page
        silent = browser.get("/oauth/authorize", params=base | {"prompt": "none"})
        assert parse_qs(urlsplit(silent.headers["location"]).query)["error"] == ["login_required"]
        # prompt=login: the sign-in page, whose continue address no longer asks for it (no loop)
        page = browser.get("/oauth/authorize", params=base | {"prompt": "login"})
        assert page.status_code == 200 and "prompt" not in inputs(page.text)["continue"]
        # a sign-in form posted from another site (login CSRF) is refused
        forged = browser.post(
            "/oauth/login/code",
            data={"phone": PHONE, "continue": "/oauth/authorize"},
            headers={"origin": "https://evil.example", "sec-fetch-site": "cross-site"},
        )
        assert forged.status_code == 403


def test_a_replayed_code_revokes_the_tokens_it_gave(served: str, server_env: dict[str, str]) -> None:
    # Issue 12, finding 10 (RFC 6749 section 4.1.2): refusing the replay is not enough; whoever replays
    # a code may have stolen it, so the tokens of its first redemption stop working too.
    client_id, client_secret = _library_client(server_env)
    discovery = httpx.get(f"{served}/.well-known/openid-configuration", timeout=WEB_TIMEOUT).json()
    rp = OAuth2Session(
        client_id, client_secret, scope="openid phone", redirect_uri=REDIRECT, code_challenge_method="S256"
    )
    verifier = secrets.token_urlsafe(48)
    url, _ = rp.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier, nonce="n")
    with httpx.Client(base_url=served, timeout=WEB_TIMEOUT, follow_redirects=False) as browser:
        consent = sign_in(browser, url, server_env, phone="13500135009")
        allowed = browser.post("/oauth/consent", data={"request": inputs(consent.text)["request"], "decision": "allow"})
    callback = allowed.headers["location"]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    token = rp.fetch_token(discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    assert rp.get(discovery["userinfo_endpoint"]).status_code == 200
    replay = httpx.post(
        discovery["token_endpoint"],
        timeout=WEB_TIMEOUT,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
            "client_id": client_id,
            "client_secret": client_secret,
        },
    )
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    # the first redemption's access and refresh tokens are revoked
    assert rp.get(discovery["userinfo_endpoint"]).status_code == 401
    refresh = httpx.post(
        discovery["token_endpoint"],
        timeout=WEB_TIMEOUT,
        data={
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
            "client_id": client_id,
            "client_secret": client_secret,
        },
    )
    assert refresh.status_code == 400 and refresh.json()["error"] == "invalid_grant"
