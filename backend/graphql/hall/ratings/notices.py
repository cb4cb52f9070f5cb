"""好差评's inbox notices, said in the reader's language (the inbox renders them through here)."""

from __future__ import annotations

from typing import Any

from backend.graphql.context import Info
from backend.graphql.hall.ratings.types import matter_name, say
from backend.hall.ratings import levels as lv
from backend.hall.ratings import notices
from backend.hall.ratings.opening import RatedKind

KINDS = notices.KINDS


def render(info: Info, kind: str, params: dict[str, Any]) -> str:
    """The notice's text: the matter's name and the kind's label in the reader's language."""
    said = {k: v for k, v in params.items() if isinstance(v, str)}
    said["matter"] = matter_name(info, str(params.get("matter_code", "")))
    if "rated_kind" in params:
        said["kind"] = say(info, lv.KIND_LABELS[RatedKind(params["rated_kind"])])
    return info.context.resources.messages.gettext(info.context.locale, notices.msgid(kind, params), **said)
