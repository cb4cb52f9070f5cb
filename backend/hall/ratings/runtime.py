"""Choosing the 12345 hotline the settings name (as backend/identity/runtime.py chooses the SMS sender)."""

from __future__ import annotations

from backend.hall.ratings.hotline import Hotline
from backend.settings import Settings


def hotline(settings: Settings) -> Hotline:
    """The hotline the settings choose."""
    if settings.hotline != "standin":
        # The production adapter speaks the city hotline's work-order interface; it is not written yet
        # (settings refuse the stand-in in production, so production cannot start without it).
        raise NotImplementedError("only the 12345 hotline stand-in exists so far")
    # The stand-in lives outside the production package: imported only when the settings choose it.
    from standins.hotline12345 import TableHotline

    return TableHotline()
