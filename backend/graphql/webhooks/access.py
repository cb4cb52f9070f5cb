"""Who may manage an app's webhooks: an admin, or a developer linked to the app (the same rule as
reading its usage, backend.platform.developers)."""

from __future__ import annotations

from datetime import datetime

from backend.errors import CommonErrorCode, DomainError
from backend.graphql.context import Info
from backend.graphql.pagination import decode_cursor, encode_cursor
from backend.graphql.permissions import caller
from backend.platform import developers
from backend.webhooks import manage
from backend.webhooks.log import Position
from backend.webhooks.subscriptions import Subscription


async def act_for_app(info: Info, client_id: str) -> None:
    """NOT_FOUND for an unknown app; FORBIDDEN unless the caller is an admin or the app's developer."""
    session = info.context.session
    await developers.require_client(session, client_id)
    if not await developers.may_act_for(session, caller(info), client_id):
        raise DomainError(CommonErrorCode.FORBIDDEN)


async def subscription_for(info: Info, subscription_id: str) -> Subscription:
    """The subscription, once the caller may act for its app."""
    found = await manage.require(info.context.session, subscription_id)
    await act_for_app(info, found.client_id)
    return found


def cursor(at: datetime, key: str) -> str:
    """A newest-first page's cursor after the item at `at` with id `key`."""
    return encode_cursor(f"{at.isoformat()}|{key}")


def position(after: str | None) -> Position | None:
    """Where the page after `after` starts; INVALID_CURSOR for a cursor that is not one of these."""
    key = decode_cursor(after)
    if key is None:
        return None
    at, _, last = key.partition("|")
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        raise DomainError(CommonErrorCode.INVALID_CURSOR, field="after") from None
    if moment.tzinfo is None or not last:
        raise DomainError(CommonErrorCode.INVALID_CURSOR, field="after")
    return moment, last
