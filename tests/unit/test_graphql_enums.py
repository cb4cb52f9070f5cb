"""The GraphQL enums offer exactly the values the catalog format allows."""

from __future__ import annotations

from enum import Enum
from typing import Any, get_args

import pytest

from backend.catalog import format as fmt
from backend.graphql.catalog import enums as types


@pytest.mark.parametrize(
    ("enum", "literal"),
    [
        (types.Theme, fmt.Theme),
        (types.Audience, fmt.Audience),
        (types.AdministrativeLevel, fmt.Level),
        (types.ServiceMode, fmt.Mode),
        (types.FormFieldType, fmt.FormFieldType),
        (types.CertificateFieldType, fmt.CertFieldType),
    ],
)
def test_enum_matches_catalog_format(enum: type[Enum], literal: Any) -> None:
    assert {member.value for member in enum} == set(get_args(literal))
    assert all(member.name == member.value.upper() for member in enum)
