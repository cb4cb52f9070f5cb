"""What a GraphQL document costs: priced on the parsed, validated document before it runs
(requested), and on its result (actual).

The model (Shopify's, with GitHub's required `first`): a field returning an object costs 1 + what is
selected in it; a list costs (its size) x (1 + one item's selection); scalars and enums cost 0 (a list
of them too); a mutation adds MUTATION_COST. A list's size is its `first` argument (another one for
a few: SIZE_ARGUMENTS), or, for a page's items, the `first` of the field returning the page, else the
maximum declared in LIST_SIZES. The
actual cost counts the same way with the lists' real lengths; the caller is refunded the difference.
Introspection is priced too (the schema is public, but answering it is not free: 30 aliased
`__schema` were 3 MB for nothing): `__schema` and `__type` cost a flat INTROSPECTION_COSTS whatever
they select; `__typename` is free.

Pricing walks the document once per (text, operation) and keeps the result (a Plan); pricing a new
request of a known document is then a walk of a few tuples.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
)

MAX_QUERY_COST = 1_000
"""The default per-query cap (ONEWINDOW_COST_MAX_QUERY)."""
MUTATION_COST = 10
"""What a mutation adds: it writes, locks rows and publishes updates, beyond what it returns."""
UNDECLARED_LIST_SIZE = 100
INTROSPECTION_COSTS = {"__schema": 100, "__type": 10}
"""Flat prices of introspection: a whole schema (about 100 KB of JSON) as much as 100 objects, one type
as 10. A client tool's one standard introspection runs on any budget; thirty aliased ones do not."""
"""A list field nobody declared below is assumed as long as the largest page (`first` <= 100)."""

# The longest each list without `first` can be, as (type, field): what a query is priced with. Each
# is a bound of the data (the demo catalog's largest is in brackets), not a page size: these lists
# are parts of one object and are never paged.
LIST_SIZES: dict[tuple[str, str], int] = {
    # The catalog: a city's whole catalog, read by every visitor.
    ("Query", "bundles"): 20,  # life-event bundles (10): a city publishes a dozen or two
    ("Query", "departments"): 60,  # a city's departments (41), districts' included
    ("Query", "halls"): 20,  # service halls (12): one per district and a few more
    ("Query", "certificateTypes"): 40,  # kinds of certificate the library issues (32)
    ("Bundle", "matters"): 10,  # the steps of one life event (8)
    ("Matter", "fees"): 5,  # a matter's fee lines (3)
    ("Matter", "outputs"): 3,  # certificates one matter issues (1)
    ("Matter", "materials"): 10,  # documents one matter asks for (7)
    ("Matter", "formFields"): 20,  # one matter's form (12 fields)
    ("Matter", "halls"): 15,  # halls serving one matter (every one of the 12, for some)
    ("FormField", "options"): 10,  # a select's choices (9): districts, kinds, relations
    ("CertificateType", "fields"): 12,  # what one certificate records (10)
    ("CertificateField", "choices"): 10,  # a select's choices (9)
    ("Eligibility", "conditions"): 10,  # one matter's rule conditions
    # One application and its form: bounded by its matter (or its bundle's few matters).
    ("Application", "timeline"): 15,  # submit, accept, a few supplement rounds, pay, decide, issue
    ("Application", "materials"): 10,  # the matter's materials
    ("Application", "supplementChanges"): 10,  # fields and materials one supplement round changed
    ("Application", "certificateFieldsToEnter"): 12,  # one certificate's fields
    ("Application", "items"): 10,  # a bundle's steps
    ("Application", "dataUses"): 10,  # one line per registry lookup or certificate read
    ("Application", "issuedCertificates"): 3,  # the matter's outputs
    ("ApplicationForm", "fields"): 30,  # a bundle's merged form (a matter's 12, shared fields asked once)
    ("ApplicationForm", "filledLater"): 10,  # the officer's part of those
    ("ApplicationForm", "materials"): 20,  # a bundle's merged materials
    ("ApplicationFormField", "options"): 10,  # a select's choices (9)
    ("Certificate", "fields"): 12,  # a certificate type's fields
    # Payments: one order and one day's bill.
    ("Order", "lines"): 5,  # an application's fees (3 at most)
    ("Order", "receipts"): 5,  # one receipt per payment, refunds' red receipts
    # Closing a day (finance): per department, its day's four totals and what explains their differences.
    ("Query", "departmentDayTotals"): 60,  # one line per department (41)
    ("DepartmentDayTotals", "differences"): 3,  # bill-books, books-receipts, books-clearing
    ("TotalsDifference", "explanations"): 3,  # open breaks, resolved breaks, timing
    ("Query", "clearingInstructions"): 300,  # a day's departments x their fee items
    ("IssueClearingPayload", "instructions"): 300,
    # At the hall: one citizen's tickets of a day, a matter's halls, a hall's queues (one per department).
    ("Query", "myTickets"): 10,
    ("Query", "myCounters"): 5,
    ("WhichHallNow", "halls"): 15,
    ("HallToday", "queues"): 40,
    ("Query", "staffingHint"): 40,
    # One person's, small by nature.
    ("Query", "mySessions"): 20,  # signed-in devices
    ("Query", "myConsents"): 30,  # apps a citizen allowed
    ("Consent", "scopes"): 10,  # the scopes the platform defines
    ("StaffMember", "roles"): 10,  # a staff member's role grants
    # Staff screens.
    ("Query", "oauthClients"): 100,  # registered apps: admins only
    ("Query", "cityStats"): 60,  # one line per department
    # An app's usage: one line per error code that day (a handful; the errors an app meets).
    ("AppUsageDay", "errors"): 10,
    # An app's webhooks: its subscriptions (at most 10), the event types, a delivery's latest attempts.
    ("Query", "webhookSubscriptions"): 10,
    ("Query", "webhookEventTypes"): 20,  # the platform's event types (11)
    ("WebhookDelivery", "attempts"): 10,  # the latest 10: as many as the retry schedule makes
    # What one app did with a citizen's data on one day: at most every scope, every event type.
    ("DataAccessDay", "reads"): 8,  # the scopes the platform defines
    ("DataAccessDay", "events"): 11,  # the event types apps subscribe to
    # Appointments: a day's slots of one category (15-minute slots over 12 hours at most), a matter's materials.
    ("Query", "appointmentSlots"): 48,
    ("Appointment", "materialsToBring"): 10,
    # A visit to a hall: the halls serving one matter, the materials it asks for that certificates do not give.
    ("VisitNeeded", "halls"): 15,
    ("VisitNeeded", "materialsToBring"): 10,
    # 好差评: the national levels and a channel's criteria (online 4, in the hall 3, plus the overall).
    ("Query", "ratingCriteria"): 5,
    ("MyRating", "criteria"): 5,
    ("RectificationCase", "criteria"): 5,
    ("RatingFigures", "perLevel"): 5,
    # The assistant's one reply.
    ("AssistantReply", "messages"): 5,
    ("AssistantReply", "suggestions"): 10,
    ("AssistantMessage", "buttons"): 5,
}
# Lists whose size is another argument than `first`: (type, field) -> that argument.
SIZE_ARGUMENTS: dict[tuple[str, str], str] = {
    ("Query", "appUsage"): "days",  # one line per day, 1 to 90 (7 by default)
}
PAYLOAD_ERRORS_SIZE = 30
"""A mutation payload's `errors`: the refusal and one detail per form field (a bundle's merged form: 30)."""

