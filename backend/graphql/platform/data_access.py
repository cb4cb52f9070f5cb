"""`myDataAccess`: per app and Beijing day, which of the citizen's data the app read through the API and
which events about the citizen it was sent, in the citizen's language."""

from __future__ import annotations

import datetime

import strawberry

from backend.errors import CommonErrorCode, DomainError
from backend.graphql import permissions
from backend.graphql.context import Info
from backend.graphql.pagination import check_page_size, decode_cursor, encode_cursor
from backend.identity.scopes import SCOPE_DESCRIPTIONS
from backend.platform import citizen_access
from backend.platform.event_labels import event_label_msgid


@strawberry.type(description="An app that used the citizen's data.")
class DataAccessApp:
    client_id: str
    name: str


@strawberry.type(description="Data of one permission (scope) the app read that day.")
class DataRead:
    scope: str = strawberry.field(description="The OAuth scope, e.g. profile (for programs; show `label`).")
    label: str = strawberry.field(description="What that data is, in the reader's language (as on the consent page).")
    count: int = strawberry.field(description="Requests (or live updates) that read it that day.")


@strawberry.type(description="Events about the citizen the app was sent that day (its webhooks).")
class DataEvent:
    type: str = strawberry.field(description="The event type, e.g. application.status_changed (show `label`).")
    label: str = strawberry.field(description="What the event told, in the reader's language.")
    count: int


@strawberry.type(description="What one app did with the citizen's data on one Beijing (Asia/Shanghai) day.")
class DataAccessDay:
    day: datetime.date
    app: DataAccessApp
    reads: list[DataRead]
    events: list[DataEvent]


@strawberry.type
class DataAccessEdge:
    cursor: str
    node: DataAccessDay


@strawberry.type
class DataAccessConnection:
    edges: list[DataAccessEdge]
    has_next_page: bool
    end_cursor: str | None


def _after(cursor: str | None) -> tuple[datetime.date, str] | None:
    key = decode_cursor(cursor)
    if key is None:
        return None
    day, _, client = key.partition("|")
    try:
        return datetime.date.fromisoformat(day), client
    except ValueError:
        raise DomainError(CommonErrorCode.INVALID_CURSOR, field="after") from None


def _node(found: citizen_access.AppDay, info: Info) -> DataAccessDay:
    gettext = info.context.gettext
    return DataAccessDay(
        day=found.day,
        app=DataAccessApp(client_id=found.client_id, name=found.client_name),
        reads=[
            DataRead(scope=scope, label=gettext(SCOPE_DESCRIPTIONS.get(scope, scope)), count=count)
            for scope, count in found.reads.items()
        ],
        events=[
            DataEvent(type=kind, label=gettext(event_label_msgid(kind)), count=count)
            for kind, count in found.events.items()
        ],
    )


@strawberry.type
class DataAccessQuery:
    @permissions.field(
        "Which apps used your data, per app and Beijing day over the last `days` (1 to 366), newest day first: "
        "the permissions whose data each read through the API and the events about you it was sent. "
        "The platform's own app is not listed (the platform's own app only).",
        permission=permissions.IsCitizen(first_party=True),
    )
    async def my_data_access(
        self, info: Info, first: int, after: str | None = None, days: int = 30
    ) -> DataAccessConnection:
        if not 1 <= days <= citizen_access.MAX_DAYS:
            raise DomainError(CommonErrorCode.INVALID_VALUE, field="days")
        size = check_page_size(first, info.context.settings.max_page_size)
        found, more = await citizen_access.access_days(
            info.context.session, permissions.caller(info).subject_id, days=days, first=size, after=_after(after)
        )
        edges = [
            DataAccessEdge(cursor=encode_cursor(f"{x.day.isoformat()}|{x.client_id}"), node=_node(x, info))
            for x in found
        ]
        return DataAccessConnection(edges=edges, has_next_page=more, end_cursor=edges[-1].cursor if edges else None)
