"""`appUsage`: what an app asked of the API per Beijing day, for its developers and admins."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry

from backend.errors import MESSAGES, CommonErrorCode, DomainError
from backend.graphql import permissions
from backend.graphql.context import Info
from backend.identity.models import Role
from backend.platform import developers, usage


@strawberry.type(description="How many of an app's requests on one day failed with one error code.")
class AppUsageError:
    code: str = strawberry.field(description="The error's extensions.code, e.g. INSUFFICIENT_SCOPE.")
    count: int
    label: str = strawberry.field(description="What the code means, in the reader's language.")


@strawberry.type(description="What one app asked of the API on one Beijing (Asia/Shanghai) day.")
class AppUsageDay:
    day: datetime.date
    requests: int
    cost: int = strawberry.field(description="Query cost points spent.")
    throttled: int = strawberry.field(description="Requests refused with THROTTLED.")
    errors: list[AppUsageError] = strawberry.field(description="Requests that failed, by error code.")


class _Blank(dict[str, Any]):
    """Fills a message's placeholders with an ellipsis: the message without one request's details."""

    def __missing__(self, key: str) -> str:
        return "…"


def _label(info: Info, code: str) -> str:
    msgid = MESSAGES.get(code)
    if msgid is None:
        return code
    text = info.context.resources.messages.gettext(info.context.locale, msgid)
    try:
        return text.format_map(_Blank())
    except (IndexError, ValueError):
        return text


@strawberry.type
class UsageQuery:
    @permissions.field(
        "An app's usage per Beijing day, the last `days` (1 to 90) with today last (admins and the app's developers).",
        permission=permissions.HasRole(Role.ADMIN, Role.DEVELOPER),
    )
    async def app_usage(self, info: Info, client_id: str, days: int = 7) -> list[AppUsageDay]:
        if not 1 <= days <= usage.MAX_DAYS:
            raise DomainError(CommonErrorCode.INVALID_VALUE, field="days")
        session, redis = info.context.session, info.context.resources.redis
        await developers.require_client(session, client_id)
        if not await developers.may_read_usage(session, permissions.caller(info), client_id):
            raise DomainError(CommonErrorCode.FORBIDDEN)
        # Reading is when closed days are made safe from a Redis flush (besides the daily command), in a
        # session of its own: the request's stays a reader.
        async with info.context.resources.sessions() as own:
            await usage.persist_closed_days(own, redis)
        found = await usage.daily_usage(session, redis, client_id, days)
        return [
            AppUsageDay(
                day=day.day,
                requests=day.requests,
                cost=day.cost,
                throttled=day.throttled,
                errors=[AppUsageError(code=c, count=n, label=_label(info, c)) for c, n in day.errors.items()],
            )
            for day in found
        ]
