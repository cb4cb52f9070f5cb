"""graphql/schema.graphql is the committed contract; every shipped operation is valid against it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse, validate
from graphql import build_schema as build_sdl

from backend.graphql.schema import schema_sdl
from backend.settings import PROJECT_ROOT

CONTRACT = PROJECT_ROOT / "graphql"
OPERATIONS = sorted((CONTRACT / "operations").glob("*.graphql"))


def test_committed_schema_is_current() -> None:
    committed = (CONTRACT / "schema.graphql").read_text(encoding="utf-8")
    assert committed == schema_sdl(), "graphql/schema.graphql is stale: run `uv run onewindow export-schema`"


def test_contract_names_exist() -> None:
    schema = build_sdl(schema_sdl())
    query = schema.query_type
    assert query is not None
    for name in ("matter", "matters", "bundle", "bundles", "departments", "halls", "certificateTypes"):
        assert name in query.fields, name
    assert set(query.fields["matters"].args) == {"first", "after", "filter"}
    matter = schema.get_type("Matter")
    for name in (
        "materials",
        "formFields",
        "fees",
        "modes",
        "maxTrips",
        "promisedDays",
        "department",
        "outputs",
        "instantApproval",
    ):
        assert name in matter.fields, name  # type: ignore[union-attr]


def test_the_assistant_sends_exactly_the_operations_it_ships() -> None:
    # Given the operations the assistant's actions call by name, read from their source
    source = (PROJECT_ROOT / "assistant" / "actions" / "backend.py").read_text(encoding="utf-8")
    called = set(re.findall(r'_call\(\s*"(\w+)"', source))
    # Then each is defined once in its contract file, and none is defined there unused
    document = parse((CONTRACT / "operations" / "assistant.graphql").read_text(encoding="utf-8"))
    defined = [d.name.value for d in document.definitions if isinstance(d, OperationDefinitionNode) and d.name]
    assert sorted(defined) == sorted(called) and len(called) >= 4, (defined, called)


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.name)
def test_operation_is_valid(path: Path) -> None:
    errors = validate(build_sdl(schema_sdl()), parse(path.read_text(encoding="utf-8")))
    assert not errors, [e.message for e in errors]
