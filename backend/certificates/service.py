"""The certificate store: wallets, issuing, and verification against the trust log.

The city's certificate library (电子证照库) is an external system. Outside production its stand-in
lives in the `certificates` table (seeded from the synthetic population); the certificates the
platform issues on approval are written to the same store and appended to the trust log.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any, Literal

import msgspec
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.certificates import trustlog
from backend.certificates.models import CertificateRecord
from backend.db import tables as t
from backend.db.batch import per_key
from backend.db.engine import execute
from backend.outbox.events import EventType, record

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed from paper
CODE_LENGTH = 16


def new_code() -> str:
    """A random verification code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str:
    """Codes compare without spaces or dashes, upper case."""
    return "".join(c for c in raw.upper() if c.isalnum())


class Certificate(msgspec.Struct, frozen=True, kw_only=True):
    """A certificate in the store."""

    id: str
    code: str
    type_code: str
    number: str
    holder_id_number: str
    holder_name: str
    issuer: str
    issued_on: date
    valid_until: date | None
    data: dict[str, Any]
    source: str
    application_id: str | None
    status: str
    log_seq: int
    content_hash: str


_COLUMNS = [t.certificates.c[name] for name in Certificate.__struct_fields__]


def document(record: CertificateRecord | Certificate) -> dict[str, Any]:
    """What the trust log vouches for: every field a verifier relies on."""
    return {
        "type_code": record.type_code,
        "number": record.number,
        "holder_id_number": record.holder_id_number,
        "holder_name": record.holder_name,
        "issuer": record.issuer,
        "issued_on": record.issued_on.isoformat(),
        "valid_until": record.valid_until.isoformat() if record.valid_until else None,
        "data": record.data,
    }


def _record_fields(record: CertificateRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in CertificateRecord.__struct_fields__}


def status_on(certificate: Certificate, today: date) -> str:
    """Its status on `today` (a China date): a valid certificate past its valid_until is expired.

    The store keeps the status it was issued or revoked with; expiry is a matter of the date, so it is
    computed wherever a certificate is shown or used, never stored (nothing has to run at midnight).
    """
    if certificate.status == "valid" and certificate.valid_until is not None and certificate.valid_until < today:
        return "expired"
    return certificate.status


def as_of(certificate: Certificate, today: date) -> Certificate:
    """The certificate as it stands on `today`: status, and its own status field if its type has one."""
    status = status_on(certificate, today)
    if status == certificate.status:
        return certificate
    data = {**certificate.data, "status": status} if "status" in certificate.data else certificate.data
    return msgspec.structs.replace(certificate, status=status, data=data)


class Verification(msgspec.Struct, frozen=True):
    """What a verifier learns: valid, expired, tampered, revoked or unknown, and the certificate if known."""

    status: Literal["valid", "expired", "tampered", "revoked", "unknown"]
    certificate: Certificate | None
    checks: trustlog.EntryCheck | None


