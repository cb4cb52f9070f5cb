"""GraphQL types of the one form (一张表): merged fields with their pre-filled values and sources, and
the materials a certificate replaces."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
import strawberry
from strawberry.scalars import JSON

from backend.applications import forms as f
from backend.applications.validation import is_measurement
from backend.graphql.context import Info
from backend.graphql.privacy import Personal, disclosed
from backend.i18n import Locale, pick, pick_text
from backend.privacy import field_kind


@strawberry.type
class FormOption:
    value: str
    label: str


@strawberry.type(description="A field of the merged form, with its pre-filled value and where it came from.")
class ApplicationFormField:
    key: str
    label: str
    type: str
    required: bool
    options: list[FormOption] | None = strawberry.field(description="The only valid choices (秒报).")
    value: JSON | None = disclosed(
        lambda field: field.value_kind,
        description="Pre-filled or saved value; personal data masked or null without the scope that covers it.",
    )
    source: str | None = strawberry.field(
        description="profile.<field>, cert:<TYPE>.<field>, or draft (the citizen's correction); null if empty."
    )
    source_label: str | None = strawberry.field(description="Where the value came from, for the citizen.")
    certificate_id: strawberry.ID | None = disclosed(Personal.CERTIFICATE)
    choices: list[JSON] = disclosed(
        Personal.CERTIFICATE, description="Values of the citizen's other certificates of that type."
    )
    matters: list[str] = strawberry.field(description="The matters that ask for this field.")
    decimals: bool = strawberry.field(
        default=False, description="A number that measures something (metres, square metres): decimals allowed."
    )
    value_kind: strawberry.Private[Personal | None] = None

    @staticmethod
    def build(x: f.FormField, locale: Locale, cert_names: dict[str, dict[str, str]]) -> ApplicationFormField:
        """From the domain's merged field."""
        return ApplicationFormField(
            key=x.key,
            label=pick(x.label, locale),
            type=x.type,
            required=x.required,
            options=[FormOption(value=o.value, label=pick_text(o.label, locale)) for o in x.options]
            if x.options
            else None,
            value=x.value,
            source=x.source,
            source_label=_source_label(x.source, locale, cert_names),
            certificate_id=strawberry.ID(x.certificate_id) if x.certificate_id else None,
            choices=x.choices,
            matters=list(x.matter_keys),
            decimals=x.type == "number" and is_measurement(x.label["en"]),
            value_kind=_field_kind(x),
        )


@strawberry.type(description="A material: replaced by a certificate in the wallet, or to be uploaded.")
class ApplicationFormMaterial:
    key: str
    name: str
    required: bool
    certificate_type: str | None
    certificate_id: strawberry.ID | None = disclosed(Personal.CERTIFICATE)
    replaced: bool
    matters: list[str]


@strawberry.type(description="The one form (一张表) for a matter or a whole life-event bundle.")
class ApplicationForm:
    matter_codes: list[str]
    fields: list[ApplicationFormField]
    filled_later: list[ApplicationFormField] = strawberry.field(
        description="Fields not asked: an earlier step of the bundle issues the certificate that fills them in "
        "(a new business's name and credit code from its business licence)."
    )
    materials: list[ApplicationFormMaterial]
    fields_total: int = strawberry.field(description="Fields of all its matters before merging.")
    fields_asked: int = strawberry.field(description="Fields after merging.")
    fields_prefilled: int
    materials_replaced: int = strawberry.field(description="Materials a certificate supplies: no paper, no upload.")
    draft_version: int | None = strawberry.field(description="The saved draft's version, if there is one.")

    @staticmethod
    def build(
        form: f.MergedForm, locale: Locale, cert_names: dict[str, dict[str, str]], draft_version: int | None
    ) -> ApplicationForm:
        """From the domain's merged form."""
        return ApplicationForm(
            matter_codes=form.matters,
            fields=[ApplicationFormField.build(x, locale, cert_names) for x in form.fields],
            # Not asked: shown with the certificate that will fill them (source, sourceLabel), no value yet.
            filled_later=[
                ApplicationFormField.build(msgspec.structs.replace(x, source=x.prefill), locale, cert_names)
                for x in form.awaited
            ],
            materials=[
                ApplicationFormMaterial(
                    key=x.key,
                    name=pick(x.name, locale),
                    required=x.required,
                    certificate_type=x.certificate_type,
                    certificate_id=strawberry.ID(x.certificate_id) if x.certificate_id else None,
                    replaced=x.replaced,
                    matters=x.matters,
                )
                for x in form.materials
            ],
            fields_total=form.fields_total,
            fields_asked=form.fields_asked,
            fields_prefilled=form.fields_prefilled,
            materials_replaced=form.materials_replaced,
            draft_version=draft_version,
        )


_PROFILE_LABELS = {Locale.ZH_HANS: "个人资料", Locale.ZH_HANT: "個人資料", Locale.EN: "Your profile"}
_CORRECTED = {Locale.ZH_HANS: "您修改的值", Locale.ZH_HANT: "您修改的值", Locale.EN: "Corrected by you"}


def _source_label(source: str | None, locale: Locale, cert_names: dict[str, dict[str, str]]) -> str | None:
    if source is None:
        return None
    if source == "draft":
        return _CORRECTED[locale]
    if source.startswith("cert:"):
        code = source.removeprefix("cert:").partition(".")[0]
        return pick(cert_names.get(code, {}), locale) or code
    return _PROFILE_LABELS[locale]


def _field_kind(field: f.FormField) -> Personal | None:
    """What a form field's value is (backend.privacy.field_kind): by its type or key, else by where it came
    from, or (a value the citizen saved in a draft) where it would have come from: a corrected certificate
    value is still the certificate's business."""
    return field_kind(field.type, field.key, field.source) or field_kind(field.type, field.key, field.prefill)


def form_matters(info: Info, matter_code: str | None, bundle_code: str | None) -> list[str]:
    """The matters whose fields a matter's or a bundle's form holds."""
    if matter_code:
        return [matter_code]
    return list(info.context.snapshot.bundle_matters.get(bundle_code or "", []))


async def form_kinds(
    info: Info, matter_codes: list[str], values: Mapping[str, Any], sources: Mapping[str, Any] | None = None
) -> dict[str, Personal | None]:
    """The kind of each of a form's values, from its matters' fields in the catalog and its sources."""
    details = await info.context.loaders.matter_details.load_many(matter_codes)
    types = {x.key: x.type for found in details if found for x in found.form}
    sources = sources or {}
    return {key: field_kind(types.get(key), key, str(sources.get(key) or "")) for key in values}
