"""Application states and the transitions officers, citizens and the system may make."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where an application stands."""

    SUBMITTED = "submitted"  # 已提交: waiting for the department
    ACCEPTED = "accepted"  # 已受理
    SUPPLEMENT_REQUESTED = "supplement_requested"  # 待补正: the citizen must add or correct something
    APPROVED = "approved"  # 已批准 (final unless the matter issues a certificate)
    COMPLETED = "completed"  # 已办结: the output certificates were issued
    REJECTED = "rejected"  # 不予批准
    IN_PROGRESS = "in_progress"  # a bundle whose items are not all final
    WITHDRAWN = "withdrawn"  # 已撤回: its fees were not paid in time (the order expired)


class Action(StrEnum):
    """What happened to an application (the timeline's verbs)."""

    SUBMIT = "submit"
    AUTO_APPROVE = "auto_approve"
    AUTO_REFER = "auto_refer"  # the instant-approval rule did not hold: an officer decides
    ACCEPT = "accept"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLEMENT = "supplement"
    APPROVE = "approve"
    REJECT = "reject"
    ISSUE = "issue"
    BUNDLE_PROGRESS = "bundle_progress"  # a life-event bundle's overall status followed its items
    WITHDRAW = "withdraw"  # the system withdrew it: its fees were not paid in time
    PAID_COMPLETE = "paid_complete"  # approved with nothing to issue, it waited for its fees: paid, done


FINAL = frozenset({Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN})

# action -> (statuses it may start from, the status it leads to)
TRANSITIONS: dict[Action, tuple[frozenset[Status], Status]] = {
    Action.ACCEPT: (frozenset({Status.SUBMITTED}), Status.ACCEPTED),
    Action.REQUEST_SUPPLEMENT: (frozenset({Status.SUBMITTED, Status.ACCEPTED}), Status.SUPPLEMENT_REQUESTED),
    Action.SUPPLEMENT: (frozenset({Status.SUPPLEMENT_REQUESTED}), Status.SUBMITTED),
    Action.APPROVE: (frozenset({Status.ACCEPTED}), Status.APPROVED),
    Action.REJECT: (frozenset({Status.SUBMITTED, Status.ACCEPTED}), Status.REJECTED),
    Action.ISSUE: (frozenset({Status.APPROVED}), Status.COMPLETED),
}
OFFICER_ACTIONS = frozenset({Action.ACCEPT, Action.REQUEST_SUPPLEMENT, Action.APPROVE, Action.REJECT, Action.ISSUE})
NEEDS_REASON = frozenset({Action.REQUEST_SUPPLEMENT, Action.REJECT})
# The state changes a citizen hears about by SMS as well as in the inbox.
SMS_WORTHY = frozenset({Status.SUPPLEMENT_REQUESTED, Status.APPROVED, Status.COMPLETED, Status.REJECTED})


def is_final(status: str, *, has_outputs: bool) -> bool:
    """Whether nothing more will happen (an approval without certificates to issue is final)."""
    return status in FINAL or (status == Status.APPROVED and not has_outputs)


def bundle_status(item_statuses: list[str], outputs: list[bool]) -> Status:
    """A bundle's status from its items': done when all are, otherwise waiting on the citizen or in progress."""
    if all(is_final(s, has_outputs=o) for s, o in zip(item_statuses, outputs, strict=True)):
        # Done; "not approved" only when nothing was (the items show which step was refused), withdrawn
        # when nothing was decided (its fees were not paid in time).
        if all(s == Status.WITHDRAWN for s in item_statuses):
            return Status.WITHDRAWN
        return Status.REJECTED if all(s == Status.REJECTED for s in item_statuses) else Status.COMPLETED
    if Status.SUPPLEMENT_REQUESTED in item_statuses:
        return Status.SUPPLEMENT_REQUESTED
    return Status.IN_PROGRESS
