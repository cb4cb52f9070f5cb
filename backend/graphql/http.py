"""POST/GET /graphql on Litestar, without the thread-pool hops and stdlib JSON of the stock view.

Why not strawberry's Litestar controller: it resolves dependencies in a task group, runs its response
dependency through the thread pool and encodes with stdlib json (../shared/research has the numbers).
Here one async handler decodes with msgspec, executes with parser and validation caches, and encodes
with msgspec.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import StrEnum
from typing import Any

import msgspec
import structlog
from graphql import GraphQLError
from litestar import Request, get, post
from litestar.response import Response
from strawberry.http.ides import get_graphql_ide_html
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from backend.errors import MESSAGES, CommonErrorCode, DomainError
from backend.graphql import responses
from backend.graphql.context import Context
from backend.graphql.documents import status_of, trusted_documents
from backend.graphql.errors import format_error
from backend.graphql.metering import Meter, anonymous_meter, meter_for
from backend.graphql.schema import build_schema
from backend.i18n import negotiate
from backend.identity.models import RequestMeta
from backend.inputs import UNSTORABLE, storable
from backend.logs import hiding_request_values
from backend.outages import UNAVAILABLE
from backend.platform import usage
from backend.resources import Resources

log = structlog.get_logger("backend.graphql")
JSON = "application/json"
# A GraphQL request is JSON (GraphQL-over-HTTP). Refusing text/plain and form encodings also keeps
# a browser on another site from sending a "simple" cross-origin POST (no preflight) to /graphql.
_ACCEPTED_MEDIA_TYPES = frozenset({"application/json"})
# How deep the variables may nest: a form is a flat map of values, a select's list one level more.
MAX_VARIABLES_DEPTH = 16
TOO_DEEP = f"variables nest deeper than {MAX_VARIABLES_DEPTH} levels"
# What a request body may weigh: a one-form submission is a few kilobytes (files go to /uploads).
MAX_BODY_BYTES = 256 * 1024
# The document limits count tokens, and a string of a million characters is one token: the strings a
# request carries (literals and variables) are counted on their own. A bundle's whole form fits.
MAX_STRING_CHARACTERS = 64 * 1024
# Values (and keys) in the variables: a bundle's form has a few hundred; a list of 60,000 empty objects
# took 1.4 s of the event loop to coerce.
MAX_VARIABLE_VALUES = 5_000
_GRAPHIQL_HTML = get_graphql_ide_html("graphiql")


class GraphQLRequest(msgspec.Struct):
    """The GraphQL-over-HTTP request body."""

    query: str | None = None
    variables: dict[str, Any] | None = None
    operationName: str | None = None  # noqa: N815 - the protocol's spelling
    extensions: dict[str, Any] | None = None
    documentId: str | None = None  # noqa: N815 - a trusted document's id, instead of the query text


_decode_request = msgspec.json.Decoder(GraphQLRequest).decode
_encode = msgspec.json.Encoder().encode
_QUERY_ONLY = (OperationType.QUERY,)
_ALL_OPERATIONS = (OperationType.QUERY, OperationType.MUTATION)


def nesting_depth(value: Any, limit: int) -> int:
    """How deep `value` nests (lists and maps), counting no further than `limit` + 1; iterative, no recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


_LITERAL = re.compile(r'"""(.*?)"""|"((?:[^"\\]|\\.)*)"|(?<![\w.])(-?\d{4,})', re.DOTALL)


def _unescaped(literal: str) -> str:
    """A string literal as GraphQL reads it (its escapes are JSON's): what a log line would quote."""
    if "\\" not in literal:
        return literal
    try:
        value = msgspec.json.decode(f'"{literal}"'.encode("utf-8", "surrogatepass"))
    except (msgspec.DecodeError, UnicodeError):
        return literal
    return value if isinstance(value, str) else literal


def sent_values(query: str | None, variables: Any) -> Iterator[str]:
    """Every value a caller sent (string and number literals of the document, the variables' keys and
    leaves), as text."""
    for match in _LITERAL.finditer(query or ""):
        literal = next(group for group in match.groups() if group is not None)
        yield literal
        yield _unescaped(literal)
    stack = [variables]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
            stack.extend(item.keys())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str | int | float) and not isinstance(item, bool):
            yield str(item)


