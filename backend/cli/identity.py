"""`onewindow keys | clients | staff | sms`: identity operations for platform operators."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from backend.cli.common import domain_error, in_transaction
from backend.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from backend.identity.models import Client


# --- keys ---------------------------------------------------------------------------------------
@click.group()
def keys() -> None:
    """Token signing keys (ES256)."""


@keys.command("rotate")
def keys_rotate() -> None:
    """Add a new signing key; older keys keep verifying until their tokens have expired."""
    from backend.identity import audit
    from backend.identity import keys as signing
    from backend.identity.secrets import derive, master_secret

    encryption_key = derive(master_secret(get_settings()), "signing-keys")

    async def work(session: AsyncSession) -> str:
        kid = await signing.rotate(session, encryption_key)
        await audit.record(session, audit.AuditAction.KEYS_ROTATED, kid=kid)
        return kid

    kid = in_transaction(work)
    click.echo(f"new signing key {kid}; running servers pick it up within 30 seconds or at the first token it signs")


@keys.command("list")
def keys_list() -> None:
    """The signing keys and their state."""
    from sqlalchemy import select

    from backend.db import tables as t

    async def work(session: AsyncSession) -> list[tuple[str, datetime, datetime | None]]:
        k = t.signing_keys
        rows = await session.execute(select(k.c.kid, k.c.created_at, k.c.retired_at).order_by(k.c.created_at))
        return [(r.kid, r.created_at, r.retired_at) for r in rows]

    for kid, created, retired in in_transaction(work):
        state = f"retired {retired:%Y-%m-%d %H:%M}" if retired else "signing"
        click.echo(f"{kid}  created {created:%Y-%m-%d %H:%M}  {state}")


# --- clients ------------------------------------------------------------------------------------
@click.group()
def clients() -> None:
    """OAuth clients: mini-programs, the assistant, other relying parties."""


@clients.command("create")
@click.option("--name", required=True, help="Shown to citizens on the consent page.")
@click.option("--redirect-uri", "redirect_uris", multiple=True, required=True, help="Exact redirect URI (repeatable).")
@click.option("--scope", "scopes", multiple=True, required=True, help="Allowed scope (repeatable), e.g. openid.")
@click.option("--public", is_flag=True, help="A public client (no secret; PKCE only), e.g. a native app.")
@click.option(
    "--sandbox", is_flag=True, help="Signs in only the sandbox personas (onewindow personas), with the code 000000."
)
@click.option("--documents-only", is_flag=True, help="May call only trusted documents (its own and the platform's).")
def clients_create(
    name: str,
    redirect_uris: tuple[str, ...],
    scopes: tuple[str, ...],
    public: bool,
    sandbox: bool,
    documents_only: bool,
) -> None:
    """Register a client and print its id and (once) its secret."""
    from backend.identity import clients as registry

    async def work(session: AsyncSession) -> tuple[Client, str | None]:
        return await registry.create_client(
            session,
            name=name,
            redirect_uris=list(redirect_uris),
            scopes=list(scopes),
            confidential=not public,
            sandbox=sandbox,
            documents_only=documents_only,
        )

    try:
        client, secret = in_transaction(work)
    except Exception as error:
        raise domain_error(error) from None
    click.echo(f"client_id:     {client.client_id}")
    if secret:
        click.echo(f"client_secret: {secret}   (shown once: store it now)")


@clients.command("rotate-secret")
@click.argument("client_id")
def clients_rotate_secret(client_id: str) -> None:
    """Give a client a new secret; the old one stops working at once."""
    from backend.identity import clients as registry

    try:
        secret = in_transaction(lambda session: registry.rotate_secret(session, client_id))
    except Exception as error:
        raise domain_error(error) from None
    click.echo(f"client_secret: {secret}   (shown once: store it now)")


@clients.command("list")
def clients_list() -> None:
    """Every registered client."""
    from backend.identity import clients as registry

    for client in in_transaction(registry.list_clients):
        kind = "first-party" if client.first_party else ("confidential" if client.confidential else "public")
        mode = "sandbox" if client.sandbox else "live"
        click.echo(f"{client.client_id}  {kind:<12}  {mode:<7}  {client.name}  scopes={' '.join(client.scopes)}")


# --- staff --------------------------------------------------------------------------------------
@click.group()
def staff() -> None:
    """Department officers, finance staff, platform admins and app developers."""


@staff.command("create")
@click.option("--username", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    help="officer:DEPARTMENT_CODE, hall_manager:HALL_CODE, finance, admin or developer (repeatable).",
)
@click.password_option(help="At least 12 characters (prompted when not given).")
def staff_create(username: str, name: str, roles: tuple[str, ...], password: str) -> None:
    """Create a staff account (or reset its password and roles)."""
    from backend.identity import staff as accounts
    from backend.identity.models import Role, RoleGrant

    try:
        grants = [RoleGrant(Role(r.partition(":")[0]), r.partition(":")[2]) for r in roles]
    except ValueError:
        raise click.BadParameter(
            "roles are officer:DEPARTMENT_CODE, hall_manager:HALL_CODE, finance, admin or developer",
            param_hint="--role",
        ) from None

    async def work(session: Any) -> int:
        member = await accounts.create_staff(session, username=username, name=name, password=password, roles=grants)
        return await _end_staff_sessions(session, member.id)  # a reset password ends existing sign-ins

    try:
        ended = in_transaction(work)
    except Exception as error:
        raise domain_error(error) from None
    click.echo(f"staff {username} ready: {', '.join(roles)}" + (f"; {ended} session(s) ended" if ended else ""))


@staff.command("disable")
@click.argument("username")
def staff_disable(username: str) -> None:
    """Disable an account; its sessions end at once."""
    from backend.identity import staff as accounts

    async def work(session: Any) -> int:
        return await _end_staff_sessions(session, await accounts.set_disabled(session, username, True))

    try:
        ended = in_transaction(work)
    except Exception as error:
        raise domain_error(error) from None
    click.echo(f"staff {username} disabled; {ended} session(s) ended")


async def _end_staff_sessions(session: Any, staff_id: str) -> int:
    """Revoke a staff member's sessions (a reset password or a disabled account ends every sign-in)."""
    from backend.identity.models import SubjectType

    return await end_sessions(session, SubjectType.STAFF, staff_id, "staff_changed")


