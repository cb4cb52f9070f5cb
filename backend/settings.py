"""One settings object, read once from ONEWINDOW_* environment variables."""

from __future__ import annotations

import difflib
import functools
import ipaddress
import os
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

import msgspec

from backend.settings_channels import ChannelSettings, channel_production_problems

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The repository (or unpacked source tree) that holds backend/, locales/ and graphql/."""


class Environment(StrEnum):
    """Where the service runs; production turns off every development convenience."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


def _doc(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class Settings(ChannelSettings, frozen=True, kw_only=True):
    """Every knob of the service. The field's description is its documentation."""

    env: Annotated[Environment, _doc("development, test or production (ONEWINDOW_ENV).")] = Environment.DEVELOPMENT
    data_dir: Annotated[str, _doc("Folder for the embedded SQLite database and Redis data (ONEWINDOW_DATA_DIR).")] = (
        str(PROJECT_ROOT / "var")
    )
    database_url: Annotated[
        str,
        _doc(
            "SQLAlchemy async URL, e.g. postgresql+asyncpg://user:pw@host/db "
            "(ONEWINDOW_DATABASE_URL). Empty: a SQLite file in data_dir."
        ),
    ] = ""
    redis_url: Annotated[
        str,
        _doc(
            "redis:// or unix:// URL of a Redis server (ONEWINDOW_REDIS_URL). Empty: the service "
            "starts an embedded Redis server with its data in data_dir."
        ),
    ] = ""
    catalog_dir: Annotated[
        str,
        _doc("The city's catalog export to import (ONEWINDOW_CATALOG_DIR). Empty: the bundled demo."),
    ] = ""
    locales_dir: Annotated[str, _doc("Folder of the gettext catalogs (ONEWINDOW_LOCALES_DIR).")] = str(
        PROJECT_ROOT / "locales"
    )
    log_level: Annotated[str, _doc("debug, info, warning or error (ONEWINDOW_LOG_LEVEL).")] = "info"
    log_format: Annotated[str, _doc("json (one JSON object a line) or console (ONEWINDOW_LOG_FORMAT).")] = "json"
    graphiql: Annotated[
        bool | None,
        _doc("Serve GraphiQL at GET /graphql (ONEWINDOW_GRAPHIQL). Default: on unless production."),
    ] = None
    max_page_size: Annotated[int, _doc("Largest `first` a list field accepts (ONEWINDOW_MAX_PAGE_SIZE).")] = 100
    # Query cost (backend/graphql/cost.py says how a document is priced; the developer guide has the numbers).
    cost_enabled: Annotated[bool, _doc("Price, cap and throttle GraphQL queries (ONEWINDOW_COST_ENABLED).")] = True
    cost_max_query: Annotated[int, _doc("Most points one query may cost (ONEWINDOW_COST_MAX_QUERY).")] = 1000
    cost_first_party_maximum: Annotated[
        int, _doc("Points in a first-party app user's bucket (ONEWINDOW_COST_FIRST_PARTY_MAXIMUM).")
    ] = 2000
    cost_first_party_rate: Annotated[int, _doc("Its refill, points a second (ONEWINDOW_COST_FIRST_PARTY_RATE).")] = 100
    cost_third_party_maximum: Annotated[
        int, _doc("Points in each third-party app user's bucket (ONEWINDOW_COST_THIRD_PARTY_MAXIMUM).")
    ] = 1000
    cost_third_party_rate: Annotated[int, _doc("Its refill, points a second (ONEWINDOW_COST_THIRD_PARTY_RATE).")] = 50
    cost_anonymous_maximum: Annotated[
        int, _doc("Points in an anonymous address's bucket, IPv6 per /64 (ONEWINDOW_COST_ANONYMOUS_MAXIMUM).")
    ] = 500
    cost_anonymous_rate: Annotated[int, _doc("Its refill, points a second (ONEWINDOW_COST_ANONYMOUS_RATE).")] = 10
    introspection: Annotated[
        bool,
        _doc(
            "Answer GraphQL introspection queries (ONEWINDOW_INTROSPECTION). On by default, production "
            "included: the schema is public (graphql/schema.graphql) and client tools read it; turning it "
            "off hides nothing a reader of the repository cannot see."
        ),
    ] = True
    trusted_proxies: Annotated[
        str,
        _doc(
            "Comma-separated addresses or networks of the reverse proxies whose X-Forwarded-For and "
            "X-Forwarded-Proto are believed (ONEWINDOW_TRUSTED_PROXIES), e.g. 10.0.0.0/8. Empty (the "
            "default): none, and rate limits count the connecting address. Behind a load balancer, set "
            "it to the balancer's addresses, or every citizen shares the balancer's limits."
        ),
    ] = ""
    secret_key: Annotated[
        str,
        _doc(
            "Master secret (ONEWINDOW_SECRET_KEY): encrypts signing keys, keys login-code hashes and "
            "pairwise subjects. Required in production; development generates one in data_dir."
        ),
    ] = ""
    issuer: Annotated[
        str, _doc("OpenID Connect issuer URL (ONEWINDOW_ISSUER). Default: public_url or http://127.0.0.1:8000.")
    ] = ""
    access_token_seconds: Annotated[int, _doc("Access token lifetime (ONEWINDOW_ACCESS_TOKEN_SECONDS).")] = 600
    session_days: Annotated[
        int, _doc("A session (refresh token family) ends this many days after login (ONEWINDOW_SESSION_DAYS).")
    ] = 30
    sms: Annotated[
        str,
        _doc(
            "SMS gateway (ONEWINDOW_SMS): `outbox` keeps messages in a local outbox (`onewindow sms outbox`); "
            "never allowed in production."
        ),
    ] = "outbox"
    registry: Annotated[
        str,
        _doc(
            "Population registry (ONEWINDOW_REGISTRY): `standin` is the seeded synthetic population; "
            "never allowed in production."
        ),
    ] = "standin"
    finance_bureau: Annotated[
        str,
        _doc(
            "The finance bureau's e-receipt platform (ONEWINDOW_FINANCE_BUREAU): `standin` numbers and "
            "signs receipts locally; never allowed in production."
        ),
    ] = "standin"
    certificate_library: Annotated[
        str,
        _doc(
            "The certificate library (ONEWINDOW_CERTIFICATE_LIBRARY): `standin` allocates the numbers issuing "
            "registries would (passports, plates) locally; never allowed in production."
        ),
    ] = "standin"
    public_url: Annotated[
        str, _doc("The URL clients reach the service at, used in printed links (ONEWINDOW_PUBLIC_URL).")
    ] = ""
    receipt_link_seconds: Annotated[
        int,
        msgspec.Meta(ge=60, le=86400),
        _doc(
            "How long a receipt's PDF link (pdfUrl) opens without a token (ONEWINDOW_RECEIPT_LINK_SECONDS): it is "
            "signed with a key derived from ONEWINDOW_SECRET_KEY and handed only to who may see the receipt."
        ),
    ] = 900
    order_unpaid_days: Annotated[
        int,
        msgspec.Meta(
            ge=1,
            description=(
                "Days a citizen has to pay an application's fees (ONEWINDOW_ORDER_UNPAID_DAYS): the order is "
                "then closed and the application withdrawn, with a notice (`onewindow payments expire-unpaid`)."
            ),
        ),
    ] = 7
    rating_default_days: Annotated[
        int,
        msgspec.Meta(ge=1, le=60),
        _doc(
            "Days a finished case or visit waits for its 好差评 rating (ONEWINDOW_RATING_DEFAULT_DAYS); unrated "
            "then, it counts as 基本满意 (Guangdong's rule: 7 natural days)."
        ),
    ] = 7
    rectification_days: Annotated[
        int,
        msgspec.Meta(ge=1, le=60),
        _doc(
            "Working days a department has to rectify a 差评 (ONEWINDOW_RECTIFICATION_DAYS); an overdue case "
            "escalates to the 12345 hotline."
        ),
    ] = 5
    hotline: Annotated[
        str,
        _doc(
            "The 12345 hotline's work orders (ONEWINDOW_HOTLINE): `standin` keeps them in a local table; "
            "never allowed in production."
        ),
    ] = "standin"
    assistant_url: Annotated[
        str, _doc("The Rasa assistant's server (ONEWINDOW_ASSISTANT_URL); `make run` starts one on loopback.")
    ] = "http://127.0.0.1:5005"
    assistant_timeout: Annotated[
        float,
        _doc("Seconds to wait for the assistant before answering ASSISTANT_UNAVAILABLE (ONEWINDOW_ASSISTANT_TIMEOUT)."),
    ] = 8.0
    app_link: Annotated[
        str,
        _doc(
            "Deep link that opens a pre-filled form in the phone app (ONEWINDOW_APP_LINK); the assistant's "
            "suggestions add ?matter=CODE or ?bundle=CODE."
        ),
    ] = "onewindow://apply"
    upload_storage: Annotated[
        Literal["local", "database"],
        _doc("Where uploads are kept (ONEWINDOW_UPLOAD_STORAGE): `local` (one instance only) or `database` (any)."),
    ] = "local"
    job_heartbeat_seconds: Annotated[int, _doc("A job's lease (ONEWINDOW_JOB_HEARTBEAT_SECONDS).")] = 30
    job_sweep_seconds: Annotated[
        int, _doc("How often dead workers' jobs are taken over (ONEWINDOW_JOB_SWEEP_SECONDS).")
    ] = 10
    job_schedule: Annotated[str, _doc("Jobs' other schedules, `name=cron;...` (ONEWINDOW_JOB_SCHEDULE).")] = ""
    webhook_timeout_seconds: Annotated[float, _doc("An endpoint's time (ONEWINDOW_WEBHOOK_TIMEOUT_SECONDS).")] = 10.0
    webhook_clock_scale: Annotated[
        float, _doc("Multiplies webhook retry delays and the 5 days to disabling (ONEWINDOW_WEBHOOK_CLOCK_SCALE).")
    ] = 1.0
    webhook_public_endpoints_only: Annotated[
        bool, _doc("Only https endpoints on public addresses (ONEWINDOW_WEBHOOK_PUBLIC_ENDPOINTS_ONLY; production: on)")
    ] = False
    webhook_lease_seconds: Annotated[float, _doc("A delivery's lease (ONEWINDOW_WEBHOOK_LEASE_SECONDS).")] = 60.0
    webhook_concurrency: Annotated[int, _doc("Sends at once per endpoint (ONEWINDOW_WEBHOOK_CONCURRENCY).")] = 16

    @property
    def is_production(self) -> bool:
        """True when running with production settings."""
        return self.env is Environment.PRODUCTION

    @property
    def webhook_endpoints_must_be_public(self) -> bool:
        """Webhook endpoints only https on public addresses: always in production, else by the setting."""
        return self.webhook_public_endpoints_only or self.is_production

    @property
    def trusted_proxy_networks(self) -> list[str]:
        """The trusted proxies as networks (a lone address is a /32 or /128), in the form uvicorn matches."""
        items = (item.strip() for item in self.trusted_proxies.split(","))
        return [str(ipaddress.ip_network(item, strict=False)) for item in items if item]

    @property
    def graphiql_enabled(self) -> bool:
        """GraphiQL is served unless turned off, and never by default in production."""
        return (not self.is_production) if self.graphiql is None else self.graphiql

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{Path(self.data_dir) / 'onewindow.sqlite3'}"

    @property
    def resolved_issuer(self) -> str:
        """The issuer URL in tokens and discovery (no trailing slash)."""
        return (self.issuer or self.public_url or "http://127.0.0.1:8000").rstrip("/")

    @property
    def resolved_catalog_dir(self) -> Path:
        """The catalog folder to import, defaulting to the bundled demo catalog."""
        if self.catalog_dir:
            return Path(self.catalog_dir)
        from backend.catalog.files import DEMO_CATALOG_DIR

        return DEMO_CATALOG_DIR


PREFIX = "ONEWINDOW_"
# A production master secret: long enough to resist guessing, and not one character repeated.
MIN_SECRET_LENGTH, MIN_SECRET_DISTINCT = 32, 12


# What a settings mistake is called in the operator's language (the gettext msgids).
UNKNOWN_SETTINGS, SETTINGS_REFUSED, PRODUCTION_REFUSED = (
    "unknown settings",
    "settings refused",
    ("production settings refused"),
)


class SettingsError(ValueError):
    """Settings that cannot be used: each problem names its variable and what to do about it."""

    def __init__(self, headline: str, problems: list[str]) -> None:
        super().__init__(headline + ": " + "; ".join(problems))
        self.headline = headline
        self.problems = problems


def _unknown(key: str, known: set[str]) -> str:
    names = sorted(PREFIX + name.upper() for name in known)
    close = difflib.get_close_matches(key, names, n=1)
    hint = f" Did you mean {close[0]}?" if close else ""
    return f"{key} is not a setting.{hint} (`onewindow settings` lists them all)"


def _converted(raw: dict[str, str]) -> Settings:
    try:
        return msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as error:
        # msgspec says "Expected `int`, got `str` - at `$.max_page_size`": name the variable instead
        found = re.search(r"\$\.(\w+)", str(error))
        name = PREFIX + found.group(1).upper() if found else "a setting"
        detail = str(error).split(" - at ")[0]
        raise SettingsError(SETTINGS_REFUSED, [f"{name}: {detail}"]) from None


def settings_from_env(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from ONEWINDOW_* variables; SettingsError names every problem found."""
    environ = dict(os.environ if environ is None else environ)
    known = set(Settings.__struct_fields__)
    raw: dict[str, str] = {}
    unknown = []
    for key, value in environ.items():
        if not key.startswith(PREFIX):
            continue
        name = key[len(PREFIX) :].lower()
        if name not in known:
            unknown.append(_unknown(key, known))
        raw[name] = value
    if unknown:
        raise SettingsError(UNKNOWN_SETTINGS, unknown)
    settings = _converted(raw)
    try:
        settings.trusted_proxy_networks  # noqa: B018 - a typo here would silently trust nobody
    except ValueError as error:
        problem = (
            f"ONEWINDOW_TRUSTED_PROXIES: {error} (give addresses or networks, comma-separated: 10.0.0.0/8,192.0.2.7)"
        )
        raise SettingsError(SETTINGS_REFUSED, [problem]) from None
    if settings.is_production:
        problems = production_problems(settings)
        if problems:
            raise SettingsError(PRODUCTION_REFUSED, problems)
    return settings


def production_problems(settings: Settings) -> list[str]:
    """What keeps `settings` from running in production, each naming its variable."""
    problems = []
    if not (settings.database_url and settings.redis_url):
        problems.append(
            "production needs ONEWINDOW_DATABASE_URL and ONEWINDOW_REDIS_URL: "
            "the embedded SQLite and Redis are for development only"
        )
    if not settings.secret_key:
        problems.append("ONEWINDOW_SECRET_KEY is required")
    elif len(settings.secret_key) < MIN_SECRET_LENGTH or len(set(settings.secret_key)) < MIN_SECRET_DISTINCT:
        problems.append(
            f"ONEWINDOW_SECRET_KEY must be at least {MIN_SECRET_LENGTH} random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    if urlsplit(settings.resolved_issuer).scheme != "https":
        # the issuer is in every token, and the sign-in cookie is Secure only on https
        problems.append("the issuer must be an https URL (ONEWINDOW_ISSUER or ONEWINDOW_PUBLIC_URL)")
    if settings.sms == "outbox":
        problems.append("the SMS outbox stand-in cannot send real messages (ONEWINDOW_SMS)")
    if settings.registry == "standin":
        problems.append("the synthetic population registry stand-in is for development (ONEWINDOW_REGISTRY)")
    if settings.finance_bureau == "standin":
        problems.append("the finance bureau stand-in cannot issue real fiscal receipts (ONEWINDOW_FINANCE_BUREAU)")
    if settings.certificate_library == "standin":
        problems.append("the certificate library stand-in allocates no real numbers (ONEWINDOW_CERTIFICATE_LIBRARY)")
    if settings.hotline == "standin":
        problems.append("the 12345 hotline stand-in sends no real work orders (ONEWINDOW_HOTLINE)")
    problems.extend(channel_production_problems(settings))
    assistant = urlsplit(settings.assistant_url)
    if assistant.scheme != "https" and assistant.hostname not in ("127.0.0.1", "localhost", "::1"):
        # each message carries a citizen's delegated token to the assistant
        problems.append("the assistant must be reached over https or on loopback (ONEWINDOW_ASSISTANT_URL)")
    return problems


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return settings_from_env()


def describe_settings() -> list[tuple[str, str, str]]:
    """(variable, default, description) for every setting, for docs and `onewindow settings`."""
    rows = []
    info = msgspec.inspect.type_info(Settings)
    assert isinstance(info, msgspec.inspect.StructType)
    for field in info.fields:
        ftype = field.type
        description = ""
        if isinstance(ftype, msgspec.inspect.Metadata):
            description = (ftype.extra_json_schema or {}).get("description", "")
        default = "" if field.default is msgspec.NODEFAULT else str(field.default)
        rows.append((PREFIX + field.name.upper(), default, description))
    return rows
