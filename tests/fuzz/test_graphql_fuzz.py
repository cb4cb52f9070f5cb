"""A property-based fuzzer (schemathesis) over every query and mutation: no input makes the API fail.

Issue 12: an adversarial run found 500s only a fuzzer finds (the introspection defaults); this keeps one
in `make test` within a bounded budget, so a new INTERNAL_ERROR fails CI. Each operation gets
FUZZ_EXAMPLES generated documents (derandomized: the same ones every run, so a failure reproduces),
sent in turn anonymously, as a signed-in citizen and as an officer, to a real server on a database
of its own. `ONEWINDOW_FUZZ_EXAMPLES=300 ONEWINDOW_FUZZ_RANDOM=1 uv run pytest tests/fuzz` explores
further, with new documents each run.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Iterator
from typing import Any

import graphql
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.graphql import nodes

from backend.app import create_app
from backend.db.engine import create_engine, session_factory
from backend.settings import PROJECT_ROOT
from standins.population.generate import DEMO_PHONE
from tests.conftest import Databases, make_settings
from tests.support.identity import citizen_token, staff_token
from tests.support.live import listener, served
from tests.support.servers import RedisServer

EXAMPLES = int(os.environ.get("ONEWINDOW_FUZZ_EXAMPLES", "20"))
RANDOM = os.environ.get("ONEWINDOW_FUZZ_RANDOM") == "1"
CALLERS = ("anonymous", "citizen", "officer")


def _json_values() -> st.SearchStrategy[graphql.ValueNode]:
    """JSON values as GraphQL literals: what a form's `values` may be sent as, and what it should not."""
    leaves = st.one_of(
        st.text(max_size=30).map(nodes.String),
        st.integers(min_value=-(10**12), max_value=10**12).map(nodes.Int),
        st.booleans().map(nodes.Boolean),
        st.just(nodes.Null),
    )

    def nested(children: st.SearchStrategy[graphql.ValueNode]) -> st.SearchStrategy[graphql.ValueNode]:
        keys = st.from_regex(r"[a-z_]{1,16}", fullmatch=True)
        fields = st.dictionaries(keys, children, max_size=5).map(
            lambda d: nodes.Object(
                [graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=v) for k, v in d.items()]
            )
        )
        return st.one_of(st.lists(children, max_size=4).map(nodes.List), fields)

    return st.recursive(leaves, nested, max_leaves=12)


schemathesis.graphql.scalar("JSON", _json_values())
# The committed contract: exactly what clients (and attackers) see.
schema = schemathesis.graphql.from_path(PROJECT_ROOT / "graphql" / "schema.graphql")
_turns = itertools.cycle(CALLERS)


class FuzzTarget:
    """The server under fuzzing and its callers' tokens."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.tokens: dict[str, str] = {}

    def headers(self, caller: str) -> dict[str, str]:
        """The caller's authorization header (none for the anonymous caller)."""
        token = self.tokens.get(caller)
        return {"authorization": f"Bearer {token}"} if token else {}


async def _tokens(base_url: str, database_url: str) -> dict[str, str]:
    """Tokens of an officer and of this database's demo citizen (verified, with certificates)."""
    engine = create_engine(database_url)
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            officer = await staff_token(client, "officer.gz-ga")
            citizen = await citizen_token(client, session_factory(engine), DEMO_PHONE)
    finally:
        await engine.dispose()
    return {"officer": officer, "citizen": citizen}


@pytest.fixture(scope="module")
def fuzz_target(
    databases: Databases, demo_template: str, redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FuzzTarget]:
    """A server on a copy of the demo database of its own (fuzzing writes)."""
    if databases.backend != "postgresql":
        pytest.skip("the fuzzer runs once, against PostgreSQL")
    url = asyncio.run(databases.create(demo_template))
    sock, base = listener()
    settings_ = make_settings(url, redis_server.url.replace("/0", "/7"), tmp_path_factory.mktemp("fuzz"))
    with served(create_app(settings_), sock):
        target = FuzzTarget(base)
        target.tokens.update(asyncio.run(_tokens(base, url)))
        yield target


@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None, suppress_health_check=list(HealthCheck)
)
def test_no_generated_document_is_a_server_error(case: Any, fuzz_target: FuzzTarget) -> None:
    caller = next(_turns)
    response = case.call(base_url=f"{fuzz_target.url}/graphql", headers=fuzz_target.headers(caller))
    assert response.status_code < 500, (caller, case.body, response.text[:500])
    body = response.json()
    internal = [e for e in body.get("errors") or [] if (e.get("extensions") or {}).get("code") == "INTERNAL_ERROR"]
    assert not internal, (caller, case.body, internal)
