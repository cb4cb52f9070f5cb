"""GraphQL types of the citizen's inbox: notices rendered in the reader's locale."""

from __future__ import annotations

from datetime import datetime

import strawberry

from backend.applications import models as am
from backend.applications import reminders
from backend.applications.timeline import render_notice
from backend.graphql.context import Info
from backend.graphql.hall.ratings import notices as rating_notices
from backend.graphql.privacy import disclosed
from backend.hall.appointments import notices as appointment_notices
from backend.hall.appointments import visit_texts
from backend.i18n import pick


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
        if model.kind == reminders.KIND:
            kind = ctx.snapshot.certificate_types.get(model.params["type_code"])
            name = pick(kind.name, ctx.locale) if kind else model.params["type_code"]
            text = reminders.render_expiring(ctx.resources.messages, ctx.locale, model.params, name)
        elif model.kind in appointment_notices.KINDS:
            text = appointment_notices.render(ctx.resources.messages, ctx.locale, model.kind, model.params)
        elif model.kind == visit_texts.NOTICE_KIND:
            text = visit_texts.render_notice(ctx.resources.messages, ctx.locale, model.params)
        elif model.kind in rating_notices.KINDS:
            text = rating_notices.render(info, model.kind, model.params)
        else:
            text = render_notice(ctx.resources.messages, ctx.locale, model.params, model.kind)
        return Notification(
            id=strawberry.ID(model.id),
            text=text,
            application_id=strawberry.ID(model.application_id) if model.application_id else None,
            created_at=model.created_at,
            read=model.read_at is not None,
        )


@strawberry.type
class NotificationPage:
    items: list[Notification]
    unread_count: int
