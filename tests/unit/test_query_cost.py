"""Pricing GraphQL documents (backend/graphql/cost.py): exact requested and actual costs of known
documents, and every operation the platform publishes fits under the per-query cap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLObjectType, OperationDefinitionNode, get_named_type, is_leaf_type, parse, validate

from backend.graphql.cost import (
    LIST_SIZES,
    MAX_QUERY_COST,
    PAGE_ITEMS,
    actual_cost,
    list_size,
    make_plan,
    requested_cost,
)
from backend.graphql.schema import build_schema
from backend.settings import PROJECT_ROOT

SCHEMA = build_schema()._schema


def price(
    document: str, variables: dict[str, Any] | None = None, data: dict[str, Any] | None = None
) -> tuple[int, int]:
    parsed = parse(document)
    assert validate(SCHEMA, parsed) == []
    plan = make_plan(SCHEMA, parsed, None)
    return requested_cost(plan, variables), actual_cost(plan, data)


def test_an_object_costs_one_and_its_lists_their_declared_size() -> None:
    fees, materials = LIST_SIZES["Matter", "fees"], LIST_SIZES["Matter", "materials"]
    assert (fees, materials) == (5, 10)
    data = {"matter": {"code": "X", "fees": [{"amount": "1"}, {"amount": "2"}], "materials": [{"name": "a"}]}}
    # matter 1 + fees 5 x 1 + materials 10 x 1; actually returned: matter 1 + 2 fees + 1 material
    assert price('{ matter(code: "X") { code fees { amount } materials { name } } }', data=data) == (16, 4)
    assert price('{ matter(code: "X") { code name summary } }', data={"matter": {"code": "X"}}) == (1, 1)
    assert price('{ matter(code: "X") { code } }', data={"matter": None}) == (1, 0)  # nothing found, nothing spent


def test_a_page_costs_its_first_times_one_item() -> None:
    document = "query($n: Int!) { matters(first: $n) { totalCount edges { node { code department { name } } } } }"
    # matters 1 + n edges x (edge 1 + node 1 + department 1)
    assert price(document, {"n": 10})[0] == 1 + 10 * 3
    assert price(document, {"n": 100})[0] == 301
    assert price(document, {"n": 5000})[0] == 301  # refused by the resolver (PAGE_SIZE_OUT_OF_RANGE) anyway
    edges = [{"node": {"code": "A", "department": {"name": "d"}}}, {"node": {"code": "B", "department": None}}]
    assert price(document, {"n": 10}, {"matters": {"totalCount": 2, "edges": edges}}) == (31, 1 + 3 + 2)
    assert price('{ searchMatters(query: "passport", first: 7) { score matter { code } } }')[0] == 7 * 2


def test_aliases_fragments_and_mutations() -> None:
    aliased = '{ a: matter(code: "A") { code } b: matter(code: "B") { ...F } } fragment F on Matter { fees { amount } }'
    assert price(aliased)[0] == 1 + (1 + 5)
    inline = '{ matter(code: "A") { ... on Matter { halls { name } } halls { code } } }'
    assert price(inline)[0] == 1 + 15  # the same field selected twice is one list
    mutation = 'mutation { requestLoginCode(phone: "13800138000") { sent errors { code } } }'
    assert price(mutation, data={"requestLoginCode": {"sent": True, "errors": []}}) == (10 + 1 + 30, 10 + 1)
    # introspection costs a flat price whatever it selects (30 aliased __schema were 3 MB for nothing)
    schema = {"__schema": {"types": []}, "__typename": "Query"}
    assert price("{ __schema { types { name fields { name } } } __typename }", data=schema) == (100, 100)
    assert price('{ t: __type(name: "Query") { name } }', data={"t": None}) == (10, 0)  # nothing found


def test_the_original_attack_is_priced_far_above_the_cap() -> None:
    node = "code name department { name } fees { amount } materials { name }"
    aliases = " ".join(f"a{n}: matters(first: 100) {{ edges {{ node {{ {node} }} }} }}" for n in range(30))
    requested, _ = price("{ " + aliases + " }")
    assert requested == 30 * (1 + 100 * (1 + 1 + 1 + 5 + 10)) == 54_030 > MAX_QUERY_COST


def test_every_declared_list_is_a_list_of_objects_without_first() -> None:
    for type_name, field_name in {*LIST_SIZES, *PAGE_ITEMS}:
        parent = SCHEMA.type_map[type_name]
        assert isinstance(parent, GraphQLObjectType), type_name
        field = parent.fields[field_name]
        assert not is_leaf_type(get_named_type(field.type)) and "first" not in field.args, (type_name, field_name)
    assert list_size("SaveDraftPayload", "errors") == 30 and list_size("Nothing", "declared") == 100


# What the clients send as `first` where an operation asks for it: the assistant shows 5 applications.
CLIENTS_FIRST = {"AssistantMyApplications": 5, "AssistantSearch": 10}


@pytest.mark.parametrize("path", sorted((PROJECT_ROOT / "graphql" / "operations").glob("*.graphql")), ids=str)
def test_the_platforms_own_operations_fit_under_the_cap(path: Path) -> None:
    document = parse(path.read_text(encoding="utf-8"))
    for operation in document.definitions:
        if isinstance(operation, OperationDefinitionNode) and operation.name is not None:
            name = operation.name.value
            plan = make_plan(SCHEMA, document, name)
            cost = requested_cost(plan, {"first": CLIENTS_FIRST.get(name, 20)})
            assert cost <= MAX_QUERY_COST, f"{name} costs {cost}"
