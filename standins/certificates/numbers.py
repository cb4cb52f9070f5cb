"""The issuing registries' number allocation, as the certificate library stand-in answers it: numbers
in the shapes the seeded certificates have (people.py), derived from the application so that a retried
transaction gets the same one. A space of 10**8 passports and 34**5 plates makes a repeat unlikely in a
development city; the real registries guarantee uniqueness themselves."""

from __future__ import annotations

import hashlib
from datetime import date

_PLATE_CHARACTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"  # no I or O on Chinese plates


class StandInNumbers:
    """Allocates passport numbers (E + 8 digits) and Guangzhou plates (粤A + 5 characters)."""

    def allocate(self, type_code: str, key: str, *, application_id: str, today: date) -> str:
        """A number of the registry's shape for `key`."""
        serial = int(hashlib.sha256(f"{application_id}:{type_code}:{key}".encode()).hexdigest()[:15], 16)
        if key == "plate_number":
            tail = ""
            for _ in range(5):
                serial, index = divmod(serial, len(_PLATE_CHARACTERS))
                tail += _PLATE_CHARACTERS[index]
            return f"粤A{tail}"
        if key == "passport_number":
            return f"E{serial % 10**8:08d}"
        return f"{type_code[:2]}{today:%Y}{serial % 10**10:010d}"
