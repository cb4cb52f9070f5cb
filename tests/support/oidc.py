"""Driving the OpenID provider over HTTP as a mini-program and its user's browser do: an authorization
request with PKCE, state and nonce; the sign-in page (phone, then code); consent; the code exchange."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx


class _Inputs(HTMLParser):
    """Collects <input name value> pairs of a page's forms."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("name") and found.get("value") is not None:
            self.values[found["name"] or ""] = found["value"] or ""


def inputs(html: str) -> dict[str, str]:
    """The named inputs of a page's forms and their values (hidden fields included)."""
    parser = _Inputs()
    parser.feed(html)
    return parser.values


@dataclass(frozen=True)
class Authorization:
    """One authorization request of a mini-program: what it sends and what it keeps to check the answer."""

    client_id: str
    redirect_uri: str
    scopes: list[str]
    state: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    verifier: str = field(default_factory=lambda: secrets.token_urlsafe(48))

    @property
    def url(self) -> str:
        """The authorize address the mini-program sends the browser to (PKCE S256)."""
        challenge = base64.urlsafe_b64encode(hashlib.sha256(self.verifier.encode()).digest()).decode().rstrip("=")
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": " ".join(self.scopes),
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        return "/oauth/authorize?" + urlencode(query)

    def code_of(self, callback: str) -> str:
        """The authorization code of the redirect back, once its state is checked."""
        assert callback.startswith(self.redirect_uri), callback
        query = parse_qs(urlsplit(callback).query)
        assert query["state"] == [self.state], query
        return query["code"][0]


async def ask_code(browser: httpx.AsyncClient, authorization: Authorization, phone: str) -> httpx.Response:
    """The sign-in page's first step: the page the authorize address shows, then the phone sent."""
    page = await browser.get(authorization.url)
    assert page.status_code == 200 and 'action="/oauth/login/code"' in page.text, page.text
    return await browser.post("/oauth/login/code", data={"phone": phone, "continue": inputs(page.text)["continue"]})


async def sign_in(
    browser: httpx.AsyncClient, authorization: Authorization, phone: str, code: str
) -> tuple[httpx.Response, httpx.Response]:
    """Both sign-in steps with `code`: (the code step's answer, the page the browser lands on after it)."""
    sent = await ask_code(browser, authorization, phone)
    assert sent.status_code == 200, sent.text
    signed_in = await browser.post(
        "/oauth/login", data={"phone": phone, "code": code, "continue": inputs(sent.text)["continue"]}
    )
    if signed_in.status_code != 302:
        return signed_in, signed_in
    return signed_in, await browser.get(signed_in.headers["location"])


async def allow(browser: httpx.AsyncClient, consent: httpx.Response) -> str:
    """Allow what the consent page lists; the redirect back to the mini-program."""
    assert consent.status_code == 200, consent.text
    allowed = await browser.post(
        "/oauth/consent", data={"request": inputs(consent.text)["request"], "decision": "allow"}
    )
    assert allowed.status_code == 302, allowed.text
    return allowed.headers["location"]


async def exchange(
    http: httpx.AsyncClient, authorization: Authorization, callback: str, secret: str | None
) -> dict[str, Any]:
    """The mini-program's server redeeming the code (with its PKCE verifier) for tokens."""
    form = {
        "grant_type": "authorization_code",
        "code": authorization.code_of(callback),
        "redirect_uri": authorization.redirect_uri,
        "code_verifier": authorization.verifier,
        "client_id": authorization.client_id,
    } | ({"client_secret": secret} if secret else {})
    answer = await http.post("/oauth/token", data=form)
    assert answer.status_code == 200, answer.text
    tokens: dict[str, Any] = answer.json()
    return tokens
