"""Numbers that a registry allocates, not the platform: a passport's number (the exit-entry
administration's), a vehicle's plate (the vehicle registry's). Issuing asks for them through this
interface; settings choose who answers (ONEWINDOW_CERTIFICATE_LIBRARY, backend/certificates/runtime.py)."""

from __future__ import annotations

from datetime import date
from typing import Protocol

# Which fields of which certificate type a registry allocates.
ALLOCATED: dict[str, tuple[str, ...]] = {"PASSPORT": ("passport_number",), "VEHICLE_LICENSE": ("plate_number",)}


class NumberRegistry(Protocol):
    """Allocates a registry's number for a certificate being issued."""

    def allocate(self, type_code: str, key: str, *, application_id: str, today: date) -> str:
        """The number for field `key` of a `type_code` certificate issued for `application_id`; the same
        application asks again (a retried transaction) for the same number."""
        ...