def _node_count(value: Any, limit: int) -> int:
    """How many values (objects and lists included) `value` holds, counting no further than `limit` + 1."""
    count, stack = 0, [value]
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def out_of_bounds(query: str | None, variables: Any) -> DomainError | None:
    """Why a request is refused before it is parsed, if it is: variables too deep or too many, text that
    cannot be stored, strings too long."""
    if nesting_depth(variables, MAX_VARIABLES_DEPTH) > MAX_VARIABLES_DEPTH:
        return DomainError(CommonErrorCode.BAD_REQUEST, detail=TOO_DEEP)
    if _node_count(variables, MAX_VARIABLE_VALUES) > MAX_VARIABLE_VALUES:
        return DomainError(
            CommonErrorCode.BAD_REQUEST, detail=f"more than {MAX_VARIABLE_VALUES} values in the variables"
        )
    values = list(sent_values(None, variables))
    if not all(storable(value) for value in values):
        return DomainError(CommonErrorCode.BAD_REQUEST, detail=UNSTORABLE)
    literals = (next(g for g in match.groups() if g is not None) for match in _LITERAL.finditer(query or ""))
    characters = sum(len(value) for value in literals) + sum(len(value) for value in values)
    if characters > MAX_STRING_CHARACTERS:
        detail = f"the strings in this request add up to {characters} characters, more than {MAX_STRING_CHARACTERS}"
        return DomainError(CommonErrorCode.GRAPHQL_VALIDATION_FAILED, detail=detail)
    return None


def _resources(request: Request[Any, Any, Any]) -> Resources:
    resources: Resources = request.app.state.resources
    return resources


def _context(request: Request[Any, Any, Any]) -> Context:
    return Context(
        _resources(request),
        negotiate(request.headers.get("accept-language")),
        request.scope.get("state", {}).get("request_id", ""),
        meta=RequestMeta(
            ip=request.client.host if request.client else None, user_agent=request.headers.get("user-agent")
        ),
    )


async def _authenticate(request: Request[Any, Any, Any], context: Context) -> Response[bytes] | None:
    """Attach the bearer token's principal; a bad token is a 401 (the app then refreshes or signs in)."""
    header = request.headers.get("authorization")
    if not header:
        return None
    try:
        outcome = await context.identity.access.bearer(header)
    except UNAVAILABLE as error:
        await context.close()
        log.warning("graphql.unavailable", error=type(error).__name__)
        return _bad_request(context, CommonErrorCode.TEMPORARILY_UNAVAILABLE, 503)
    if isinstance(outcome, DomainError):
        await context.close()
        message = context.gettext(MESSAGES[outcome.code], **outcome.params)
        body = {"errors": [{"message": message, "extensions": {"code": outcome.code.value}}]}
        challenge = 'Bearer error="invalid_token"'
        return Response(_encode(body), status_code=401, media_type=JSON, headers={"www-authenticate": challenge})
    context.principal = outcome
    # The session's read transaction ends here: a resolver that calls out (a payment channel) must not
    # keep one open, idle, meanwhile.
    await context.end_transaction()
    return None


def _bad_request(context: Context, code: StrEnum, status: int, **params: Any) -> Response[bytes]:
    error = {"message": context.gettext(MESSAGES[code], **params), "extensions": {"code": code.value}}
    return Response(_encode({"errors": [error]}), status_code=status, media_type=JSON)


async def _execute(
    request: Request[Any, Any, Any], context: Context, body: GraphQLRequest, allowed: tuple[OperationType, ...]
) -> Response[bytes]:
    refused = await _authenticate(request, context)
    if refused is not None:
        return refused
    text = await trusted_documents(request.app.state).text(context, body.query, body.documentId)
    await context.end_transaction()  # a look-up's connection goes back before anything else runs
    if isinstance(text, DomainError):
        return _bad_request(context, text.code, status_of(text), **text.params)
    body.query = text
    if not body.query:
        return _bad_request(context, CommonErrorCode.BAD_REQUEST, 400, detail="query is missing")
    bounds = out_of_bounds(body.query, body.variables)
    if bounds is not None:
        status = 400 if bounds.code is CommonErrorCode.BAD_REQUEST else 200
        return _bad_request(context, bounds.code, status, **bounds.params)
    # Priced and charged by backend.graphql.metering.CostCheck once the document is valid.
    context.cost = meter = meter_for(context, dry_run=bool(body.extensions and body.extensions.get("dryRun") is True))
    with hiding_request_values(lambda: sent_values(body.query, [body.variables, body.operationName])):
        try:
            result = await build_schema(context.settings.introspection).execute(
                body.query,
                variable_values=body.variables,
                context_value=context,
                operation_name=body.operationName,
                allowed_operation_types=allowed,
            )
        except InvalidOperationTypeError:
            return _bad_request(context, CommonErrorCode.METHOD_NOT_ALLOWED, 405)
        except CannotGetOperationTypeError:  # operationName names no operation, or there is none
            return _bad_request(context, CommonErrorCode.GRAPHQL_VALIDATION_FAILED, 200, detail="no such operation")
        finally:
            await context.close()
        # The answer is computed: what a mini-program read of the citizen is written (never failing it).
        await context.record_reads()
        payload: dict[str, Any] = {}
        if result.errors:
            messages, locale, request_id = context.resources.messages, context.locale, context.request_id
            payload["errors"] = [format_error(e, messages, locale, request_id) for e in result.errors]
    # "data" is present (maybe null) once execution started; absent when the document was refused
    # (a dry run executes nothing either).
    dry_run = meter is not None and meter.dry_run
    if not dry_run and (result.data is not None or not result.errors or any(e.path for e in result.errors)):
        payload["data"] = result.data
    return await _respond(context, payload, meter)


