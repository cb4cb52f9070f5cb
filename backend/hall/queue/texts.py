"""What a person reads about queues: labels, the SMS, the "which hall now" sentences (English msgids)."""

from __future__ import annotations

from backend.hall.queue.models import Priority, TicketStatus

STATUS_LABELS: dict[TicketStatus, str] = {
    TicketStatus.ISSUED: "Waiting",
    TicketStatus.CALLED: "Called to the window",
    TicketStatus.SERVING: "Being served",
    TicketStatus.FINISHED: "Finished",
    TicketStatus.MISSED: "Missed",
    TicketStatus.CANCELLED: "Cancelled",
}
PRIORITY_LABELS: dict[Priority, str] = {
    Priority.NONE: "No priority",
    Priority.ELDERLY: "Elderly (70 or older)",
    Priority.DISABLED: "Disabled",
    Priority.PREGNANT: "Pregnant",
}
NEAR_SMS = "Your ticket {label} will be called soon: {ahead} ahead of you. Please wait near the windows."
RECOMMEND = "{hall}: about {minutes} minutes of waiting, the shortest among the halls near you."
RECOMMEND_NONE = "No hall near you that handles this matter has an open counter for it now."
NEARNESS_LABELS: dict[str, str] = {
    "same_district": "In your district",
    "city_hall": "The city hall",
    "other_district": "Another district",
}
OPEN = "Open now"
CLOSED = "Closed now"

# `onewindow hall today`'s table.
TODAY_COLUMNS = (
    "Queue",
    "Waiting",
    "Called",
    "Served",
    "Missed",
    "Average wait (min)",
    "Longest wait (min)",
    "Open counters",
)
TODAY_TITLE = "{hall} today: {no_shows} appointments not kept"

TEXTS: dict[str, str] = {
    **{f"today.{i}": v for i, v in enumerate(TODAY_COLUMNS)},
    "today_title": TODAY_TITLE,
    **{f"status.{k.value}": v for k, v in STATUS_LABELS.items()},
    **{f"priority.{k.value}": v for k, v in PRIORITY_LABELS.items()},
    "near_sms": NEAR_SMS,
    "recommend": RECOMMEND,
    "recommend_none": RECOMMEND_NONE,
    **{f"nearness.{k}": v for k, v in NEARNESS_LABELS.items()},
    "open": OPEN,
    "closed": CLOSED,
}
