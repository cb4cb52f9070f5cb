"""GraphQL types of who and where: regions, departments, service halls, and the kinds of electronic
certificate departments issue. Texts are in the request's locale."""

from __future__ import annotations

import strawberry

from backend.catalog import models as m
from backend.errors import CommonErrorCode, DomainError
from backend.graphql.catalog.enums import AdministrativeLevel, CertificateFieldType, CertificateHolder
from backend.graphql.context import Info
from backend.i18n import Locale, pick, pick_text
from backend.identity.numbers import e164_phone


@strawberry.type(description="A city, district or street.")
class Region:
    code: str
    level: AdministrativeLevel
    name: str
    parent_code: strawberry.Private[str | None]

    @staticmethod
    def build(model: m.Region, locale: Locale) -> Region:
        """From the domain model, in `locale`."""
        return Region(
            code=model.code,
            level=AdministrativeLevel(model.level),
            name=pick(model.name, locale),
            parent_code=model.parent_code,
        )

    @strawberry.field(description="The region this one belongs to (none for the city).")
    def parent(self, info: Info) -> Region | None:
        if self.parent_code is None:
            return None
        return region_of(info, self.parent_code)


@strawberry.type(description="A government department (委办局).")
class Department:
    code: str
    level: AdministrativeLevel
    name: str
    short_name: str
    fiscal_code: str = strawberry.field(description="执收单位编码: the fee-collecting unit's code.")
    phone: str = strawberry.field(description="Its enquiry line, E.164 (+862086204729), as every phone the API writes.")
    region_code: strawberry.Private[str]

    @staticmethod
    def build(model: m.Department, locale: Locale) -> Department:
        """From the domain model, in `locale`."""
        return Department(
            code=model.code,
            level=AdministrativeLevel(model.level),
            name=pick(model.name, locale),
            short_name=pick(model.short_name, locale),
            fiscal_code=model.fiscal_code,
            phone=e164_phone(model.phone),
            region_code=model.region_code,
        )

    @strawberry.field
    def region(self, info: Info) -> Region:
        return region_of(info, self.region_code)


@strawberry.type(description="An option of an enumerated certificate field: send the value, show the label.")
class CertificateFieldOption:
    value: str
    label: str


@strawberry.type
class CertificateField:
    key: str
    label: str
    type: CertificateFieldType
    options: list[str] | None = strawberry.field(description="The option codes of an enumerated field.")
    choices: list[CertificateFieldOption] | None = strawberry.field(
        description="The options with what each is called in the caller's language."
    )


@strawberry.type(description="A kind of electronic certificate (电子证照).")
class CertificateType:
    code: str
    name: str
    holder: CertificateHolder
    fields: list[CertificateField]
    issuer_code: strawberry.Private[str]

    @staticmethod
    def build(model: m.CertificateType, locale: Locale) -> CertificateType:
        """From the domain model, in `locale`."""
        return CertificateType(
            code=model.code,
            name=pick(model.name, locale),
            holder=CertificateHolder(model.holder),
            fields=[
                CertificateField(
                    key=f.key,
                    label=pick_text(f.label, locale),
                    type=CertificateFieldType(f.type),
                    options=f.options,
                    choices=[
                        CertificateFieldOption(value=value, label=pick_text(text, locale))
                        for value, text in f.option_labels.items()
                    ]
                    if f.option_labels
                    else None,
                )
                for f in model.fields
            ],
            issuer_code=model.issuer_code,
        )

    @strawberry.field(description="The department that issues it.")
    def issuer(self, info: Info) -> Department:
        return department_of(info, self.issuer_code)


@strawberry.type(description="A service hall (政务服务中心) where in-person steps happen.")
class Hall:
    code: str
    name: str
    address: str
    windows: int
    opening_hours_weekdays: str = strawberry.field(description="Monday to Friday, e.g. 09:00-17:00.")
    opening_hours_saturday: str | None = strawberry.field(description="Saturday hours; null when closed.")
    handles_all_matters: bool = strawberry.field(description="True when every matter of its region is handled there.")
    region_code: strawberry.Private[str]

    @staticmethod
    def build(model: m.Hall, locale: Locale) -> Hall:
        """From the domain model, in `locale`."""
        return Hall(
            code=model.code,
            name=pick(model.name, locale),
            address=pick(model.address, locale),
            windows=model.windows,
            opening_hours_weekdays=model.hours.get("mon-fri") or "",
            opening_hours_saturday=model.hours.get("sat"),
            handles_all_matters=model.all_matters,
            region_code=model.region_code,
        )

    @strawberry.field
    def region(self, info: Info) -> Region:
        return region_of(info, self.region_code)


# Nested lookups read the request's catalog snapshot synchronously: no I/O, so no coroutine per field.
def region_of(info: Info, code: str) -> Region:
    """A region of the request's catalog snapshot, by code."""
    found = info.context.snapshot.regions.get(code)
    if found is None:
        raise DomainError(CommonErrorCode.NOT_FOUND, what=code)
    return Region.build(found, info.context.locale)


def department_of(info: Info, code: str) -> Department:
    """A department of the request's catalog snapshot, by code."""
    found = info.context.snapshot.departments.get(code)
    if found is None:
        raise DomainError(CommonErrorCode.NOT_FOUND, what=code)
    return Department.build(found, info.context.locale)
