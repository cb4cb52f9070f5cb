"""Mutations report domain errors as payload errors {code, field, message} in the caller's language."""

from __future__ import annotations

import strawberry

from backend.errors import CommonErrorCode, DomainError
from backend.graphql.errors import PayloadError, payload_errors
from backend.i18n import Catalogs, Locale, catalogs
from backend.settings import PROJECT_ROOT

MESSAGES: Catalogs = catalogs(str(PROJECT_ROOT / "locales"))


@strawberry.type
class RenamePayload:
    name: str | None
    errors: list[PayloadError]


@strawberry.type
class Query:
    ping: str = "pong"


@strawberry.type
class Mutation:
    @strawberry.mutation
    def rename(self, name: str, locale: str) -> RenamePayload:
        try:
            if not name:
                raise DomainError(CommonErrorCode.REQUIRED, field="name")
            return RenamePayload(name=name, errors=[])
        except DomainError as error:
            return RenamePayload(name=None, errors=payload_errors(error, MESSAGES, Locale(locale)))


SCHEMA = strawberry.Schema(query=Query, mutation=Mutation)
MUTATION = "mutation($n: String!, $l: String!) { rename(name: $n, locale: $l) { name errors { code field message } } }"


def test_success_has_no_errors() -> None:
    result = SCHEMA.execute_sync(MUTATION, {"n": "王小明", "l": "en"})
    assert result.data == {"rename": {"name": "王小明", "errors": []}}


def test_domain_error_becomes_localized_payload_error() -> None:
    expected = {"zh-Hans": "此项为必填项。", "zh-Hant": "此項為必填項。", "en": "This field is required."}
    for locale, message in expected.items():
        result = SCHEMA.execute_sync(MUTATION, {"n": "", "l": locale})
        assert result.errors is None
        assert result.data == {
            "rename": {"name": None, "errors": [{"code": "REQUIRED", "field": "name", "message": message}]}
        }


def test_every_domains_codes_are_unique_have_a_message_and_are_in_the_schema() -> None:
    from backend.errors import MESSAGES
    from backend.graphql.errors import DOMAIN_CODES, ErrorCode

    values = [code.value for codes in DOMAIN_CODES for code in codes]
    assert len(values) == len(set(values)), "a code is declared by two domains"
    assert {code.value for code in ErrorCode} == set(values)
    assert all(MESSAGES.get(value) for value in values)
