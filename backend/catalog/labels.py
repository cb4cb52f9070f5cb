"""What the catalog's enumerated certificate values are called.

The city's export lists an enum field's values as codes only ("male", "petrol", "valid"), and people
must read labels, never codes; so the platform keeps the labels (option_labels.json: certificate type
-> field -> value -> locale map) and attaches them to the certificate types it reads. Labels an export
carries itself (a field's "option_labels") win; a value nobody labels is a catalog problem.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import msgspec

from backend.catalog import format as fmt

OPTION_LABELS_FILE = Path(__file__).with_name("option_labels.json")

LabelMaps = dict[str, dict[str, dict[str, dict[str, str]]]]


@functools.cache
def option_labels() -> LabelMaps:
    """certificate type code -> field key -> option value -> {"zh-Hans", "zh-Hant", "en"}."""
    labels: LabelMaps = json.loads(OPTION_LABELS_FILE.read_text(encoding="utf-8"))
    return labels


def _labels_of(type_code: str, key: str, options: list[str], own: dict[str, Any] | None) -> dict[str, Any]:
    known = option_labels().get(type_code, {}).get(key, {})
    return {value: known[value] for value in options if value in known} | (own or {})


def labelled_fields(type_code: str, fields: list[fmt.CertificateField]) -> list[fmt.CertificateField]:
    """The fields of certificate type `type_code`, every enum field with its option labels."""
    return [
        msgspec.structs.replace(
            field,
            option_labels=msgspec.convert(
                _labels_of(type_code, field.key, field.options, msgspec.to_builtins(field.option_labels)),
                dict[str, fmt.LocaleText],
            ),
        )
        if field.options
        else field
        for field in fields
    ]


def with_option_labels(kind: fmt.CertificateType) -> fmt.CertificateType:
    """The certificate type with every enum field's option labels (the export's, then the platform's)."""
    return msgspec.structs.replace(kind, fields=labelled_fields(kind.code, kind.fields))


def label_raw_options(kinds: list[dict[str, Any]]) -> None:
    """Attach the option labels to certificate types read as plain JSON (the rules CLI reads them so)."""
    for kind in kinds:
        for field in kind.get("fields") or []:
            if isinstance(field, dict) and field.get("options"):
                field["option_labels"] = _labels_of(
                    str(kind.get("code")), str(field.get("key")), field["options"], field.get("option_labels")
                )
