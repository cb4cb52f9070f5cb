"""Appointments: booking, confirming, moving, cancelling."""

from __future__ import annotations

import strawberry


@strawberry.type
class AppointmentMutation:
    """Appointments: booking, confirming, moving, cancelling."""
