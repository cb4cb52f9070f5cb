"""What an app's developers (and admins) read of its webhooks."""

from __future__ import annotations

import strawberry

from backend.graphql import permissions
from backend.graphql.context import Info
from backend.graphql.pagination import PageInfo, check_page_size, time_cursor, time_position
from backend.graphql.webhooks.access import act_for_app, subscription_for
from backend.graphql.webhooks.types import (
    WebhookDelivery,
    WebhookDeliveryConnection,
    WebhookDeliveryEdge,
    WebhookDeliveryStatus,
    WebhookEvent,
    WebhookEventConnection,
    WebhookEventEdge,
    WebhookEventType,
    WebhookSubscription,
)
from backend.identity.models import Role
from backend.outbox.events import SCOPE_OF, EventType
from backend.webhooks import labels, log, subscriptions

MAX_PAGE = 100
DEVELOPERS = permissions.HasRole(Role.ADMIN, Role.DEVELOPER)


def _page_info(cursors: list[str], more: bool, after: str | None) -> PageInfo:
    return PageInfo(
        has_next_page=more,
        has_previous_page=after is not None,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )


@strawberry.type
class WebhookQuery:
    @permissions.field(
        "An app's webhook subscriptions, oldest first (admins and the app's developers); never their secrets.",
        permission=DEVELOPERS,
    )
    async def webhook_subscriptions(self, info: Info, client_id: str) -> list[WebhookSubscription]:
        await act_for_app(info, client_id)
        found = await subscriptions.of_client(info.context.session, client_id)
        return [WebhookSubscription.build(x, info) for x in found]

    @permissions.field(
        "A subscription's deliveries, newest first, with their latest attempts (admins and the app's developers).",
        permission=DEVELOPERS,
    )
    async def webhook_deliveries(
        self,
        info: Info,
        subscription_id: strawberry.ID,
        first: int,
        after: str | None = None,
        status: WebhookDeliveryStatus | None = None,
    ) -> WebhookDeliveryConnection:
        size = check_page_size(first, MAX_PAGE)
        start = time_position(after)
        await subscription_for(info, str(subscription_id))
        found, more = await log.deliveries(
            info.context.session, str(subscription_id), first=size, after=start, status=status.value if status else None
        )
        edges = [
            WebhookDeliveryEdge(cursor=time_cursor(x.created_at, x.id), node=WebhookDelivery.build(x, info))
            for x in found
        ]
        return WebhookDeliveryConnection(edges=edges, page_info=_page_info([e.cursor for e in edges], more, after))

    @permissions.field(
        "The events sent to an app's endpoints in the last 30 days, newest first, each once with the body sent "
        "(admins and the app's developers).",
        permission=DEVELOPERS,
    )
    async def webhook_events(
        self, info: Info, client_id: str, first: int, after: str | None = None
    ) -> WebhookEventConnection:
        size = check_page_size(first, MAX_PAGE)
        start = time_position(after)
        await act_for_app(info, client_id)
        found, more = await log.sent_events(info.context.session, client_id, first=size, after=start)
        edges = [WebhookEventEdge(cursor=time_cursor(x.sent_at, x.id), node=WebhookEvent.build(x)) for x in found]
        return WebhookEventConnection(edges=edges, page_info=_page_info([e.cursor for e in edges], more, after))

    @strawberry.field(description="Every event type an app may subscribe to, what it tells and the scope it needs.")
    def webhook_event_types(self, info: Info) -> list[WebhookEventType]:
        return [
            WebhookEventType(
                type=kind.value,
                description=info.context.gettext(labels.EVENT_DESCRIPTIONS[kind]),
                scope=SCOPE_OF[kind],
            )
            for kind in EventType
        ]
