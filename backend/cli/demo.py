"""`onewindow seed`: the demo data, and `onewindow personas`: the sandbox personas (development only)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from backend.cli.catalog import import_folder, prepare_database
from backend.cli.common import cli_locale, in_transaction, run
from backend.i18n import catalogs
from backend.identity.login_codes import SANDBOX_CODE
from backend.settings import get_settings

if TYPE_CHECKING:
    from backend.applications.unit import ApplicationDeps
    from backend.i18n import Locale


# --- seed ---------------------------------------------------------------------------------------
@click.command()
def seed() -> None:
    """Load the demo data (idempotent): the demo catalog, the synthetic population, demo accounts."""
    settings = get_settings()
    if settings.is_production:
        raise click.ClickException("seed loads demo data and refuses to run with production settings")
    run(lambda: prepare_database(settings, import_if_empty=False))
    run(lambda: import_folder(settings, settings.resolved_catalog_dir, dry_run=False, quiet=False))
    from backend.identity.secrets import master_secret
    from standins.seed import DEMO_PASSWORD, seed_identity, seed_persona_applications, seed_personas

    secret = master_secret(settings)
    report = in_transaction(lambda session: seed_identity(session, master_secret=secret))
    personas = in_transaction(lambda session: seed_personas(session, master_secret=secret))
    deps = _application_deps(secret)
    in_transaction(lambda session: seed_persona_applications(session, deps))
    from standins.alipay.keys import SandboxKeys

    SandboxKeys(settings.alipay_sandbox_dir)  # the sandbox and the server read the same key files
    from standins.wechatpay.keys import SandboxKeys as WechatPaySandboxKeys

    WechatPaySandboxKeys(settings.wechatpay_sandbox_dir)  # likewise, before `make run` starts both
    click.echo(f"population registry stand-in: {report.residents} residents")
    click.echo(f"certificate library stand-in: {report.certificates} certificates, each on the trust log")
    click.echo(
        "demo citizen: 李明, phone 13800138000 (married, Tianhe, one child). Sign in with\n"
        '  mutation { requestLoginCode(phone: "13800138000") { sent } }\n'
        "  uv run onewindow sms outbox --phone 13800138000      # shows the code\n"
        '  mutation { login(phone: "13800138000", code: "123456") { accessToken refreshToken } }'
    )
    click.echo(
        f"demo staff ({len(report.staff)}): officer.<department code in lower case> (e.g. officer.gz-ga), "
        f"finance, admin; password {DEMO_PASSWORD}\n"
        '  mutation { staffLogin(username: "admin", password: "...") { accessToken } }'
    )
    click.echo(
        f"sandbox personas ({personas}): sign in on a sandbox app (onewindow clients create --sandbox) with\n"
        f"  their phone and the code {SANDBOX_CODE}; `onewindow personas` lists them and their applications"
    )


def _application_deps(secret: bytes) -> ApplicationDeps:
    """The applications domain's dependencies as the server builds them (the personas' applications
    are submitted through it)."""
    from backend.applications.unit import ApplicationDeps
    from backend.certificates.runtime import build_numbers
    from backend.certificates.trustlog import log_key
    from backend.identity.runtime import message_channels

    settings = get_settings()
    sms, registry = message_channels(settings)
    messages = catalogs(settings.locales_dir)
    return ApplicationDeps(
        sms, messages, registry, log_key(secret), build_numbers(settings), payment_days=settings.order_unpaid_days
    )


# --- personas -----------------------------------------------------------------------------------
@click.group(invoke_without_command=True)
@click.pass_context
def personas(context: click.Context) -> None:
    """The sandbox personas: who a sandbox app signs in, with the code 000000 (no SMS is sent)."""
    if context.invoked_subcommand is not None:
        return
    from backend.applications.workdays import shanghai_date
    from backend.i18n import pick, pick_text
    from backend.identity.sandbox import LISTING
    from standins.certificates.persona_wallets import wallet
    from standins.population.personas import PERSONAS

    locale, today = cli_locale(), shanghai_date(datetime.now(UTC))
    said = catalogs(get_settings().locales_dir)
    label = {name: said.gettext(locale, text) for name, text in LISTING.items() if name != "intro"}
    rows = [[label[name] for name in ("persona", "name", "phone", "id_number", "age", "region")]]
    for persona in PERSONAS:
        who = persona.person
        # Synthetic residents whose numbers a developer types in: shown whole, as nobody's personal data.
        age = str(persona.age_on(today))
        rows.append([persona.key, who.name, who.phone or "", who.id_number, age, pick(persona.region, locale)])
    made = run(lambda: _known_applications(locale))
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    click.echo(said.gettext(locale, LISTING["intro"], code=SANDBOX_CODE) + "\n")
    click.echo(_line(rows[0], widths))
    english = locale.value == "en"
    indent, comma, colon = " " * (widths[0] + 2), ", " if english else "、", ": " if english else "："
    for persona, row in zip(PERSONAS, rows[1:], strict=True):
        click.echo(_line(row, widths))
        held = comma.join(pick_text(kind.name, locale) for kind in wallet(persona.key))
        click.echo(f"{indent}{label['certificates']}{colon}{held}")
        click.echo(f"{indent}{label['purpose']}{colon}{pick(persona.purpose, locale)}")
        if persona.applications:
            listed = comma.join(made.get(persona.key, [])) or label["unseeded"]
            click.echo(f"{indent}{label['applications']}{colon}{listed}")


async def _known_applications(locale: Locale) -> dict[str, list[str]]:
    """Persona key -> their seeded known applications as a person reads them: "<matter> (<status>)"."""
    from sqlalchemy import select

    from backend.applications.states import Status
    from backend.applications.texts import STATUS_LABELS
    from backend.db import tables as t
    from backend.db.engine import create_engine, session_factory
    from backend.i18n import pick
    from standins.population.personas import PERSONAS

    settings = get_settings()
    said = catalogs(settings.locales_dir)
    engine = create_engine(settings.resolved_database_url)
    a, c, m = t.applications.c, t.citizens.c, t.matters.c
    try:
        async with session_factory(engine)() as session:
            rows = (
                await session.execute(
                    select(c.phone, a.matter_code, a.status, m.name)
                    .join(t.citizens, t.citizens.c.id == a.citizen_id)
                    .join(t.matters, m.code == a.matter_code)
                    .where(c.phone.in_([p.person.phone for p in PERSONAS]))
                    .order_by(a.submitted_at)
                )
            ).all()
    finally:
        await engine.dispose()
    opening, closing = (" (", ")") if locale.value == "en" else ("（", "）")
    made: dict[str, list[str]] = {}
    for persona in PERSONAS:
        known = {x.matter_code for x in persona.applications}
        first: dict[str, Any] = {}  # a developer may have applied again: the seeded one is the first of its matter
        for row in rows:
            if row.phone == persona.person.phone and row.matter_code in known:
                first.setdefault(row.matter_code, row)
        made[persona.key] = [
            opening.join((pick(row.name, locale), said.gettext(locale, STATUS_LABELS[Status(row.status)]))) + closing
            for row in first.values()
        ]
    return made


@personas.command("withdraw-consent")
@click.argument("key")
@click.argument("client_id")
def personas_withdraw_consent(key: str, client_id: str) -> None:
    """A persona withdraws an app's access to their data, as a citizen does in the platform's app (which
    signs no persona in): the app's sessions end at once, its refresh token is refused."""
    from backend.cli.identity import end_sessions
    from backend.identity import audit, oidc
    from backend.identity.models import RequestMeta, SubjectType
    from standins.population.personas import PERSONAS

    chosen = next((p for p in PERSONAS if p.key == key), None)
    if chosen is None:
        raise click.BadParameter(f"one of {', '.join(p.key for p in PERSONAS)}", param_hint="KEY")

    async def work(session: Any) -> int:
        from sqlalchemy import select

        from backend.db import tables as t

        found = select(t.citizens.c.id).where(t.citizens.c.phone == chosen.person.phone)
        citizen_id = (await session.execute(found)).scalar_one_or_none()
        if citizen_id is None:
            raise click.ClickException("the personas are not seeded here: run onewindow seed")
        await oidc.revoke_consent(session, citizen_id, client_id)
        ended = await end_sessions(session, SubjectType.CITIZEN, citizen_id, "consent_revoked", client_id=client_id)
        await audit.record(
            session,
            audit.AuditAction.CONSENT_REVOKED,
            actor_type="citizen",
            actor_id=citizen_id,
            client_id=client_id,
            meta=RequestMeta(),
        )
        return ended

    ended = in_transaction(work)
    click.echo(f"{key} withdrew the consent given to {client_id}; {ended} session(s) ended")


def _width(text: str) -> int:
    """The columns `text` takes in a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _line(cells: list[str], widths: list[int]) -> str:
    return "  ".join(cell + " " * (width - _width(cell)) for cell, width in zip(cells, widths, strict=True)).rstrip()


COMMANDS = [seed, personas]