async def _respond(context: Context, payload: dict[str, Any], meter: Meter | None) -> Response[bytes]:
    """The executed request's answer with what it cost, counted in its app's usage of the day."""
    status, headers = 200, None
    if meter is not None:
        payload["extensions"] = {"cost": await meter.report()}
        if meter.retry_after is not None:  # THROTTLED: the bucket's answer in HTTP's words too
            status, headers = 429, {"retry-after": str(meter.retry_after)}
    app = context.principal.client_id if context.principal else usage.ANONYMOUS_APP
    codes = [e["extensions"]["code"] for e in payload.get("errors", ())]
    spent, throttled = (meter.actual, meter.retry_after is not None) if meter is not None else (0, False)
    await usage.record_request(context.resources.redis, app, cost=spent, throttled=throttled, error_codes=codes)
    # GraphQL-over-HTTP with application/json: a well-formed request is answered with 200 even when
    # it failed validation; the errors say why.
    return Response(_encode(payload), status_code=status, media_type=JSON, headers=headers)


async def _from_cache(request: Request[Any, Any, Any], entry: responses.CachedAnswer) -> Response[bytes]:
    """A public answer from the response cache, charged to the caller's address like any other."""
    unchanged = responses.not_modified(request, entry)
    if unchanged is not None:
        return unchanged  # the caller holds it already: nothing computed, nothing charged
    resources = _resources(request)
    ip = request.client.host if request.client else None
    meter = anonymous_meter(resources.settings, resources.redis, ip)
    if meter is None:
        return Response(entry.body, media_type=JSON, headers=entry.headers)
    try:
        await meter.admit(entry.cost)
    except GraphQLError as refusal:  # THROTTLED (or over a cap lowered since): answered as executed ones are
        context = _context(request)
        payload = {"errors": [format_error(refusal, resources.messages, context.locale, context.request_id)]}
        return await _respond(context, payload, meter)
    meter.actual = entry.cost
    await usage.record_request(resources.redis, usage.ANONYMOUS_APP, cost=entry.cost, throttled=False, error_codes=())
    extensions = _encode({"cost": await meter.report()})
    return Response(entry.with_extensions(extensions), media_type=JSON, headers=entry.headers)


def _decode(raw: bytes | str, decode: Any) -> Any:
    """Decoded JSON; DecodeError for anything malformed, including nesting too deep to decode."""
    try:
        return decode(raw)
    except RecursionError:
        raise msgspec.DecodeError("JSON nested too deeply") from None
    except UnicodeDecodeError:
        raise msgspec.DecodeError("not UTF-8") from None


@post("/graphql", include_in_schema=False, status_code=200, request_max_body_size=MAX_BODY_BYTES)
async def graphql_post(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Execute a query or mutation sent as JSON."""
    context = _context(request)
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type not in _ACCEPTED_MEDIA_TYPES:
        return _bad_request(context, CommonErrorCode.UNSUPPORTED_MEDIA_TYPE, 415)
    try:
        body = _decode(await request.body(), _decode_request)
    except msgspec.DecodeError as exc:
        return _bad_request(context, CommonErrorCode.BAD_REQUEST, 400, detail=str(exc))
    return await _execute(request, context, body, _ALL_OPERATIONS)


@get("/graphql", include_in_schema=False)
async def graphql_get(request: Request[Any, Any, Any]) -> Response[bytes] | Response[str]:
    """GraphiQL for a browser (outside production), or a query sent in the URL."""
    params = request.query_params
    cache = trusted_documents(request.app.state).responses
    if "documentId" in params and (entry := responses.cached(request, cache)) is not None:
        return await _from_cache(request, entry)  # before any per-request set-up: the catalog's hot path
    context = _context(request)
    if "query" not in params and "documentId" not in params:
        wants_html = "text/html" in request.headers.get("accept", "")
        if wants_html and context.settings.graphiql_enabled:
            return Response(_GRAPHIQL_HTML, media_type="text/html; charset=utf-8")
        return _bad_request(context, CommonErrorCode.BAD_REQUEST, 400, detail="query is missing")
    try:
        variables = _decode(params["variables"], msgspec.json.decode) if params.get("variables") else None
    except msgspec.DecodeError as exc:
        return _bad_request(context, CommonErrorCode.BAD_REQUEST, 400, detail=str(exc))
    body = GraphQLRequest(
        query=params.get("query"),
        variables=variables,
        operationName=params.get("operationName"),
        documentId=params.get("documentId"),
    )
    generation = cache.generation
    response = await _execute(request, context, body, _QUERY_ONLY)
    return responses.remember(request, cache, generation, response, context.cost.actual if context.cost else 0)
