"""GraphQL types of an instant-approval (秒批) decision or dry run, explained condition by condition,
the values it quotes passed through the personal-data rule."""

from __future__ import annotations

from typing import Any

import msgspec
import strawberry

from backend.graphql.context import Info
from backend.graphql.privacy import disclosed
from backend.privacy import Disclosure, path_kind
from backend.rules.explain import Condition, catalog_labels, describe


@strawberry.type(description="One condition of an instant-approval rule, and whether it held.")
class RuleCondition:
    text: str = disclosed()
    held: bool
    path: str | None


@strawberry.type(description="An instant-approval (秒批) decision or dry run, explained condition by condition.")
class Eligibility:
    eligible: bool
    conditions: list[RuleCondition]
    policy: str = strawberry.field(description="The matter's own explanation of the rule.")


def _as_disclosed(condition: Condition, disclosure: Disclosure) -> Condition:
    """The condition with the data values it read passed through the personal-data rule."""
    return msgspec.structs.replace(
        condition,
        actual=disclosure.show(condition.actual, path_kind(condition.path)),
        # compared with another value of the data: that one is data too (a literal of the rule is not)
        expected=disclosure.show(condition.expected, path_kind(condition.against))
        if condition.against
        else condition.expected,
        children=[_as_disclosed(c, disclosure) for c in condition.children],
    )


def build_conditions(info: Info, matter_code: str, conditions: list[Condition], form: list[Any]) -> list[RuleCondition]:
    """Render conditions in the caller's locale with the matter's field and certificate labels.

    The values a condition quotes are the citizen's data: they pass the personal-data rule before
    they are written into the sentence.
    """
    ctx = info.context
    labels = catalog_labels({"form": form}, ctx.snapshot.certificate_type_maps)
    messages = ctx.resources.messages
    shown = [_as_disclosed(c, ctx.disclosure) for c in conditions]
    return [
        RuleCondition(
            text=describe(c, ctx.locale, labels, messages, option_labels=labels.option), held=c.held, path=c.path
        )
        for c in shown
    ]
