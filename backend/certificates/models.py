"""Boundary data of the certificate library (msgspec Structs)."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec


class CertificateRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One certificate as the library holds it.

    `data` maps every field key of its certificate type (certificate_types.json) to a JSON value:
    dates as ISO strings, numbers as int, money as a "12.00" string, enums as one of the options.
    For an enterprise certificate the holder is its legal representative, who sees it in their wallet.
    """

    type_code: str
    number: str  # unique within its type
    holder_id_number: str
    holder_name: str
    issuer: str  # department code
    issued_on: date
    valid_until: date | None = None
    data: dict[str, Any]
