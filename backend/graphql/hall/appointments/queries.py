"""Appointments: what citizens and halls read."""

from __future__ import annotations

import strawberry


@strawberry.type
class AppointmentQuery:
    """Appointments: what citizens and halls read."""
