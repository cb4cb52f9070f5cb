"""Building the certificate a matter issues on approval (its `outputs`) from what the application knows."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from backend.catalog import format as fmt
from backend.catalog import models as m
from backend.certificates.credit_codes import make_credit_code
from backend.certificates.models import CertificateRecord
from backend.certificates.numbers import ALLOCATED

# How long an issued certificate is valid, in years, where the type has a validity.
VALIDITY_YEARS = {"DRIVING_LICENSE": 6, "RESIDENCE_PERMIT": 1, "HK_MACAO_PERMIT": 10, "FOOD_BUSINESS_LICENSE": 5}
_NUMBER_KEYS = (
    "certificate_number",
    "card_number",
    "license_number",
    "permit_number",
    "registration_number",
    "proof_number",
    "file_number",
    "account_number",
)
_PERSON_ALIASES = {
    "name": "name",
    "holder_name": "name",
    "owner_name": "name",
    "id_number": "id_number",
    "holder_id_number": "id_number",
    "owner_id_number": "id_number",
    "sex": "sex",
    "birth_date": "birth_date",
    "address": "address",
}
_ENTERPRISE_ALIASES = {"legal_representative": "name"}  # an enterprise's address is not its owner's home
# A business's later certificates (food licence, fire safety permit, pollutant registration) name it and
# its premises as its application does, not as an officer retypes them at ISSUE.
_FORM_ALIASES = {
    "entity_name": ("entity_name", "proposed_name"),
    "operator_name": ("operator_name", "entity_name"),
    "venue_name": ("venue_name", "entity_name"),
    "address": ("address", "business_address"),
    "premises_address": ("premises_address", "business_address"),
    "venue_address": ("venue_address", "business_address"),
    "production_address": ("production_address", "business_address"),
}
_ISSUE_DATE_KEYS = ("issue_date", "established_date", "registration_date", "award_date", "first_issue_date")


def _serial(application_id: str, type_code: str) -> int:
    return int(hashlib.sha256(f"{application_id}:{type_code}".encode()).hexdigest()[:12], 16)


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def build_output(
    certificate_type: m.CertificateType,
    *,
    application_id: str,
    today: date,
    form: dict[str, Any],
    profile: dict[str, Any],
    region_code: str,
    previous: dict[str, Any] | None,
    allocated: dict[str, str] | None = None,
    entered: dict[str, Any] | None = None,
) -> CertificateRecord:
    """A new certificate: form values first, then the profile, then the certificate it renews; what none
    of them knows comes from the registry that allocates it (`allocated`) or the officer (`entered`).
    A field nobody filled stays None: `left_to_enter` names them, and issuing refuses them."""
    serial = _serial(application_id, certificate_type.code)
    number = f"{certificate_type.code[:2]}{today:%Y}{serial % 10**10:010d}"
    years = VALIDITY_YEARS.get(certificate_type.code)
    valid_until = _years_later(today, years) if years else None
    data: dict[str, Any] = {}
    aliases = _PERSON_ALIASES if certificate_type.holder == "person" else _ENTERPRISE_ALIASES
    for field in certificate_type.fields:
        key = field.key
        # Authority order: who the holder is comes from the registry, what a renewal keeps comes
        # from the certificate it renews; the form only fills what neither knows (a new business's
        # name). A citizen cannot upgrade a licence class by typing it.
        value: Any = None
        if key in aliases:
            value = profile.get(aliases[key])
        if value is None and previous is not None and key not in _NUMBER_KEYS:
            value = previous.get(key)
        if value is None:
            value = next((form[k] for k in _FORM_ALIASES.get(key, (key,)) if form.get(k) is not None), None)
        if key in _NUMBER_KEYS:
            value = (previous or {}).get(key) if key == "file_number" and previous else number
        elif key in _ISSUE_DATE_KEYS and (value is None or previous is not None):
            value = today.isoformat() if key != "first_issue_date" or previous is None else value
        elif key == "valid_until":
            value = valid_until.isoformat() if valid_until else None
        elif key in ("status", "card_status", "account_status"):
            value = field.options[0] if field.options else "valid"
        elif field.type == "credit_code" and value is None:
            value = make_credit_code("9", _credit_code_category(form), region_code[:6], serial)
        if value is None:
            value = (allocated or {}).get(key, (entered or {}).get(key))
        if field.options and value not in field.options:
            value = _default_option(certificate_type.code, key, field.options, profile, today)
        data[key] = value
    if data.get("valid_until") and valid_until is None:  # a validity the officer entered (a passport's)
        valid_until = date.fromisoformat(data["valid_until"])
    return CertificateRecord(
        type_code=certificate_type.code,
        number=number,
        holder_id_number=profile["id_number"],
        holder_name=profile["name"],
        issuer=certificate_type.issuer_code,
        issued_on=today,
        valid_until=valid_until,
        data=data,
    )


# The kind of entity a registration creates, by the words of its official name: the catalog's
# registration forms carry no entity-type field, the matter applied for says which (有限责任公司设立登记
# registers a limited company, 个体工商户设立登记 an individual business). A branch first: 分公司 names
# its parent's kind too.
_ENTITY_TYPE_WORDS = (
    ("分公司", "branch"),
    ("有限责任公司", "limited_company"),
    ("股份有限公司", "limited_company"),
    ("个体工商户", "individual_business"),
    ("个人独资企业", "sole_proprietorship"),
    ("合伙企业", "partnership"),
)


def registered_entity_type(matter_name: str) -> str | None:
    """The entity type (BUSINESS_LICENSE.entity_type) a registration matter creates, from its zh-Hans
    name; None when the name names none."""
    return next((kind for words, kind in _ENTITY_TYPE_WORDS if words in matter_name), None)


def _credit_code_category(form: dict[str, Any]) -> str:
    """GB 32100's second character, the entity's category under market regulation: 1 an enterprise,
    2 an individual business (the default, as an unknown entity type defaults to one)."""
    entity_type = form.get("entity_type")
    return "2" if entity_type is None or entity_type == "individual_business" else "1"


def _default_option(type_code: str, key: str, options: list[str], profile: dict[str, Any], today: date) -> str:
    if type_code == "SENIOR_CARD" and key == "card_type":
        born = date.fromisoformat(profile["birth_date"])
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        return "free_65_plus" if age >= 65 else "discount_60_64"
    if type_code == "BUSINESS_LICENSE" and key == "entity_type":
        return "individual_business"
    return options[0]


def left_to_enter(
    certificate_type: m.CertificateType,
    *,
    today: date,
    form: dict[str, Any],
    profile: dict[str, Any],
    region_code: str,
    previous: dict[str, Any] | None,
) -> list[fmt.CertificateField]:
    """The fields of a certificate to issue that only the issuing officer knows: what neither the form,
    the registry profile, the certificate it renews nor a registry's allocation fills."""
    allocated = {key: "allocated" for key in ALLOCATED.get(certificate_type.code, ())}
    record = build_output(
        certificate_type,
        application_id="",
        today=today,
        form=form,
        profile=profile,
        region_code=region_code,
        previous=previous,
        allocated=allocated,
    )
    return [f for f in certificate_type.fields if record.data.get(f.key) is None]
