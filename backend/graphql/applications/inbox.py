"""GraphQL types of the citizen's inbox: notices rendered in the reader's locale."""

from __future__ import annotations

from datetime import datetime

import strawberry

from backend.applications import models as am
from backend.applications.timeline import render_notice
from backend.graphql.context import Info
from backend.graphql.privacy import disclosed


@strawberry.type(description="An inbox notice.")
class Notification:
    id: strawberry.ID
    text: str = disclosed()
    application_id: strawberry.ID | None
    created_at: datetime
    read: bool

    @staticmethod
    def build(model: am.Notification, info: Info) -> Notification:
        """Rendered in the reader's locale."""
        ctx = info.context
        return Notification(
            id=strawberry.ID(model.id),
            text=render_notice(ctx.resources.messages, ctx.locale, model.params, model.kind),
            application_id=strawberry.ID(model.application_id) if model.application_id else None,
            created_at=model.created_at,
            read=model.read_at is not None,
        )


@strawberry.type
class NotificationPage:
    items: list[Notification]
    unread_count: int
