"""What an officer reviews on an application: its materials and how each was provided (with a short-lived
download link for an upload, for those who may download it), what a supplement changed, and what to
enter to issue its certificates. Texts in the request's locale; personal data through the one rule."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from backend.applications import materials as am
from backend.applications import texts
from backend.applications.models import Application as ApplicationModel
from backend.applications.uploads import StoredUpload, download_query
from backend.catalog import format as fmt
from backend.graphql.context import Info
from backend.graphql.privacy import Personal, disclosed
from backend.i18n import pick, pick_text
from backend.identity.models import Role, SubjectType
from backend.identity.secrets import derive
from backend.privacy import field_kind

strawberry.enum(am.Provision, name="MaterialProvision", description="How a material reached the department.")


@strawberry.type(description="A file the applicant uploaded for a material.")
class MaterialUpload:
    id: strawberry.ID
    file_name: str = disclosed(description="The name it was uploaded under.")
    size: int = strawberry.field(description="In bytes.")
    content_type: str
    download_url: str | None = strawberry.field(
        description=(
            "A signed link that opens the file without a bearer header, for its owner (in the platform's app) and "
            "the officers of the department handling it (null for anyone else); it expires at linkExpiresAt."
        )
    )
    link_expires_at: datetime | None


@strawberry.type(description="A material of the matter and how the applicant provided it.")
class ApplicationMaterial:
    key: str
    name: str
    required: bool
    provision: am.Provision
    provision_label: str
    certificate_type_name: str | None = strawberry.field(description="The certificate that can replace it.")
    certificate_id: strawberry.ID | None = disclosed(Personal.CERTIFICATE)
    upload: MaterialUpload | None


@strawberry.type(description="A value or a material the applicant changed when answering a supplement request.")
class SupplementChange:
    key: str
    label: str
    is_material: bool
    before: JSON | None = disclosed(lambda change: change.before_kind)
    after: JSON | None = disclosed(lambda change: change.kind)
    kind: strawberry.Private[Personal | None]
    before_kind: strawberry.Private[Personal | None]


@strawberry.type(description="A field of a certificate to issue that the issuing officer enters.")
class CertificateFieldToEnter:
    certificate_type: str = strawberry.field(description="The key to enter it under in certificateFields.")
    certificate_name: str
    key: str
    label: str
    type: str = strawberry.field(description="text, address, date, number, money, id_number or credit_code.")


def _may_download(info: Info, application: ApplicationModel) -> bool:
    principal = info.context.principal
    if principal is None:
        return False
    if principal.subject_type is SubjectType.CITIZEN:
        # The owner's own app only: a file cannot be masked (an ID card's copy shows its number), so no
        # mini-program's scope covers it.
        return principal.first_party and am.may_download(
            application, citizen_id=principal.subject_id, departments=frozenset()
        )
    departments = frozenset(g.department_code for g in principal.roles if g.role is Role.OFFICER and g.department_code)
    return am.may_download(application, citizen_id=None, departments=departments)


def _upload(info: Info, found: Any, allowed: bool) -> MaterialUpload:
    url, expires = None, None
    if allowed:
        key = derive(info.context.resources.identity.master_secret, "upload-links")
        query, expires = download_query(key, found.id, datetime.now(UTC))
        url = f"{info.context.settings.public_url.rstrip('/')}/uploads/{found.id}?{query}"
    return MaterialUpload(
        id=strawberry.ID(found.id),
        file_name=found.filename,
        size=found.size,
        content_type=found.content_type,
        download_url=url,
        link_expires_at=expires,
    )


async def materials(info: Info, application: ApplicationModel) -> list[ApplicationMaterial]:
    """The application's materials as provided (a bundle's are on its items)."""
    if application.kind != "matter" or not application.matter_code:
        return []
    details = await info.context.loaders.matter_details.load(application.matter_code)
    if details is None:
        return []
    allowed = _may_download(info, application)
    types, locale = info.context.snapshot.certificate_types, info.context.locale
    return [
        ApplicationMaterial(
            key=x.key,
            name=pick(x.name, locale),
            required=x.required,
            provision=x.provision,
            provision_label=info.context.gettext(texts.PROVISION_LABELS[x.provision.value]),
            certificate_type_name=pick(types[x.certificate_type].name, locale) if x.certificate_type in types else None,
            certificate_id=strawberry.ID(x.certificate_id) if x.certificate_id else None,
            upload=_upload(info, x.upload, allowed) if x.upload else None,
        )
        for x in am.provided(application, details.materials, await _uploads(info, am.upload_ids(application)))
    ]


async def _uploads(info: Info, ids: list[str]) -> dict[str, StoredUpload]:
    """The uploads by id, through the request's loader (a page of applications: one query)."""
    loaded = await (await info.context.application_loaders()).upload.load_many(ids)
    return {i: u for i, u in zip(ids, loaded, strict=True) if u is not None}


async def supplement_changes(
    info: Info, application: ApplicationModel, reason: dict[str, Any]
) -> list[SupplementChange]:
    """What a supplement step changed: values (masked as the form's are) and materials (by file name)."""
    details = await info.context.loaders.matter_details.load(application.matter_code or "")
    locale = info.context.locale
    labels = {f.key: pick_text(f.label, locale) for f in details.form} if details else {}
    types = {f.key: f.type for f in details.form} if details else {}
    names = {m.key: pick_text(m.name, locale) for m in details.materials} if details else {}
    changes = reason.get("changes") or {}
    found = [
        SupplementChange(
            key=key,
            label=labels.get(key, key),
            is_material=False,
            before=JSON(change.get("before")),
            after=JSON(change.get("after")),
            kind=field_kind(types.get(key), key, str(application.sources.get(key, ""))),
            before_kind=field_kind(
                types.get(key), key, str(change.get("before_source") or application.sources.get(key, ""))
            ),
        )
        for key, change in (changes.get("values") or {}).items()
    ]
    provided: dict[str, Any] = changes.get("materials") or {}
    records = [r for c in provided.values() for r in (c.get("before"), c.get("after")) if r]
    uploads = await _uploads(info, [r["upload_id"] for r in records if r.get("upload_id")])

    def file_name(record: dict[str, Any] | None) -> str | None:
        upload = uploads.get((record or {}).get("upload_id") or "")
        return upload.filename if upload and upload.citizen_id == application.citizen_id else None

    found += [
        SupplementChange(
            key=key,
            label=names.get(key, key),
            is_material=True,
            before=JSON(file_name(change.get("before"))),
            after=JSON(file_name(change.get("after"))),
            kind=None,
            before_kind=None,
        )
        for key, change in provided.items()
    ]
    return found


def fields_to_enter(info: Info, needed: dict[str, list[fmt.CertificateField]]) -> list[CertificateFieldToEnter]:
    """The fields to enter at ISSUE, labelled in the reader's language."""
    types, locale = info.context.snapshot.certificate_types, info.context.locale
    return [
        CertificateFieldToEnter(
            certificate_type=code,
            certificate_name=pick(types[code].name, locale),
            key=f.key,
            label=pick_text(f.label, locale),
            type=f.type,
        )
        for code, fields in needed.items()
        for f in fields
    ]
