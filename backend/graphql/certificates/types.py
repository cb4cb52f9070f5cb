"""GraphQL types of electronic certificates (电子证照): the wallet, and what a verifier learns."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from backend.applications.workdays import shanghai_date
from backend.certificates import service as cs
from backend.certificates import texts as cs_texts
from backend.graphql.catalog.places import Department
from backend.graphql.context import Info
from backend.graphql.privacy import Personal, disclosed
from backend.i18n import pick, pick_text
from backend.identity.numbers import mask_id_number
from backend.privacy import NOTHING
from backend.rules.explain import TEXTS as RULE_TEXTS


@strawberry.type
class CertificateFieldValue:
    key: str
    label: str
    value: JSON | None = disclosed(
        Personal.CERTIFICATE, description="The value as stored: an enumerated field's option code (male, petrol)."
    )
    text: str | None = disclosed(
        Personal.CERTIFICATE,
        description="The value as a person reads it, in the caller's language (男, Petrol): show this one.",
    )


@strawberry.type(description="An electronic certificate (电子证照) in a wallet.")
class Certificate:
    id: strawberry.ID
    code: str = disclosed(
        Personal.CERTIFICATE, description="The verification code: give it to whoever must check the certificate."
    )
    type_code: str
    name: str
    number: str = disclosed(Personal.CERTIFICATE)
    holder_name: str = disclosed(Personal.CERTIFICATE)
    issued_on: date
    valid_until: date | None
    status: str = strawberry.field(
        description="valid, expired (past validUntil, by today's date in China) or revoked: a code; show statusLabel."
    )
    status_label: str = strawberry.field(description="The status in the caller's language.")
    source: str = strawberry.field(description="library (held by the city) or platform (issued by an application).")
    application_id: strawberry.ID | None
    fields: list[CertificateFieldValue]
    issuer_code: strawberry.Private[str]

    @staticmethod
    def build(model: cs.Certificate, info: Info) -> Certificate:
        """From the store's record as it stands today (China date), in the caller's locale."""
        model = cs.as_of(model, shanghai_date(info.context.resources.applications.clock()))
        locale = info.context.locale
        kind = info.context.snapshot.certificate_types.get(model.type_code)
        labels = {x.key: pick_text(x.label, locale) for x in kind.fields} if kind else {}
        options = {x.key: x.option_labels or {} for x in kind.fields} if kind else {}

        def text(key: str, value: Any) -> str | None:
            if value is None or value == "":
                return None
            if isinstance(value, bool):
                return info.context.gettext(RULE_TEXTS["yes" if value else "no"])
            label = options.get(key, {}).get(str(value))
            return pick_text(label, locale) if label else str(value)

        status = cs_texts.STATUS_LABELS.get(model.status)
        return Certificate(
            id=strawberry.ID(model.id),
            code=model.code,
            type_code=model.type_code,
            name=pick(kind.name, locale) if kind else model.type_code,
            number=model.number,
            holder_name=model.holder_name,
            issued_on=model.issued_on,
            valid_until=model.valid_until,
            status=model.status,
            status_label=info.context.gettext(status) if status else model.status,
            source=model.source,
            application_id=strawberry.ID(model.application_id) if model.application_id else None,
            fields=[
                CertificateFieldValue(key=k, label=labels.get(k, k), value=v, text=text(k, v))
                for k, v in model.data.items()
            ],
            issuer_code=model.issuer,
        )

    @strawberry.field
    def issuer(self, info: Info) -> Department | None:
        found = info.context.snapshot.departments.get(self.issuer_code)
        return Department.build(found, info.context.locale) if found else None


@strawberry.type
class CertificatePage:
    items: list[Certificate]
    total_count: int


@strawberry.enum(description="What checking a certificate against the trust log found.")
class VerificationStatus(Enum):
    VALID = "valid"
    EXPIRED = "expired"
    TAMPERED = "tampered"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@strawberry.type(description="The result of checking a certificate (what anyone holding its code may learn).")
class CertificateVerification:
    status: VerificationStatus
    name: str | None
    holder_name: str | None
    holder_id_number: str | None = strawberry.field(description="Masked.")
    number: str | None
    issued_on: date | None
    valid_until: date | None = strawberry.field(description="The last day it is valid; null: long-term (长期).")
    log_entry: int | None = strawberry.field(description="The trust log entry that vouches for it.")

    @staticmethod
    def build(result: cs.Verification, info: Info) -> CertificateVerification:
        """From the store's verification; personal numbers masked for the verifier."""
        c = result.certificate
        kind = info.context.snapshot.certificate_types.get(c.type_code) if c else None
        return CertificateVerification(
            status=VerificationStatus(result.status),
            name=pick(kind.name, info.context.locale) if kind else None,
            holder_name=c.holder_name if c else None,
            holder_id_number=mask_id_number(c.holder_id_number) if c else None,
            # an ID card's number is its holder's ID number: masked like any, for anyone holding the code
            number=NOTHING.text(c.number) if c else None,
            issued_on=c.issued_on if c else None,
            valid_until=c.valid_until if c else None,
            log_entry=c.log_seq if c else None,
        )
