"""graphql/schema.graphql is the committed contract; every shipped operation is valid against it."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema as build_sdl
from graphql import parse, validate

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


def test_operations_exist() -> None:
    assert OPERATIONS, "graphql/operations/ holds the operations clients use"


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.name)
def test_operation_is_valid(path: Path) -> None:
    errors = validate(build_sdl(schema_sdl()), parse(path.read_text(encoding="utf-8")))
    assert not errors, [e.message for e in errors]
