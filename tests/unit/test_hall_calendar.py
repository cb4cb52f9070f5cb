"""The appointment's .ics parses back with icalendar: its times, place, alarm, UID and sequence, a
cancellation; the calendar link's signature and expiry; the QR pass's code and window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar

from backend.catalog import models as m
from backend.hall.appointments import ics, passes
from backend.hall.appointments.models import Appointment, AppointmentStatus
from backend.i18n import Locale, catalogs
from backend.settings import PROJECT_ROOT

MESSAGES = catalogs(str(PROJECT_ROOT / "locales"))
STARTS = datetime(2026, 12, 15, 1, 0, tzinfo=UTC)  # 09:00 Beijing
HALL = m.Hall(
    code="HALL-GZ",
    region_code="440100",
    name={
        "zh-Hans": "广州市政务服务中心",
        "zh-Hant": "廣州市政務服務中心",
        "en": "Guangzhou Government Service Centre",
    },
    address={"zh-Hans": "广州市天河区华利路61号", "zh-Hant": "廣州市天河區華利路61號", "en": "61 Huali Road, Tianhe"},
    hours={"mon-fri": "09:00-17:00", "sat": None},
    windows=180,
    all_matters=False,
)
SECRET = b"unit-test-secret"


def _appointment(status: AppointmentStatus = AppointmentStatus.CONFIRMED, nonce: str = "n1") -> Appointment:
    return Appointment(
        id="a1b2c3d4-0000-4000-8000-000000000001",
        reference="HA20261215001",
        citizen_id="c1",
        slot_id=1,
        hall_code="HALL-GZ",
        category_code="GZ-MZJ",
        matter_code="GZ-MZJ-0004",
        application_id=None,
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=1),
        status=status,
        held_until=None,
        confirmed_at=STARTS - timedelta(days=2),
        cancelled_at=None,
        checked_in_at=None,
        outcome_at=None,
        rescheduled_from=None,
        check_in_nonce=nonce,
        locale="en",
        created_at=STARTS - timedelta(days=2),
    )


def _event(body: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    parsed = icalendar.Calendar.from_ical(body)
    events = [c for c in parsed.walk() if c.name == "VEVENT"]
    assert len(events) == 1
    return parsed, events[0]


def test_the_file_has_the_slot_the_hall_the_materials_and_an_alarm_an_hour_before() -> None:
    entry = ics.Entry(
        appointment=_appointment(), uid="root-id", sequence=2, matter="Marriage", hall=HALL, materials=["Photo"]
    )
    parsed, event = _event(ics.ics(entry, MESSAGES, Locale.EN, STARTS - timedelta(days=1)))
    assert str(parsed["METHOD"]) == "PUBLISH"
    assert event.decoded("DTSTART") == STARTS and event.decoded("DTEND") == STARTS + timedelta(hours=1)
    assert str(event["UID"]) == "root-id@onewindow" and int(event["SEQUENCE"]) == 2
    assert str(event["LOCATION"]) == "Guangzhou Government Service Centre, 61 Huali Road, Tianhe"
    assert str(event["SUMMARY"]) == "Marriage (Guangzhou Government Service Centre)"
    description = str(event["DESCRIPTION"])
    assert "HA20261215001" in description and "Bring:\n- Photo" in description
    assert str(event["STATUS"]) == "CONFIRMED"
    alarms = [c for c in event.walk() if c.name == "VALARM"]
    assert len(alarms) == 1 and alarms[0].decoded("TRIGGER") == -timedelta(hours=1)


def test_the_file_is_in_the_readers_language() -> None:
    entry = ics.Entry(appointment=_appointment(), uid="r", sequence=0, matter="婚姻登记", hall=HALL, materials=[])
    _, event = _event(ics.ics(entry, MESSAGES, Locale.ZH_HANS, STARTS))
    assert str(event["LOCATION"]) == "广州市政务服务中心, 广州市天河区华利路61号"
    assert "无需携带材料" in str(event["DESCRIPTION"])


def test_a_cancelled_appointment_cancels_the_event() -> None:
    entry = ics.Entry(
        appointment=_appointment(AppointmentStatus.CANCELLED), uid="r", sequence=1, matter="M", hall=HALL, materials=[]
    )
    parsed, event = _event(ics.ics(entry, MESSAGES, Locale.EN, STARTS))
    assert str(parsed["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert not [c for c in event.walk() if c.name == "VALARM"]


def test_a_calendar_link_is_refused_changed_or_after_it_expires() -> None:
    now = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
    url = ics.signed_url("https://api.example", SECRET, "a1", now, Locale.EN)
    query = dict(part.split("=") for part in url.split("?")[1].split("&"))
    assert url.startswith("https://api.example/hall/appointments/a1/calendar.ics?") and query["lang"] == "en"
    assert ics.link_valid(SECRET, "a1", query["expires"], query["signature"], now)
    later = now + timedelta(seconds=ics.LINK_SECONDS + 1)
    assert not ics.link_valid(SECRET, "a1", query["expires"], query["signature"], later)
    assert not ics.link_valid(SECRET, "a2", query["expires"], query["signature"], now)
    assert not ics.link_valid(SECRET, "a1", str(int(query["expires"]) + 1), query["signature"], now)
    assert not ics.link_valid(b"another", "a1", query["expires"], query["signature"], now)


def test_a_pass_is_signed_over_the_nonce_and_opens_an_hour_before() -> None:
    found = passes.pass_of(SECRET, _appointment(), STARTS - timedelta(hours=2))
    assert found is not None
    assert found.valid_from == STARTS - timedelta(hours=1) and found.valid_until == STARTS + timedelta(hours=1)
    assert found.qr_svg.startswith("<svg") and passes.appointment_id_of(found.code) == _appointment().id
    assert passes.signed_for(SECRET, found.code, _appointment())
    assert not passes.signed_for(SECRET, found.code, _appointment(nonce="n2"))  # rescheduled: a new nonce
    assert passes.pass_of(SECRET, _appointment(AppointmentStatus.CANCELLED), STARTS) is None
    assert passes.pass_of(SECRET, _appointment(), STARTS + timedelta(hours=1)) is None  # the slot is over
