"""Access tokens: only ES256, with a known kid, the right issuer and audience, inside their lifetime."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from backend.errors import CommonErrorCode, DomainError
from backend.identity.keys import KeyRing, SigningKey, _public_jwk
from backend.identity.tokens import API_AUDIENCE, TokenIssuer

ISSUER = "https://id.example.gov.cn"


def make_key(kid: str, retired: bool = False) -> SigningKey:
    private = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    return SigningKey(kid, private, private.public_key(), _public_jwk(kid, private), now, now if retired else None)


@pytest.fixture
def ring() -> KeyRing:
    ring = KeyRing()
    ring.replace([make_key("k2"), make_key("k1", retired=True)])
    return ring


@pytest.fixture
def issuer(ring: KeyRing) -> TokenIssuer:
    return TokenIssuer(ring, ISSUER, 600)


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": ISSUER,
        "aud": API_AUDIENCE,
        "sub": "c1",
        "sid": "s1",
        "jti": "j",
        "scope": "openid",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }
    return {k: v for k, v in (base | overrides).items() if v is not None}


def sign(key: SigningKey, payload: dict[str, Any], **header: Any) -> str:
    return jwt.encode(payload, key.private, algorithm="ES256", headers={"kid": key.kid, "typ": "at+jwt", **header})


def rejected(issuer: TokenIssuer, token: str) -> StrEnum:
    with pytest.raises(DomainError) as caught:
        issuer.verify_access_token(token)
    return caught.value.code


def test_valid_token_verifies(issuer: TokenIssuer) -> None:
    token = issuer.access_token(subject="c1", session_id="s1", client_id="app", scopes=["openid", "profile"])
    assert jwt.get_unverified_header(token)["kid"] == "k2"
    verified = issuer.verify_access_token(token)
    assert verified["sub"] == "c1" and verified["sid"] == "s1" and verified["scope"] == "openid profile"


def test_retired_key_still_verifies_its_tokens(issuer: TokenIssuer, ring: KeyRing) -> None:
    old = ring.verifier("k1")
    assert old is not None
    assert issuer.verify_access_token(sign(old, claims()))["sub"] == "c1"


def test_tampered_payload_is_rejected(issuer: TokenIssuer) -> None:
    token = issuer.access_token(subject="c1", session_id="s1", client_id="app", scopes=["openid"])
    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    assert rejected(issuer, f"{header}.{forged}.{signature}") is CommonErrorCode.UNAUTHENTICATED


def test_alg_none_is_rejected(issuer: TokenIssuer) -> None:
    token = jwt.encode(claims(), None, algorithm="none", headers={"kid": "k2"})
    assert rejected(issuer, token) is CommonErrorCode.UNAUTHENTICATED


def test_hs256_signed_with_the_public_key_is_rejected(issuer: TokenIssuer, ring: KeyRing) -> None:
    # The classic confusion attack: use the published public key as an HMAC secret.
    public_pem = ring.signer.public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "kid": "k2", "typ": "JWT"}).encode()).rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(claims()).encode()).rstrip(b"=")
    import hashlib
    import hmac

    mac = base64.urlsafe_b64encode(hmac.new(public_pem, header + b"." + body, hashlib.sha256).digest()).rstrip(b"=")
    assert rejected(issuer, (header + b"." + body + b"." + mac).decode()) is CommonErrorCode.UNAUTHENTICATED


def test_other_asymmetric_algorithm_is_rejected(issuer: TokenIssuer) -> None:
    other = ec.generate_private_key(ec.SECP384R1())
    token = jwt.encode(claims(), other, algorithm="ES384", headers={"kid": "k2"})
    assert rejected(issuer, token) is CommonErrorCode.UNAUTHENTICATED


def test_unknown_kid_is_reported_for_a_key_reload(issuer: TokenIssuer) -> None:
    stranger = make_key("k9")
    assert rejected(issuer, sign(stranger, claims())) is CommonErrorCode.UNKNOWN_SIGNING_KEY


def test_right_kid_but_foreign_key_is_rejected(issuer: TokenIssuer) -> None:
    impostor = make_key("k2")  # claims our kid, signed with another key
    assert rejected(issuer, sign(impostor, claims())) is CommonErrorCode.UNAUTHENTICATED


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"iss": "https://evil.example"}, CommonErrorCode.UNAUTHENTICATED),
        ({"aud": "another-api"}, CommonErrorCode.UNAUTHENTICATED),
        # times relative to when the test runs, not to when it was collected (a long session outlives 600 s)
        ({"exp": lambda now: now - 120}, CommonErrorCode.TOKEN_EXPIRED),
        ({"nbf": lambda now: now + 600}, CommonErrorCode.UNAUTHENTICATED),
        ({"sid": None}, CommonErrorCode.UNAUTHENTICATED),
        ({"exp": None}, CommonErrorCode.UNAUTHENTICATED),
    ],
    ids=["wrong-issuer", "wrong-audience", "expired", "not-yet-valid", "no-session", "no-expiry"],
)
def test_claims_are_checked(issuer: TokenIssuer, ring: KeyRing, overrides: dict[str, Any], expected: StrEnum) -> None:
    now = int(time.time())
    resolved = {key: value(now) if callable(value) else value for key, value in overrides.items()}
    assert rejected(issuer, sign(ring.signer, claims(**resolved))) is expected


def test_plain_jwt_type_is_not_an_access_token(issuer: TokenIssuer, ring: KeyRing) -> None:
    assert rejected(issuer, sign(ring.signer, claims(), typ="JWT")) is CommonErrorCode.UNAUTHENTICATED


def test_id_token_type_cannot_be_used_as_access_token(issuer: TokenIssuer) -> None:
    id_token = issuer.id_token(subject="pairwise", client_id=API_AUDIENCE, nonce="n", auth_time=0, extra={})
    assert rejected(issuer, id_token) is CommonErrorCode.UNAUTHENTICATED


def test_garbage_is_rejected(issuer: TokenIssuer) -> None:
    for token in ("", "abc", "a.b.c", "eyJhbGciOiJFUzI1NiJ9.e30."):
        assert rejected(issuer, token) is CommonErrorCode.UNAUTHENTICATED


def test_revocation_finds_the_session_of_an_expired_token_but_not_of_a_forged_one(
    issuer: TokenIssuer, ring: KeyRing
) -> None:
    expired = sign(ring.signer, claims(exp=int(time.time()) - 3600, sid="s-old"))
    assert issuer.session_of_access_token(expired) == "s-old"
    assert issuer.session_of_access_token(sign(make_key("k2"), claims(sid="s-x"))) is None
    assert issuer.session_of_access_token("garbage") is None


def test_per_address_limits_count_an_ipv6_subscriber_network_once() -> None:
    from backend.identity.limits import address_key

    assert address_key("2001:db8:1:2:3:4:5:6") == address_key("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
    assert address_key("::ffff:10.1.2.3") == address_key("10.1.2.3") == "10.1.2.3"
