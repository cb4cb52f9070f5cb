"""Who gets a receipt's token-free PDF link, and which links open it (the live journey is
tests/integration/test_receipt_links.py)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from backend.identity.models import Principal, Role, RoleGrant, SubjectType
from backend.receipt_links import link_valid, may_download, signed_pdf_url

SECRET = b"s" * 32
NOW = 1_800_000_000.0


def _who(
    kind: SubjectType, subject: str = "c1", *, first_party: bool = True, scopes: str = "", role: Role | None = None
) -> Principal:
    roles = (RoleGrant(role, "GZ-GA"),) if role else ()
    return Principal(kind, subject, "s", "app", frozenset(scopes.split()), first_party, roles)


@pytest.mark.parametrize(
    ("principal", "allowed"),
    [
        (_who(SubjectType.CITIZEN), True),  # the payer, in the app
        (_who(SubjectType.CITIZEN, first_party=False, scopes="payments"), True),  # a client they granted payments
        (_who(SubjectType.CITIZEN, first_party=False, scopes="profile"), False),
        (_who(SubjectType.CITIZEN, "c2"), False),  # another citizen
        (_who(SubjectType.STAFF, "finance", role=Role.FINANCE), True),
        (_who(SubjectType.STAFF, "officer", role=Role.OFFICER), False),
        (None, False),
    ],
)
def test_only_the_payer_and_finance_get_a_link(principal: Principal | None, allowed: bool) -> None:
    assert may_download(principal, "c1") is allowed


def test_a_link_opens_its_receipt_until_it_expires_and_nothing_else() -> None:
    url = signed_pdf_url("https://gov.example/", SECRET, "r1", 900, now=NOW)
    assert urlsplit(url).path == "/receipts/r1/pdf"
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    expires, signature = query["expires"], query["signature"]
    assert int(expires) == NOW + 900
    assert link_valid(SECRET, "r1", expires, signature, now=NOW + 899)
    assert not link_valid(SECRET, "r1", expires, signature, now=NOW + 901)  # expired
    assert not link_valid(SECRET, "r2", expires, signature, now=NOW)  # another receipt
    assert not link_valid(SECRET, "r1", str(int(expires) + 3600), signature, now=NOW)  # a later expiry
    tampered = signature[:-1] + ("1" if signature.endswith("0") else "0")
    assert not link_valid(SECRET, "r1", expires, tampered, now=NOW)
    assert not link_valid(b"t" * 32, "r1", expires, signature, now=NOW)  # another platform's secret
    assert not link_valid(SECRET, "r1", "soon", signature, now=NOW)
