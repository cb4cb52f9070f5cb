"""An appointment's calendar file (.ics), opened from a signed link: a phone's calendar app sends no token."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Response

from backend import clock
from backend.errors import CommonErrorCode
from backend.hall.appointments import ics, visit_reads
from backend.hall.appointments.visit_texts import locale_of
from backend.rest.common import error_response, resources_of


@get("/hall/appointments/{appointment_id:str}/calendar.ics", include_in_schema=False)
async def appointment_calendar(request: Request[Any, Any, Any], appointment_id: FromPath[str]) -> Response[bytes]:
    """The appointment's .ics for whoever holds a link the API handed its citizen, until it expires."""
    resources = resources_of(request)
    query, now = request.query_params, clock.now()
    secret = resources.identity.master_secret
    if not ics.link_valid(secret, appointment_id, query.get("expires", ""), query.get("signature", ""), now):
        return error_response(request, CommonErrorCode.FORBIDDEN, 403)
    locale = locale_of(query.get("lang", ""))
    snapshot = await resources.catalog.get()
    async with resources.sessions() as session:
        found = await visit_reads.get(session, appointment_id)
        entry = await ics.entry_for(session, snapshot, found, locale) if found else None
    if entry is None:
        return error_response(request, CommonErrorCode.NOT_FOUND, 404, what=appointment_id)
    body = ics.ics(entry, resources.messages, locale, now)
    headers = {"content-disposition": f'inline; filename="appointment-{entry.appointment.reference}.ics"'}
    return Response(body, media_type="text/calendar", headers=headers | {"cache-control": "no-store"})


ROUTES = [appointment_calendar]
