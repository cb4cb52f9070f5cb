"""Who allocates registries' numbers at issuing, as the settings choose (wiring only)."""

from __future__ import annotations

from backend.certificates.numbers import NumberRegistry
from backend.settings import Settings


def build_numbers(settings: Settings) -> NumberRegistry:
    """The certificate library's number allocation; only its stand-in exists so far."""
    if settings.certificate_library != "standin":
        # Production adapters speak the issuing registries' protocols; they are not written yet
        # (production settings refuse the stand-in, so production cannot start without them).
        raise NotImplementedError("only the certificate library stand-in exists so far (ONEWINDOW_CERTIFICATE_LIBRARY)")
    from standins.certificates.numbers import StandInNumbers  # chosen by the settings; not in the wheel

    return StandInNumbers()
