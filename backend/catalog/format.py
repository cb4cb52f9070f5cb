"""The catalog export format (see backend/catalog/demo/README.md) as msgspec Structs.

Decoding checks every type, enum value and pattern; backend.catalog.validate checks references.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]
Code = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", max_length=48)]
Amount = Annotated[str, msgspec.Meta(pattern=r"^(0|[1-9][0-9]{0,8})\.[0-9]{2}$")]
Days = Annotated[int, msgspec.Meta(ge=0, le=3650)]

Level = Literal["city", "district", "street", "community"]
"""Administrative levels. "community" (社区) is our extension for city-scale catalogs (synthesized)."""
Audience = Literal["person", "enterprise", "both"]
Theme = Literal[
    "birth",
    "education",
    "employment",
    "marriage",
    "housing",
    "social_security",
    "health",
    "transport",
    "business",
    "tax",
    "residence",
    "elderly",
    "disability",
    "death",
    "talent",
    "culture",
    "environment",
    "construction",
]
Mode = Literal["online", "nearby", "immediate", "one_trip"]
FormFieldType = Literal[
    "text",
    "textarea",
    "date",
    "select",
    "id_number",
    "phone",
    "credit_code",
    "money",
    "number",
    "address",
    "boolean",
]
CertFieldType = Literal["text", "date", "id_number", "credit_code", "enum", "number", "money", "address"]
PROFILE_SOURCES = frozenset(
    {
        "profile.name",
        "profile.id_number",
        "profile.phone",
        "profile.address",
        "profile.birth_date",
        "profile.sex",
    }
)


class Record(msgspec.Struct, forbid_unknown_fields=True):
    """A catalog record: unknown keys are refused, so a typo in an export is caught."""


class LocaleText(Record):
    """A text in the three locales; every one must be present and non-empty."""

    zh_hans: NonEmpty = msgspec.field(name="zh-Hans")
    zh_hant: NonEmpty = msgspec.field(name="zh-Hant")
    en: NonEmpty


class LocaleWords(Record):
    """Keywords per locale."""

    zh_hans: list[NonEmpty] = msgspec.field(name="zh-Hans")
    zh_hant: list[NonEmpty] = msgspec.field(name="zh-Hant")
    en: list[NonEmpty]


class Region(Record):
    code: Annotated[str, msgspec.Meta(pattern=r"^[0-9]{6}([0-9]{3}([0-9]{3})?)?$")]
    level: Level
    parent: str | None
    name: LocaleText


class Department(Record):
    code: Code
    level: Level
    region: str
    name: LocaleText
    short_name: LocaleText
    fiscal_code: Annotated[str, msgspec.Meta(pattern=r"^[0-9]{6}$")]
    phone: NonEmpty


class CertificateField(Record):
    key: Code
    label: LocaleText
    type: CertFieldType
    options: list[NonEmpty] | None = None
    option_labels: dict[str, LocaleText] | None = None
    """What each option value is called (an enum's values are codes, never shown to a person)."""


class CertificateType(Record):
    code: Annotated[str, msgspec.Meta(pattern=r"^[A-Z][A-Z0-9_]*$")]
    name: LocaleText
    issuer: str
    holder: Literal["person", "enterprise"]
    fields: list[CertificateField]


class Material(Record):
    key: Code
    name: LocaleText
    certificate: str | None
    required: bool
    note: LocaleText | None


class FieldOption(Record):
    value: NonEmpty
    label: LocaleText


class FormField(Record):
    key: Code
    label: LocaleText
    type: FormFieldType
    required: bool
    prefill: str | None = None
    options: list[FieldOption] | None = None


class Fee(Record):
    item_code: NonEmpty
    name: LocaleText
    amount: Amount
    department: str


class AutoApproval(Record):
    rule: dict[str, Any]
    explain: LocaleText


class Matter(Record):
    code: Code
    name: LocaleText
    summary: LocaleText
    department: str
    level: Level
    audience: Audience
    theme: Theme
    modes: list[Mode]
    max_trips: Literal[0, 1, 2]
    promised_days: Days
    legal_days: Days
    materials: list[Material]
    form: list[FormField]
    fees: list[Fee]
    auto_approval: AutoApproval | None
    outputs: list[str]
    keywords: LocaleWords
    legal_basis: LocaleText


class Bundle(Record):
    code: Code
    name: LocaleText
    summary: LocaleText
    audience: Audience
    matters: Annotated[list[str], msgspec.Meta(min_length=1)]
    shared_materials_note: LocaleText


class Hours(Record):
    mon_fri: Annotated[str, msgspec.Meta(pattern=r"^[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]$")] = msgspec.field(
        name="mon-fri"
    )
    sat: Annotated[str, msgspec.Meta(pattern=r"^[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]$")] | None


class Hall(Record):
    code: Code
    region: str
    name: LocaleText
    address: LocaleText
    hours: Hours
    windows: Annotated[int, msgspec.Meta(ge=0)]
    matters: list[str]


class Catalog(msgspec.Struct):
    """A whole decoded export."""

    regions: list[Region]
    departments: list[Department]
    certificate_types: list[CertificateType]
    matters: list[Matter]
    bundles: list[Bundle]
    halls: list[Hall]


# file name -> (Catalog attribute, record type), in the order references flow.
FILES: dict[str, tuple[str, type[Record]]] = {
    "regions.json": ("regions", Region),
    "departments.json": ("departments", Department),
    "certificate_types.json": ("certificate_types", CertificateType),
    "matters.json": ("matters", Matter),
    "bundles.json": ("bundles", Bundle),
    "halls.json": ("halls", Hall),
}
