"""The floor for GraphQL serving: bare Litestar + strawberry answering the catalog's shape from memory.

It serves the same `matters(first)` / `matter(code)` shape as the real server (same field names,
same enum types so serialization costs the same), with the best practice described in
shared/research/graphql-performance.md and nothing else:

- one plain async Litestar POST handler (no dependencies, no thread pool, no middleware);
- `schema.execute()` with strawberry's ParserCache and ValidationCache, passed as factories;
- msgspec to decode the request and encode the response;
- the data loaded once per worker from backend/catalog/demo/matters.json (zh-Hans texts), the
  GraphQL objects built at start-up, then `gc.freeze()`;
- uvicorn with 2 workers, uvloop, httptools, access log off.

Run: `python bench/floor_app.py --port 0` prints "floor is listening on http://127.0.0.1:<port>".
Deliberately independent of the backend package: it is the yardstick, not the thing measured.
"""

from __future__ import annotations

import argparse
import base64
import functools
import gc
import socket
import sys
from enum import Enum
from pathlib import Path
from typing import Any

import msgspec
import strawberry
from litestar import Litestar, Request, get, post
from litestar.response import Response
from strawberry.extensions import ParserCache, ValidationCache

MATTERS_JSON = Path(__file__).resolve().parent.parent / "backend" / "catalog" / "demo" / "matters.json"
LOCALE = "zh-Hans"
MAX_PAGE_SIZE = 100
JSON = "application/json"


# Copies of backend/graphql/catalog/enums.py's enums, on purpose: the floor must not import the
# backend (its memory and start-up would then include the whole service). Serialization is the same.
@strawberry.enum
class AdministrativeLevel(Enum):
    CITY = "city"
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"


@strawberry.enum
class Audience(Enum):
    PERSON = "person"
    ENTERPRISE = "enterprise"
    BOTH = "both"


@strawberry.enum
class Theme(Enum):
    BIRTH = "birth"
    EDUCATION = "education"
    EMPLOYMENT = "employment"
    MARRIAGE = "marriage"
    HOUSING = "housing"
    SOCIAL_SECURITY = "social_security"
    HEALTH = "health"
    TRANSPORT = "transport"
    BUSINESS = "business"
    TAX = "tax"
    RESIDENCE = "residence"
    ELDERLY = "elderly"
    DISABILITY = "disability"
    DEATH = "death"
    TALENT = "talent"
    CULTURE = "culture"
    ENVIRONMENT = "environment"
    CONSTRUCTION = "construction"


@strawberry.type
class Matter:
    code: str
    name: str
    summary: str
    level: AdministrativeLevel
    audience: Audience
    theme: Theme
    max_trips: int
    promised_days: int


@strawberry.type
class MatterEdge:
    cursor: str
    node: Matter


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class MatterConnection:
    edges: list[MatterEdge]
    page_info: PageInfo


class _Data:
    """Filled once per worker at start-up: the edges in code order and the matters by code."""

    edges: list[MatterEdge] = []  # noqa: RUF012 - replaced, never mutated
    by_code: dict[str, Matter] = {}  # noqa: RUF012


def _cursor(code: str) -> str:
    return base64.urlsafe_b64encode(("v1:" + code).encode()).decode().rstrip("=")


def load_data(path: Path = MATTERS_JSON) -> None:
    """Read the demo catalog and build the GraphQL objects once."""
    records = sorted(msgspec.json.decode(path.read_bytes()), key=lambda r: r["code"])
    matters = [
        Matter(
            code=r["code"],
            name=r["name"].get(LOCALE) or "",
            summary=r["summary"].get(LOCALE) or "",
            level=AdministrativeLevel(r["level"]),
            audience=Audience(r["audience"]),
            theme=Theme(r["theme"]),
            max_trips=r["max_trips"],
            promised_days=r["promised_days"],
        )
        for r in records
        if not r.get("withdrawn", False)
    ]
    _Data.edges = [MatterEdge(cursor=_cursor(x.code), node=x) for x in matters]
    _Data.by_code = {x.code: x for x in matters}


@strawberry.type
class Query:
    @strawberry.field
    async def matter(self, code: str) -> Matter | None:
        return _Data.by_code.get(code)

    @strawberry.field
    async def matters(self, first: int = 20) -> MatterConnection:
        if not 1 <= first <= MAX_PAGE_SIZE:
            raise ValueError(f"first must be 1..{MAX_PAGE_SIZE}")
        edges = _Data.edges[:first]
        return MatterConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(_Data.edges) > first,
                has_previous_page=False,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )


schema = strawberry.Schema(
    query=Query,
    extensions=[functools.partial(ParserCache, maxsize=1024), functools.partial(ValidationCache, maxsize=1024)],
)


class GraphQLRequest(msgspec.Struct):
    query: str
    variables: dict[str, Any] | None = None
    operationName: str | None = None  # noqa: N815 - the protocol's spelling


_decode = msgspec.json.Decoder(GraphQLRequest).decode
_encode = msgspec.json.Encoder().encode


@post("/graphql", status_code=200)
async def graphql(request: Request[Any, Any, Any]) -> Response[bytes]:
    body = _decode(await request.body())
    result = await schema.execute(body.query, variable_values=body.variables, operation_name=body.operationName)
    payload: dict[str, Any] = {}
    if result.errors:
        payload["errors"] = [e.formatted for e in result.errors]
    payload["data"] = result.data
    return Response(_encode(payload), media_type=JSON)


@get("/health")
async def health() -> Response[bytes]:
    return Response(b'{"status":"ok"}', media_type=JSON)


def _started() -> None:
    load_data()
    gc.collect()
    gc.freeze()


app = Litestar(
    route_handlers=[graphql, health], on_startup=[_started], openapi_config=None, logging_config=None, debug=False
)


def main() -> None:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    # Bind before the workers start, like `onewindow serve`: once the banner is printed, a request
    # waits in the backlog until a worker accepts it.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(2048)
    sock.set_inheritable(True)
    config = uvicorn.Config(
        "floor_app:app",  # bench/ is sys.path[0] here and in the spawned workers
        workers=args.workers,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        access_log=False,
        log_level="warning",
        server_header=False,
    )
    print(f"floor is listening on http://{args.host}:{sock.getsockname()[1]}", flush=True)
    if args.workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])
    sys.exit(0)


if __name__ == "__main__":
    main()