# A page's item list: as long as the `first` of the field that returned the page.
PAGE_ITEMS = frozenset(
    {
        ("MatterConnection", "edges"),
        ("ApplicationConnection", "edges"),
        ("NotificationPage", "items"),
        ("QueuePage", "items"),
        ("CertificatePage", "items"),
        ("OrderPage", "items"),
        ("WebhookDeliveryConnection", "edges"),
        ("WebhookEventConnection", "edges"),
        ("DataAccessConnection", "edges"),
        ("FinanceAuditPage", "items"),
        ("AppointmentPage", "items"),
        ("MyRatingPage", "items"),
        ("RectificationCasePage", "items"),
    }
)

# How a list's size is found: a fixed (declared) size, its own `first`, the enclosing page's `first`.
_FIXED, _OWN_FIRST, _PAGE = 0, 1, 2
_PLANS_KEPT = 1024


class Field(NamedTuple):
    """One selected field that costs something (an object or a list of objects)."""

    key: str  # where it is in the result (its alias, or its name)
    is_list: bool
    sizing: int  # _FIXED, _OWN_FIRST or _PAGE
    size: int  # the declared size (_FIXED)
    first: int | str | None  # the `first` argument: a literal, a variable's name, or absent
    children: tuple[Field, ...]
    flat: int = 0  # a fixed price whatever is selected in it (introspection), else 0


class Plan(NamedTuple):
    """A document's operation, reduced to what costs: priced per request with its variables."""

    fields: tuple[Field, ...]
    mutation: bool
    defaults: dict[str, Any]  # the operation's variables' default values


def list_size(parent: str, field: str) -> int:
    """The size a list without `first` is priced with."""
    if field == "errors" and (parent.endswith("Payload") or parent == "AssistantReply"):
        return PAYLOAD_ERRORS_SIZE
    return LIST_SIZES.get((parent, field), UNDECLARED_LIST_SIZE)


_plans: dict[tuple[str, str | None], Plan] = {}


def plan_for(schema: GraphQLSchema, document: DocumentNode, text: str, operation_name: str | None) -> Plan:
    """The document's plan, made once per (text, operation) and kept (up to _PLANS_KEPT documents)."""
    key = (text, operation_name)
    plan = _plans.get(key)
    if plan is None:
        if len(_plans) >= _PLANS_KEPT:
            _plans.clear()
        plan = _plans[key] = make_plan(schema, document, operation_name)
    return plan


