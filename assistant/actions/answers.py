"""Answers about a matter or a bundle from the catalog: what to bring, what it costs, how long, where,
and whether it can be done online. The facts come from the backend in the conversation's locale."""

from __future__ import annotations

from typing import Any, Protocol


class Say(Protocol):
    """A text of texts.py in the conversation's locale."""

    def __call__(self, key: str, **values: Any) -> str:
        """The text `key` with the values filled in."""


def dialled(phone: str) -> str:
    """A phone as a person in the city dials it: the API writes E.164 (+862086204729 -> 020-86204729,
    +8613800138000 -> 138 0013 8000); anything else as it came."""
    if not phone.startswith("+86"):
        return phone
    national = phone[3:]
    if national.startswith("1") and len(national) == 11 and not national.startswith("10"):
        return f"{national[:3]} {national[3:7]} {national[7:]}"
    area = 2 if national.startswith(("10", "2")) else 3  # Beijing's and the 2x cities' codes are two digits
    return f"0{national[:area]}-{national[area:]}"


def _materials(say: Say, kind: str, detail: dict[str, Any], matters: list[dict[str, Any]]) -> str:
    name = detail["name"]
    lines: list[str] = []
    seen: set[str] = set()
    for matter in matters:
        for material in matter["materials"]:
            if material["name"] in seen:
                continue
            seen.add(material["name"])
            extra = say("material_certificate") if material.get("certificate") else ""
            extra += "" if material["required"] else say("material_optional")
            lines.append(f"{len(lines) + 1}. {material['name']}{extra}")
    if not lines:
        return say("materials_none", name=name)
    note = [detail["sharedMaterialsNote"]] if kind == "bundle" and detail.get("sharedMaterialsNote") else []
    return "\n".join([say("materials_head", name=name), *lines, *note])


def _fee(say: Say, kind: str, detail: dict[str, Any], matters: list[dict[str, Any]]) -> str:
    # A life event's fees say which of its steps each is for: two steps may each charge a "registration fee".
    fees = [(matter["name"], fee) for matter in matters for fee in matter["fees"]]
    if not fees:
        return say("fee_free", name=detail["name"])
    lines = [
        say(
            "fee_line",
            name=say("fee_of_step", fee=fee["name"], step=step) if kind == "bundle" else fee["name"],
            amount=fee["amount"],
        )
        for step, fee in fees
    ]
    return "\n".join([say("fee_head", name=detail["name"]), *lines, say("fee_pay")])


def _duration(say: Say, kind: str, detail: dict[str, Any], matters: list[dict[str, Any]]) -> str:
    name = detail["name"]
    if kind == "bundle":
        longest = max((m["promisedDays"] for m in matters), default=0)
        lines = [say("duration_line", name=m["name"], promised=m["promisedDays"]) for m in matters]
        return "\n".join([say("duration_bundle", name=name, count=len(matters), promised=longest), *lines])
    if detail["promisedDays"] == 0:
        text = say("duration_now", name=name)
    else:
        text = say("duration_days", name=name, promised=detail["promisedDays"], legal=detail["legalDays"])
    return f"{text}\n{say('duration_instant')}" if detail["instantApproval"] else text


def _halls(say: Say, matters: list[dict[str, Any]]) -> list[str]:
    halls: dict[str, dict[str, Any]] = {}
    for matter in matters:
        for hall in matter["halls"]:
            halls.setdefault(hall["name"], hall)
    lines = []
    for hall in list(halls.values())[:3]:
        saturday = hall.get("openingHoursSaturday")
        lines.append(
            say(
                "hall_line",
                name=hall["name"],
                address=hall["address"],
                weekdays=hall["openingHoursWeekdays"],
                saturday=say("hall_saturday", hours=saturday) if saturday else say("hall_no_saturday"),
            )
        )
    department = matters[0]["department"]
    lines.append(say("department_phone", department=department["name"], phone=dialled(department["phone"])))
    return lines


def _location(say: Say, detail: dict[str, Any], matters: list[dict[str, Any]]) -> str:
    trips = max((m["maxTrips"] for m in matters), default=0)
    if trips == 0:
        return say("online_zero", name=detail["name"])
    return "\n".join([say("trips", name=detail["name"], trips=trips), *_halls(say, matters)])


def _online(say: Say, detail: dict[str, Any], matters: list[dict[str, Any]]) -> str:
    trips = max((m["maxTrips"] for m in matters), default=0)
    if trips == 0:
        return say("online_zero", name=detail["name"])
    if all("ONLINE" in [str(mode).upper() for mode in m.get("modes") or []] for m in matters):
        return say("online_partly", name=detail["name"], trips=trips)
    return "\n".join([say("online_no", name=detail["name"], trips=trips), *_halls(say, matters)])


def _steps(say: Say, kind: str, detail: dict[str, Any], matters: list[dict[str, Any]]) -> str:
    if kind != "bundle":
        return say("about", name=detail["name"])
    lines = [f"{n}. {m['name']}" for n, m in enumerate(matters, 1)]
    return "\n".join([say("steps_bundle", name=detail["name"], count=len(matters)), *lines, say("steps_one_form")])


def answer(say: Say, question: str, kind: str, detail: dict[str, Any]) -> str:
    """The answer to a question (materials, fee, duration, location, online, steps) about a matter or bundle."""
    matters = detail["matters"] if kind == "bundle" else [detail]
    if question == "materials":
        return _materials(say, kind, detail, matters)
    if question == "fee":
        return _fee(say, kind, detail, matters)
    if question == "duration":
        return _duration(say, kind, detail, matters)
    if question == "steps":
        return _steps(say, kind, detail, matters)
    if question == "online":
        return _online(say, detail, matters)
    return _location(say, detail, matters)
