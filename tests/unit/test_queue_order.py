"""The queue order: an appointment due goes first, then priority (an elderly walk-in), then arrival."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from backend.hall.queue.models import WEIGHTS, Channel, Priority, Ticket, TicketStatus
from backend.hall.queue.ordering import key
from backend.hall.queue.tickets import age_on, priority_for

NOW = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


def _ticket(label: str, minutes_ago: int, *, priority: Priority = Priority.NONE, due_in: int | None = None) -> Ticket:
    return Ticket(
        id=label,
        hall_code="HALL-GZ",
        category_code="GZ-GA",
        day=date(2026, 12, 8),
        number=int(label[1:]),
        label=label,
        matter_code="GZ-GA-0019",
        channel=Channel.APPOINTMENT if due_in is not None else Channel.HALL,
        citizen_id=None,
        appointment_id=None,
        due_at=NOW + timedelta(minutes=due_in) if due_in is not None else None,
        priority=priority,
        priority_weight=WEIGHTS[priority],
        status=TicketStatus.ISSUED,
        calls=0,
        counter_id=None,
        target_counter_id=None,
        officer_id=None,
        locale="zh-Hans",
        issued_at=NOW - timedelta(minutes=minutes_ago),
        called_at=None,
        serving_at=None,
        ended_at=None,
        notified_at=None,
    )


def test_an_appointment_due_then_the_elderly_then_arrival() -> None:
    early = _ticket("A001", 40)
    elderly = _ticket("A002", 10, priority=Priority.ELDERLY)
    due = _ticket("A003", 5, due_in=-1)  # its 09:59 slot has begun
    not_yet = _ticket("A004", 30, due_in=30)  # checked in early: waits as a walk-in until its time
    later = _ticket("A005", 2)
    queue = sorted([early, elderly, due, not_yet, later], key=lambda x: key(x, NOW))
    assert [x.label for x in queue] == ["A003", "A002", "A001", "A004", "A005"]
    # half an hour later the early appointment is due too, and goes before everyone but the first
    later_now = NOW + timedelta(minutes=31)
    queue = sorted([early, elderly, due, not_yet, later], key=lambda x: key(x, later_now))
    assert [x.label for x in queue] == ["A003", "A004", "A002", "A001", "A005"]


def test_elderly_is_derived_from_the_id_numbers_birth_date() -> None:
    day = date(2026, 12, 8)
    assert age_on("440103195612080011", day) == 70  # 70 today
    assert age_on("440103195612090011", day) == 69  # 70 tomorrow
    assert priority_for(Priority.NONE, "440103195612080011", day) is Priority.ELDERLY
    assert priority_for(Priority.NONE, "440103195612090011", day) is Priority.NONE
    assert priority_for(Priority.PREGNANT, "440103199001010021", day) is Priority.PREGNANT
    assert priority_for(Priority.NONE, None, day) is Priority.NONE