def make_plan(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None) -> Plan:
    """Reduce a validated document's operation to the fields that cost."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    operation = next(
        (o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)),
        operations[0],
    )
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    root = schema.get_root_type(operation.operation)
    assert root is not None, "validation accepted an operation the schema has no root for"
    defaults = {
        v.variable.name.value: int(v.default_value.value)
        for v in operation.variable_definitions or ()
        if isinstance(v.default_value, IntValueNode)
    }
    fields = _fields(schema, root, [operation.selection_set], fragments)
    return Plan(fields, operation.operation is OperationType.MUTATION, defaults)


def _collect(
    schema: GraphQLSchema,
    parent: GraphQLNamedType,
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    into: dict[str, tuple[GraphQLNamedType, FieldNode, list[SelectionSetNode]]],
) -> None:
    """Gather the fields selected on `parent` by response key, through fragments (merging what two
    selections of the same key ask for: validation made sure they are the same field)."""
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            key = selection.alias.value if selection.alias else selection.name.value
            _, _, sets = into.setdefault(key, (parent, selection, []))
            if selection.selection_set is not None:
                sets.append(selection.selection_set)
        else:
            if isinstance(selection, FragmentSpreadNode):
                fragment: FragmentDefinitionNode | InlineFragmentNode = fragments[selection.name.value]
            else:
                assert isinstance(selection, InlineFragmentNode)
                fragment = selection
            condition = fragment.type_condition
            on = schema.get_type(condition.name.value) if condition else parent
            assert on is not None
            _collect(schema, on, fragment.selection_set, fragments, into)


def _fields(
    schema: GraphQLSchema,
    parent: GraphQLNamedType,
    selection_sets: list[SelectionSetNode],
    fragments: dict[str, FragmentDefinitionNode],
) -> tuple[Field, ...]:
    selected: dict[str, tuple[GraphQLNamedType, FieldNode, list[SelectionSetNode]]] = {}
    for selection_set in selection_sets:
        _collect(schema, parent, selection_set, fragments, selected)
    fields = []
    for key, (on, node, sets) in selected.items():
        name = node.name.value
        if name in INTROSPECTION_COSTS:
            fields.append(Field(key, False, _FIXED, 0, None, (), INTROSPECTION_COSTS[name]))
            continue
        if name.startswith("__") or not isinstance(on, GraphQLObjectType) or name not in on.fields:
            continue  # __typename is free; an abstract parent's own fields are priced on its types
        definition = on.fields[name]
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            continue
        is_list = is_list_type(get_nullable_type(definition.type))
        sized_by = SIZE_ARGUMENTS.get((on.name, name), "first")
        first = _first(node, definition.args.get(sized_by), sized_by)
        if sized_by in definition.args:
            sizing = _OWN_FIRST
        elif (on.name, name) in PAGE_ITEMS:
            sizing = _PAGE
        else:
            sizing = _FIXED
        children = _fields(schema, named, sets, fragments)
        fields.append(Field(key, is_list, sizing, list_size(on.name, name), first, children))
    return tuple(fields)


def _first(node: FieldNode, argument: Any, name: str = "first") -> int | str | None:
    for given in node.arguments or ():
        if given.name.value == name:
            if isinstance(given.value, IntValueNode):
                return int(given.value.value)
            if isinstance(given.value, VariableNode):
                return given.value.name.value
    if argument is not None and isinstance(argument.default_value, int):
        return int(argument.default_value)
    return None


def requested_cost(plan: Plan, variables: dict[str, Any] | None) -> int:
    """What the operation may cost at most, with these variables."""
    values = {**plan.defaults, **variables} if variables else plan.defaults
    return _requested(plan.fields, None, values) + (MUTATION_COST if plan.mutation else 0)


def _size(value: int | str | None, variables: dict[str, Any]) -> int | None:
    if isinstance(value, str):
        value = variables.get(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)  # GraphQL takes 3.0 for the Int 3, and so does the resolver
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _requested(fields: tuple[Field, ...], page: int | None, variables: dict[str, Any]) -> int:
    total = 0
    for field in fields:
        if field.flat:
            total += field.flat
            continue
        first = _size(field.first, variables)
        one = 1 + _requested(field.children, first, variables)
        if not field.is_list:
            total += one
            continue
        if field.sizing == _OWN_FIRST:
            size = first
        elif field.sizing == _PAGE:
            size = page
        else:
            size = field.size
        # Priced at most as the largest page: a larger or missing `first` is refused by the resolver
        # (PAGE_SIZE_OUT_OF_RANGE) before it reads anything.
        total += (UNDECLARED_LIST_SIZE if size is None else min(max(size, 0), UNDECLARED_LIST_SIZE)) * one
    return total


def actual_cost(plan: Plan, data: dict[str, Any] | None) -> int:
    """What the operation did cost: its lists as long as they came back, null objects free."""
    return (_actual(plan.fields, data) if data else 0) + (MUTATION_COST if plan.mutation else 0)


def _actual(fields: tuple[Field, ...], data: dict[str, Any]) -> int:
    total = 0
    for field in fields:
        value = data.get(field.key)
        if field.flat:
            total += field.flat if value is not None else 0
        elif isinstance(value, dict):
            total += 1 + _actual(field.children, value)
        elif isinstance(value, list):
            total += sum(1 + _actual(field.children, item) for item in value if isinstance(item, dict))
    return total