async def end_sessions(
    session: Any, subject_type: Any, subject_id: str, reason: str, *, client_id: str | None = None
) -> int:
    """Revoke a subject's live sessions (only those with `client_id` when given) in the database and,
    when a Redis is reachable, on every running server at once. How many were live."""
    from datetime import timedelta

    from backend.identity.sessions import Sessions, revoke_in_database
    from backend.kv import connect, running_redis_url

    settings = get_settings()
    url = running_redis_url(settings.redis_url, settings.data_dir)
    if url is None:  # no server is running: the database is what they read when they start
        return await revoke_in_database(session, subject_type, subject_id, reason, client_id=client_id)
    redis = connect(url)
    try:
        store = Sessions(session, redis, lifetime=timedelta(days=settings.session_days))
        live = await store.live_ids(subject_type, subject_id)
        if client_id is not None:
            live = await _of_client(session, live, client_id)
        return await store.revoke(live, reason)
    finally:
        await redis.aclose()


async def _of_client(session: Any, session_ids: list[str], client_id: str) -> list[str]:
    from sqlalchemy import select

    from backend.db import tables as t

    s = t.sessions.c
    rows = await session.execute(select(s.id).where(s.id.in_(session_ids), s.client_id == client_id))
    return list(rows.scalars())


# --- sms ----------------------------------------------------------------------------------------
@click.group()
def sms() -> None:
    """The SMS stand-in (development only)."""


@sms.command("outbox")
@click.option("--phone", help="Only this phone's messages.")
@click.option("--limit", default=20, show_default=True)
def sms_outbox(phone: str | None, limit: int) -> None:
    """Print the messages the SMS stand-in kept, newest last."""
    settings = get_settings()
    if settings.sms != "outbox":
        raise click.ClickException("the SMS outbox is only used in development (ONEWINDOW_SMS=outbox)")
    from standins.sms import outbox

    for sent_at, to, body in in_transaction(lambda session: outbox(session, phone, limit)):
        click.echo(f"{sent_at:%Y-%m-%d %H:%M:%S}  {to}  {body}")


COMMANDS = [keys, clients, staff, sms]
