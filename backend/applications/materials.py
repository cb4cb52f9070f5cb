"""An application's materials as the officer approving it (and the citizen who sent it) sees them: each
required or optional material of the matter and how it was provided: by a certificate in the wallet, by
a certificate an earlier step of the same life event issues, by an upload, or not at all."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import msgspec

from backend.applications.models import Application
from backend.applications.uploads import StoredUpload
from backend.catalog import format as fmt


class Provision(StrEnum):
    """How a material reached the department."""

    CERTIFICATE = "certificate"  # a certificate in the citizen's wallet replaces it
    ISSUED_IN_BUNDLE = "issued_in_bundle"  # an earlier step of the same life event issues it
    UPLOAD = "upload"  # the citizen uploaded a scan
    MISSING = "missing"  # not provided (an optional material, or one still to be supplemented)


class ProvidedMaterial(msgspec.Struct, frozen=True, kw_only=True):
    """One material of the matter and how it was provided."""

    key: str
    name: dict[str, str]
    required: bool
    certificate_type: str | None  # the certificate that can replace it, if any
    provision: Provision
    certificate_id: str | None = None
    upload: StoredUpload | None = None


def _provision(record: dict[str, Any] | None) -> Provision:
    if not record:
        return Provision.MISSING
    if record.get("certificate_id"):
        return Provision.CERTIFICATE
    if record.get("issued_in_bundle"):
        return Provision.ISSUED_IN_BUNDLE
    return Provision.UPLOAD if record.get("upload_id") else Provision.MISSING


def upload_ids(application: Application) -> list[str]:
    """The uploads an application's materials name (what `provided` needs loaded)."""
    return [r["upload_id"] for r in application.materials.values() if isinstance(r, dict) and r.get("upload_id")]


def provided(
    application: Application, materials: list[fmt.Material], uploads: Mapping[str, StoredUpload]
) -> list[ProvidedMaterial]:
    """The matter's materials (`materials`, from the catalog) as `application` provided them, with
    `uploads` (by id: at least those of `upload_ids`)."""
    records = {m.key: application.materials.get(m.key) or {} for m in materials}
    return [
        ProvidedMaterial(
            key=m.key,
            name=dict(msgspec.to_builtins(m.name)),
            required=m.required,
            certificate_type=m.certificate,
            provision=_provision(records[m.key]),
            certificate_id=records[m.key].get("certificate_id"),
            # Only the applicant's own uploads count: an id of someone else's file shows nothing.
            upload=found
            if (found := uploads.get(records[m.key].get("upload_id", "")))
            and found.citizen_id == application.citizen_id
            else None,
        )
        for m in materials
    ]


def may_download(application: Application, *, citizen_id: str | None, departments: frozenset[str]) -> bool:
    """Whether a reader may download an application's uploads: its owner, or an officer of a department
    handling it; nobody else (not an admin, not finance staff, not another department)."""
    if citizen_id is not None:
        return citizen_id == application.citizen_id
    return application.department_code is not None and application.department_code in departments
