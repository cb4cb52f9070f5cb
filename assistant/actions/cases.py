"""Answers from the citizen's own applications: where they are, why one was refused, what a supplement
request asks for, what is still to pay and where a refund is. Each answer names the application (its
title and reference) and its state in the citizen's language, as the backend gave them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from actions.answers import Say
from actions.matching import share_words

CLOSED = ("APPROVED", "COMPLETED", "REJECTED", "WITHDRAWN")


def name_of(node: dict[str, Any]) -> str:
    """An application's title: its bundle's or matter's name."""
    return str((node.get("bundle") or node.get("matter") or {}).get("name") or node["reference"])


def to_pay(node: dict[str, Any]) -> bool:
    """Whether something is still to pay for the application."""
    try:
        return Decimal(str(node.get("amountToPay") or "0")) > 0
    except InvalidOperation:
        return False


def about(nodes: list[dict[str, Any]], words: str) -> list[dict[str, Any]]:
    """The applications whose matter or bundle the words name."""
    return [n for n in nodes if share_words(words, name_of(n))]


def _line(say: Say, node: dict[str, Any]) -> str:
    line = say("application_line", name=name_of(node), reference=node["reference"], status=node["statusLabel"])
    if node.get("deadline") and node["status"] not in CLOSED:
        line += say("application_deadline", deadline=node["deadline"])
        if node.get("deadlineProvisional"):
            line += say("application_deadline_provisional")
        if node.get("overdue"):
            line += say("application_overdue")
    if to_pay(node):
        line += say("application_fee_due", amount=node["amountToPay"])
    return line


def _latest_step(node: dict[str, Any], status: str) -> dict[str, Any] | None:
    """The latest step into `status`, a bundle's items' included."""
    steps = [s for s in node.get("timeline") or [] if s.get("toStatus") == status]
    steps += [s for item in node.get("items") or [] for s in item.get("timeline") or [] if s.get("toStatus") == status]
    return max(steps, key=lambda s: str(s.get("at") or "")) if steps else None


def _has_item(node: dict[str, Any], status: str) -> bool:
    return any(item.get("status") == status for item in node.get("items") or [])


def progress(say: Say, nodes: list[dict[str, Any]], named: list[dict[str, Any]], more: bool) -> str:
    """The latest applications, the one asked about first."""
    lines = [say("applications_head")]
    lines += [_line(say, n) for n in named + [n for n in nodes if n not in named]]
    if more:
        lines.append(say("applications_more"))
    return "\n".join(lines)


def refusals(say: Say, nodes: list[dict[str, Any]]) -> str:
    """Why the citizen's refused applications were refused (the officer's reason from the timeline)."""
    refused = [n for n in nodes if n["status"] == "REJECTED" or _latest_step(n, "REJECTED")]
    if not refused:
        return "\n".join([say("case_none_refused"), *(_line(say, n) for n in nodes)])
    lines = []
    for node in refused:
        step = _latest_step(node, "REJECTED")
        values = {"name": name_of(node), "reference": node["reference"], "status": node["statusLabel"]}
        reason = (step or {}).get("reason")
        lines.append(
            say("case_refused", reason=reason, **values) if reason else say("case_refused_no_reason", **values)
        )
    return "\n".join(lines)


def supplements(say: Say, nodes: list[dict[str, Any]]) -> str:
    """What each supplement request asks the citizen to add."""
    waiting = [n for n in nodes if n["status"] == "SUPPLEMENT_REQUESTED" or _has_item(n, "SUPPLEMENT_REQUESTED")]
    if not waiting:
        return "\n".join([say("case_none_supplement"), *(_line(say, n) for n in nodes)])
    lines = []
    for node in waiting:
        step = _latest_step(node, "SUPPLEMENT_REQUESTED") or {}
        reason = step.get("reason") or node["statusLabel"]
        lines.append(say("case_supplement", name=name_of(node), reference=node["reference"], reason=reason))
        items = [str(label) for label in step.get("reasonFieldLabels") or []]
        lines.append(say("case_supplement_items", items="、".join(items)) if items else say("case_supplement_how"))
    return "\n".join(lines)


def refunds(say: Say, nodes: list[dict[str, Any]]) -> str:
    """The refunds of the citizen's applications and their state."""
    lines = [
        say(
            "case_refund",
            name=name_of(node),
            reference=node["reference"],
            amount=refund["amount"],
            status=refund["statusLabel"],
        )
        for node in nodes
        if (refund := node.get("refund"))
    ]
    if not lines:
        return "\n".join([say("case_none_refund"), *(_line(say, n) for n in nodes)])
    return "\n".join(lines)


def dues(say: Say, nodes: list[dict[str, Any]]) -> str:
    """What is still to pay, and how."""
    due = [n for n in nodes if to_pay(n)]
    if not due:
        return say("nothing_to_pay")
    lines = [say("to_pay_line", name=name_of(n), reference=n["reference"], amount=n["amountToPay"]) for n in due]
    return "\n".join([say("to_pay_head"), *lines])


ANSWERS = {"refusal": refusals, "supplement": supplements, "refund": refunds, "due": dues}
