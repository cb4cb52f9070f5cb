"""What the catalog service returns: read models as msgspec Structs.

Texts are locale maps ({"zh-Hans": ..., "zh-Hant": ..., "en": ...}); the transport layer picks the
caller's locale.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import msgspec

from backend.catalog import format as fmt

LocaleMap = dict[str, str]


class Region(msgspec.Struct, frozen=True):
    code: str
    level: str
    parent_code: str | None
    name: LocaleMap


class Department(msgspec.Struct, frozen=True):
    code: str
    level: str
    region_code: str
    name: LocaleMap
    short_name: LocaleMap
    fiscal_code: str
    phone: str


class CertificateType(msgspec.Struct, frozen=True):
    code: str
    name: LocaleMap
    issuer_code: str
    holder: str
    fields: list[fmt.CertificateField]


class MatterSummary(msgspec.Struct, frozen=True):
    """The columns of a matter that lists show; the bulky parts are in MatterDetails."""

    code: str
    name: LocaleMap
    summary: LocaleMap
    department_code: str
    region_code: str
    level: str
    audience: str
    theme: str
    modes: list[str]
    max_trips: int
    promised_days: int
    legal_days: int
    instant_approval: bool
    outputs: list[str]


class MatterDetails(msgspec.Struct, frozen=True):
    """Materials, form, approval rule, keywords and legal basis: loaded only when asked for."""

    code: str
    materials: list[fmt.Material]
    form: list[fmt.FormField]
    auto_approval: fmt.AutoApproval | None
    keywords: dict[str, list[str]]
    legal_basis: LocaleMap


FeeKind = Literal["tax", "non_tax"]


def fee_kind(item_code: str) -> FeeKind:
    """What a fee is, from its fiscal item code (政府收支分类科目): class 101 is tax revenue (税收收入,
    e.g. 101190100 车船税), everything else the catalog collects is non-tax revenue (103 非税收入)."""
    return "tax" if item_code.startswith("101") else "non_tax"


class Fee(msgspec.Struct, frozen=True):
    matter_code: str
    item_code: str
    name: LocaleMap
    amount: Decimal
    department_code: str

    @property
    def kind(self) -> FeeKind:
        """A tax, or non-tax revenue: it decides what the payer's receipt is."""
        return fee_kind(self.item_code)


class Bundle(msgspec.Struct, frozen=True):
    code: str
    name: LocaleMap
    summary: LocaleMap
    audience: str
    shared_materials_note: LocaleMap


class Hall(msgspec.Struct, frozen=True):
    code: str
    region_code: str
    name: LocaleMap
    address: LocaleMap
    hours: dict[str, str | None]
    windows: int
    all_matters: bool


class MatterFilter(msgspec.Struct, frozen=True, kw_only=True):
    """Conditions a matter list is narrowed by; None means any."""

    theme: str | None = None
    audience: str | None = None
    level: str | None = None
    department: str | None = None
    mode: str | None = None
    region: str | None = None
    hall: str | None = None


class Page(msgspec.Struct, frozen=True):
    """One page of a keyset-paginated list, ordered by code."""

    items: list[MatterSummary]
    has_next: bool
    has_previous: bool
