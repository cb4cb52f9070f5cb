"""English source texts (gettext msgids) of what the wallet shows about a certificate's own state."""

from __future__ import annotations

STATUS_LABELS: dict[str, str] = {
    "valid": "Valid",
    "expired": "Expired",
    "revoked": "Revoked",
}
"""A certificate record's status (the library's codes) -> what a holder reads."""

TEXTS: dict[str, str] = {f"status.{code}": text for code, text in STATUS_LABELS.items()}
