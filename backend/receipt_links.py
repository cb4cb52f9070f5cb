"""Signed links to a receipt's PDF: a phone's PDF viewer opens a link, it cannot send a bearer token.

The API hands out `/receipts/{id}/pdf?expires=...&signature=...` only to a caller who may see the
receipt (the citizen who paid, or finance staff); the link is an HMAC over the receipt id and the
expiry with a key derived from the platform secret, so any instance checks it, nothing is stored,
and a changed id or expiry, or a link past its expiry, opens nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlencode

from backend.identity.models import Principal, Role, SubjectType


def _key(master_secret: bytes) -> bytes:
    return hmac.new(master_secret, b"onewindow/receipt-links", hashlib.sha256).digest()


def _signature(master_secret: bytes, receipt_id: str, expires: int) -> str:
    return hmac.new(_key(master_secret), f"{receipt_id}|{expires}".encode(), hashlib.sha256).hexdigest()


def may_download(principal: Principal | None, owner_citizen_id: str | None) -> bool:
    """The citizen who paid (the app, or a client granted `payments`), or finance staff."""
    if principal is None:
        return False
    if principal.subject_type is SubjectType.STAFF:
        return principal.has_role(Role.FINANCE)
    return (
        principal.subject_type is SubjectType.CITIZEN
        and owner_citizen_id is not None
        and principal.subject_id == owner_citizen_id
        and (principal.first_party or principal.has_scope("payments"))
    )


def signed_pdf_url(base_url: str, master_secret: bytes, receipt_id: str, seconds: int, now: float | None = None) -> str:
    """A link to the receipt's PDF that works without a token until it expires (`seconds` from now)."""
    expires = int(now if now is not None else time.time()) + seconds
    query = urlencode({"expires": expires, "signature": _signature(master_secret, receipt_id, expires)})
    return f"{base_url.rstrip('/')}/receipts/{receipt_id}/pdf?{query}"


def link_valid(master_secret: bytes, receipt_id: str, expires: str, signature: str, now: float | None = None) -> bool:
    """Whether a link's expiry and signature are the platform's, for this receipt, and not past."""
    if not expires.isdigit() or int(expires) < int(now if now is not None else time.time()):
        return False
    return hmac.compare_digest(_signature(master_secret, receipt_id, int(expires)), signature)
