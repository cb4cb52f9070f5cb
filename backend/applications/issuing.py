"""What the issuing officer enters at ISSUE: the fields of a matter's output certificates that only the
issuing system knows (a passport's validity and issuing authority, a vehicle's registration date),
checked against the certificate type as the one form's values are."""

from __future__ import annotations

from datetime import date
from typing import Any

from backend.applications.errors import ApplicationErrorCode
from backend.applications.validation import FormFieldSpec, validate_field
from backend.catalog import format as fmt
from backend.errors import CommonErrorCode, DomainError

# A certificate field's type as the form field type that validates it.
_FORM_TYPE = {"enum": "select"}


def _spec(field: fmt.CertificateField) -> FormFieldSpec:
    kind: Any = _FORM_TYPE.get(field.type, field.type)
    return FormFieldSpec(key=field.key, type=kind, required=True, options=field.options)


def check_entries(
    needed: dict[str, list[fmt.CertificateField]], entered: dict[str, Any], *, today: date
) -> dict[str, dict[str, Any]]:
    """The officer's entries per certificate type, normalized; or CERTIFICATE_FIELDS_INVALID with one
    detail per field (`certificateFields.<TYPE>.<key>`): missing, invalid, a validity that ends before
    today, or a field the certificate does not take from the officer."""
    problems: list[DomainError] = []
    accepted: dict[str, dict[str, Any]] = {}
    for code in sorted(set(entered) - set(needed)):
        problems.append(DomainError(CommonErrorCode.INVALID_VALUE, field=f"certificateFields.{code}"))
    for code, fields in needed.items():
        raw = entered.get(code)
        values: dict[str, Any] = raw if isinstance(raw, dict) else {}
        accepted[code] = {}
        known = {f.key for f in fields}
        for key in sorted(set(values) - known):  # computed, allocated or not on this certificate
            problems.append(DomainError(CommonErrorCode.INVALID_VALUE, field=f"certificateFields.{code}.{key}"))
        for field in fields:
            where = f"certificateFields.{code}.{field.key}"
            checked = validate_field(_spec(field), values.get(field.key), today=today)
            if checked.problem is not None:
                problems.append(DomainError(CommonErrorCode(checked.problem.value), field=where, **checked.params))
            elif field.key == "valid_until" and str(checked.value) <= today.isoformat():
                problems.append(DomainError(ApplicationErrorCode.VALIDITY_ENDED, field=where))
            else:
                accepted[code][field.key] = checked.value
    if problems:
        error = DomainError(ApplicationErrorCode.CERTIFICATE_FIELDS_INVALID, field="certificateFields")
        error.details = problems
        raise error
    return accepted
