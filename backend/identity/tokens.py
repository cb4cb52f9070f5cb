"""Access and ID tokens: ES256 JWTs with a kid, verified against the cached key ring."""

from __future__ import annotations

import base64
import binascii
import time
import uuid
from typing import Any

import jwt
import msgspec

from backend.errors import CommonErrorCode, DomainError
from backend.identity.keys import ALGORITHM, KeyRing

API_AUDIENCE = "onewindow-api"
_LEEWAY = 30  # seconds of clock skew tolerated between instances
_REQUIRED = ["exp", "iat", "nbf", "iss", "aud", "sub", "sid", "jti"]
_CACHE_SIZE = 4096


class TokenIssuer:
    """Signs tokens with the newest key and verifies them with any key still trusted."""

    def __init__(self, ring: KeyRing, issuer: str, access_seconds: int) -> None:
        self.ring = ring
        self.issuer = issuer
        self.access_seconds = access_seconds
        self._verified: dict[str, dict[str, Any]] = {}

    def access_token(
        self,
        *,
        subject: str,
        session_id: str,
        client_id: str,
        scopes: list[str],
        actor: str | None = None,
        seconds: int | None = None,
    ) -> str:
        """A short-lived access token for the API; with `actor`, one delegated to that service (RFC 8693 `act`)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": API_AUDIENCE,
            "sub": subject,
            "sid": session_id,
            "client_id": client_id,
            "scope": " ".join(scopes),
            "iat": now,
            "nbf": now,
            "exp": now + (seconds or self.access_seconds),
            "jti": uuid.uuid4().hex,
        }
        if actor:
            claims["act"] = {"sub": actor}
        return self._sign(claims, "at+jwt")

    def id_token(
        self, *, subject: str, client_id: str, nonce: str | None, auth_time: int, extra: dict[str, Any]
    ) -> str:
        """An OpenID Connect ID token for a relying party."""
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": client_id,
            "sub": subject,
            "iat": now,
            "exp": now + 300,
            "auth_time": auth_time,
            **extra,
        }
        if nonce:
            claims["nonce"] = nonce
        return self._sign(claims, "JWT")

    def _sign(self, claims: dict[str, Any], typ: str) -> str:
        key = self.ring.signer
        return jwt.encode(claims, key.private, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": typ})

    def verify_access_token(self, token: str) -> dict[str, Any]:
        """The claims of a valid access token; UNAUTHENTICATED (or TOKEN_EXPIRED) otherwise.

        A token already verified by this process is answered from a small cache (its signature cannot
        change); expiry is still checked on every use, and revocation is the session check's job.
        """
        cached = self._verified.get(token)
        if cached is not None:
            if cached["exp"] + _LEEWAY < time.time():
                del self._verified[token]
                raise DomainError(CommonErrorCode.TOKEN_EXPIRED)
            return cached
        claims = self._verify(token)
        if len(self._verified) >= _CACHE_SIZE:
            self._verified.pop(next(iter(self._verified)))  # oldest first: dicts keep insertion order
        self._verified[token] = claims
        return claims

    def session_of_access_token(self, token: str) -> str | None:
        """The session of a genuine access token, even an expired one (for revocation only)."""
        try:
            return str(self.verify_access_token(token)["sid"])
        except DomainError as error:
            if error.code is not CommonErrorCode.TOKEN_EXPIRED:
                return None
        header = _header(token)
        key = self.ring.verifier(str((header or {}).get("kid", "")))
        if key is None:
            return None
        try:
            claims = jwt.decode(
                token,
                key.public,
                algorithms=[ALGORITHM],
                audience=API_AUDIENCE,
                issuer=self.issuer,
                options={"verify_exp": False},
            )
        except jwt.PyJWTError:
            return None
        return str(claims.get("sid")) if claims.get("sid") else None

    def _verify(self, token: str) -> dict[str, Any]:
        header = _header(token)
        # Only ES256 with a kid we know: "none", HS256 with the public key as secret, RS256 and
        # unknown keys are all refused before any signature check.
        if header is None or header.get("alg") != ALGORITHM or header.get("typ") not in (None, "at+jwt"):
            raise DomainError(CommonErrorCode.UNAUTHENTICATED)
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise DomainError(CommonErrorCode.UNAUTHENTICATED)
        key = self.ring.verifier(kid)
        if key is None:
            raise DomainError(CommonErrorCode.UNKNOWN_SIGNING_KEY)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.public,
                algorithms=[ALGORITHM],
                audience=API_AUDIENCE,
                issuer=self.issuer,
                leeway=_LEEWAY,
                options={"require": _REQUIRED},
            )
        except jwt.ExpiredSignatureError:
            raise DomainError(CommonErrorCode.TOKEN_EXPIRED) from None
        except jwt.PyJWTError:
            raise DomainError(CommonErrorCode.UNAUTHENTICATED) from None
        return claims


def _header(token: str) -> dict[str, Any] | None:
    """The JOSE header, decoded without trusting it (msgspec: cheaper than PyJWT's own parse)."""
    segment = token.partition(".")[0]
    try:
        header = msgspec.json.decode(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, binascii.Error, msgspec.DecodeError):
        return None
    return header if isinstance(header, dict) else None
