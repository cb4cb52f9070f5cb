"""Who may manage an app's webhooks: an admin, or a developer linked to the app (the same rule as
reading its usage, backend.platform.developers)."""

from __future__ import annotations

from backend.errors import CommonErrorCode, DomainError
from backend.graphql.context import Info
from backend.graphql.permissions import caller
from backend.platform import developers
from backend.webhooks import manage
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