class CertificateStore:
    """Reads and writes of the certificate store; the caller owns the unit of work."""

    def __init__(self, session: AsyncSession, log_key: bytes) -> None:
        self._session = session
        self._log_key = log_key

    async def wallet(self, id_number: str, *, limit: int, offset: int = 0) -> tuple[list[Certificate], int]:
        """A holder's valid and revoked certificates, newest first, and how many there are."""
        where = t.certificates.c.holder_id_number == id_number
        rows = await execute(
            self._session,
            select(*_COLUMNS)
            .where(where)
            .order_by(t.certificates.c.issued_on.desc(), t.certificates.c.type_code, t.certificates.c.id)
            .limit(limit)
            .offset(offset),
        )
        total = (
            await execute(self._session, select(func.count()).select_from(t.certificates).where(where))
        ).scalar_one()
        return [Certificate(**row._mapping) for row in rows], total

    async def holder_certificates(self, id_number: str, today: date) -> list[Certificate]:
        """Every certificate of a holder valid on `today` (what forms are pre-filled and rules decided from)."""
        valid_until = t.certificates.c.valid_until
        rows = await execute(
            self._session,
            select(*_COLUMNS)
            .where(
                t.certificates.c.holder_id_number == id_number,
                t.certificates.c.status == "valid",
                (valid_until.is_(None)) | (valid_until >= today),
            )
            .order_by(t.certificates.c.issued_on.desc()),
        )
        return [Certificate(**row._mapping) for row in rows]

    async def issued_by(self, application_ids: Sequence[str]) -> list[list[Certificate]]:
        """The certificates each application issued (one query for a page)."""
        rows = await execute(
            self._session, select(*_COLUMNS).where(t.certificates.c.application_id.in_(set(application_ids)))
        )
        return per_key(rows, application_ids, "application_id", lambda row: Certificate(**row._mapping))

    async def get(self, certificate_id: str) -> Certificate | None:
        """One certificate by id (the caller checks who may see it)."""
        row = (await execute(self._session, select(*_COLUMNS).where(t.certificates.c.id == certificate_id))).first()
        return Certificate(**row._mapping) if row else None

    async def by_ids(self, ids: Sequence[str]) -> dict[str, Certificate]:
        """Certificates by id."""
        rows = await execute(self._session, select(*_COLUMNS).where(t.certificates.c.id.in_(set(ids))))
        return {row.id: Certificate(**row._mapping) for row in rows}

    async def store(
        self, records: Iterable[CertificateRecord], *, source: str, application_id: str | None = None
    ) -> list[Certificate]:
        """Write certificates and append each to the trust log (issuing, or loading the library)."""
        records = list(records)
        if not records:
            return []
        hashes = [trustlog.content_hash(document(r)) for r in records]
        ids = [str(uuid.uuid4()) for _ in records]
        entries = await trustlog.append_many(
            self._session, self._log_key, [("certificate", i, h) for i, h in zip(ids, hashes, strict=True)]
        )
        now = datetime.now(UTC)
        stored = [
            Certificate(
                id=i,
                code=new_code(),
                source=source,
                application_id=application_id,
                status="valid",
                log_seq=e.seq,
                content_hash=h,
                **_record_fields(r),
            )
            for i, r, h, e in zip(ids, records, hashes, entries, strict=True)
        ]
        await self._session.execute(
            t.certificates.insert(), [msgspec.structs.asdict(c) | {"created_at": now} for c in stored]
        )
        await self._events(
            EventType.CERTIFICATE_ISSUED, [(c.id, c.type_code, c.application_id, c.holder_id_number) for c in stored]
        )
        return stored

    async def log(self, kind: str, subject: str, content: str) -> None:
        """Append another kind of record (an approval decision) to the trust log."""
        await trustlog.append(self._session, self._log_key, kind, subject, content)

    async def revoke(self, certificate_ids: Sequence[str], reason: str) -> None:
        """Revoke certificates and log each revocation, so a status edited back to valid is caught."""
        if not certificate_ids:
            return
        c = t.certificates.c
        revoked = await self._session.execute(
            update(t.certificates)
            .where(c.id.in_(set(certificate_ids)), c.status != "revoked")
            .values(status="revoked")
            .returning(c.id, c.type_code, c.application_id, c.holder_id_number)
        )
        await self._events(EventType.CERTIFICATE_REVOKED, sorted(tuple(row) for row in revoked))
        await trustlog.append_many(
            self._session,
            self._log_key,
            [("revocation", i, trustlog.content_hash({"certificate": i, "reason": reason})) for i in certificate_ids],
        )

    async def _events(self, type: EventType, certificates: Sequence[tuple[str, str, str | None, str]]) -> None:
        """The outbox event of each (id, type, application, holder's ID number) whose holder is a citizen of
        the platform (nobody else can be told): written with the change."""
        holders = {holder for *_, holder in certificates}
        if not holders:
            return
        found = await self._session.execute(
            select(t.citizens.c.id_number, t.citizens.c.id).where(t.citizens.c.id_number.in_(holders))
        )
        citizen_of: dict[str, str] = {row.id_number: row.id for row in found}
        for certificate_id, type_code, application_id, holder in certificates:
            if holder in citizen_of:
                data = {"certificate_id": certificate_id, "type_code": type_code, "application_id": application_id}
                await record(self._session, type, citizen_id=citizen_of[holder], data=data)

    async def verify(self, code: str, today: date) -> Verification:
        """Check a certificate against the trust log (its content, its entry's hash and MAC, revocations),
        then its validity on `today` (a China date)."""
        row = (
            await execute(self._session, select(*_COLUMNS).where(t.certificates.c.code == normalize_code(code)))
        ).first()
        if row is None:
            return Verification("unknown", None, None)
        certificate = Certificate(**row._mapping)
        # Recompute from the stored fields: an edit of the row no longer matches what was logged.
        actual = trustlog.content_hash(document(certificate))
        check = await trustlog.check_entry(self._session, self._log_key, certificate.log_seq, certificate.id, actual)
        if not check.intact or actual != certificate.content_hash:
            return Verification("tampered", certificate, check)
        revoked = await trustlog.entries_about(self._session, self._log_key, certificate.id, "revocation")
        if revoked or certificate.status == "revoked":
            return Verification("revoked", certificate, check)
        if status_on(certificate, today) == "expired":
            return Verification("expired", as_of(certificate, today), check)
        return Verification("valid", certificate, check)
