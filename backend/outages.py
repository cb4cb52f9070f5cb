"""Which failures mean a service the platform depends on is away (Redis, the database), not a bug.

Such a failure is answered TEMPORARILY_UNAVAILABLE (HTTP 503), localized, and logged as a warning
without a traceback; anything else unexpected stays INTERNAL_ERROR with its traceback.
"""

from __future__ import annotations

import redis.exceptions
import sqlalchemy.exc

UNAVAILABLE: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,  # refused, dropped, or the circuit is open (backend.kv)
    redis.exceptions.TimeoutError,
    sqlalchemy.exc.OperationalError,  # the server went away, or SQLite stayed locked past its timeout
    sqlalchemy.exc.TimeoutError,  # no connection free in the pool in time
)


def is_outage(error: BaseException | None) -> bool:
    """Whether `error` says a backing service is away."""
    return isinstance(error, UNAVAILABLE)
