"""Queries: the citizen's wallet of certificates, and verification of a certificate's code by anyone."""

from __future__ import annotations

import strawberry

from backend.applications.workdays import shanghai_date
from backend.graphql import permissions
from backend.graphql.certificates.types import Certificate, CertificatePage, CertificateVerification
from backend.graphql.context import Info
from backend.graphql.pagination import check_page_size

CERTS = "certificates:read"


@strawberry.type
class CertificateQuery:
    @permissions.field(
        "Your electronic certificates (电子证照), newest first.", permission=permissions.IsCitizen(CERTS)
    )
    async def my_certificates(self, info: Info, first: int, offset: int = 0) -> CertificatePage:
        principal = permissions.caller(info)
        size = check_page_size(first, info.context.settings.max_page_size)
        service = await info.context.applications()
        profile, _ = await service.applicants.profile(principal.subject_id)
        items, total = await service.certificates.wallet(profile.id_number, limit=size, offset=max(offset, 0))
        return CertificatePage(items=[Certificate.build(c, info) for c in items], total_count=total)

    @permissions.field("One of your certificates.", permission=permissions.IsCitizen(CERTS))
    async def certificate(self, info: Info, id: strawberry.ID) -> Certificate | None:
        principal = permissions.caller(info)
        service = await info.context.applications()
        profile, _ = await service.applicants.profile(principal.subject_id)
        found = await service.certificates.get(str(id))
        if found is None or found.holder_id_number != profile.id_number:
            return None
        return Certificate.build(found, info)

    @strawberry.field(description="Check a certificate's code against the tamper-evident log (anyone may ask).")
    async def verify_certificate(self, info: Info, code: str) -> CertificateVerification:
        service = await info.context.applications()
        today = shanghai_date(info.context.resources.applications.clock())
        return CertificateVerification.build(await service.certificates.verify(code, today), info)
