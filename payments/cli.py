"""`onewindow ledger | sandbox | payments`: money operations for finance staff and developers."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

import click

from backend.db.engine import in_new_transaction
from backend.settings import get_settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from backend.settings import Settings
    from payments.service import PaymentDeps

T = TypeVar("T")


def run(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work(session)` in one committed transaction on the configured database."""
    return asyncio.run(in_new_transaction(get_settings().resolved_database_url, work))


@click.group()
def ledger() -> None:
    """The double-entry ledger."""


@ledger.command("check")
def ledger_check() -> None:
    """Exit 0 only when every journal entry balances; print the totals and every account's balance."""
    from payments import ledger as book
    from payments.money import to_yuan

    async def work(session: AsyncSession) -> book.LedgerReport:
        return await book.check(session)

    report = run(work)
    meanings = _balance_meanings(report.balances)
    click.echo(f"journal entries: {report.entries}, postings: {report.postings}")
    click.echo(f"debits: {to_yuan(report.debits_fen)}  credits: {to_yuan(-report.credits_fen)}")
    for account, balance in report.balances.items():
        click.echo(f"  {account:<32} {to_yuan(balance):>14}  {meanings.get(account, '')}")
    if report.unbalanced_entries:
        click.echo(f"UNBALANCED entries: {report.unbalanced_entries}", err=True)
    click.echo("ledger balanced" if report.ok else "LEDGER DOES NOT BALANCE")
    if not report.ok:
        raise SystemExit(1)


def _balance_meanings(balances: dict[str, int]) -> dict[str, str]:
    """Each balance said in words in the terminal's language ("Owed to 广州市公安局: 250.00")."""
    import os

    from backend.i18n import catalogs, negotiate
    from backend.parties import PlatformParties
    from payments.finance.balances import explained_balances, said

    lines = run(lambda session: explained_balances(session, PlatformParties(), balances))
    # The terminal's language, as every command reads it (backend/cli/common.py, which payments may not import)
    lang = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or ""
    messages, locale = catalogs(get_settings().locales_dir), negotiate(lang.split(".")[0].replace("_", "-"))
    return {line.account: said(messages, locale, line) for line in lines}


def _payment_deps() -> tuple[Settings, PaymentDeps]:
    from backend.applications.unit import ApplicationDeps
    from backend.catalog.snapshot import load_snapshot
    from backend.certificates.runtime import build_numbers
    from backend.certificates.trustlog import log_key
    from backend.i18n import catalogs
    from backend.identity.runtime import message_channels
    from backend.identity.secrets import master_secret
    from backend.parties import PlatformParties
    from backend.payment_events import PlatformPaymentEvents
    from payments.runtime import build_payments

    settings = get_settings()
    secret = master_secret(settings)
    sms, registry = message_channels(settings)
    applications = ApplicationDeps(
        sms,
        catalogs(settings.locales_dir),
        registry,
        log_key(secret),
        build_numbers(settings),
        payment_days=settings.order_unpaid_days,
    )
    events = PlatformPaymentEvents(applications, load_snapshot)  # a job's pass reads the catalog once per order
    return settings, build_payments(settings, secret, PlatformParties(), events=events, own_pool=False)


@contextlib.asynccontextmanager
async def _sessions(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A session factory on a pool of its own for one pass of a job."""
    from backend.db.engine import create_engine, session_factory

    engine = create_engine(settings.resolved_database_url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


@click.group()
def payments() -> None:
    """Payment orders."""


@payments.command("reconcile")
@click.option("--older-than", "minutes", default=15, show_default=True, help="Ask about orders open this many minutes.")
def payments_reconcile(minutes: int) -> None:
    """Ask the channel about open orders whose notification never came: credit the paid, close the closed.

    It also closes at the channel the trades of orders closed here (a refused application's), so an
    order string the citizen still holds cannot be paid. `onewindow worker` runs this every 5 minutes;
    this is one pass by hand.
    """
    from payments.jobs import reconcile

    settings, deps = _payment_deps()

    async def work() -> dict[str, int]:
        async with _sessions(settings) as sessions:
            return await reconcile(sessions, deps, datetime.now(UTC) - timedelta(minutes=minutes))

    click.echo(json.dumps(asyncio.run(work())))


@payments.command("expire-unpaid")
def payments_expire_unpaid() -> None:
    """Close the orders left unpaid ONEWINDOW_ORDER_UNPAID_DAYS days: their applications are withdrawn and
    the citizens told (inbox and SMS). Prints how many. `onewindow worker` runs this hourly."""
    from payments.jobs import expire_unpaid

    settings, deps = _payment_deps()

    async def work() -> int:
        async with _sessions(settings) as sessions:
            return await expire_unpaid(sessions, deps, datetime.now(UTC))

    click.echo(json.dumps({"expired": asyncio.run(work())}))


@click.group()
def sandbox() -> None:
    """Local stand-ins of outside systems (development and tests only)."""


@sandbox.group("alipay", invoke_without_command=True)
@click.option("--port", type=int, default=None, help="Default: ONEWINDOW_ALIPAY_SANDBOX_PORT (8010).")
@click.pass_context
def sandbox_alipay(ctx: click.Context, port: int | None) -> None:
    """Run the Alipay sandbox gateway (notifications go out as Alipay sends them, retries included)."""
    if ctx.invoked_subcommand is not None:
        return
    settings = get_settings()
    if settings.is_production:
        raise click.ClickException("the Alipay sandbox is for development and tests only")
    import uvicorn

    from standins.alipay.app import Sandbox, create_sandbox_app
    from standins.alipay.keys import SandboxKeys

    port = port or settings.alipay_sandbox_port
    keys = SandboxKeys(settings.alipay_sandbox_dir)
    box = Sandbox(keys, settings.alipay_app_id, settings.alipay_seller_id, f"http://127.0.0.1:{port}")
    click.echo(f"Alipay sandbox on http://127.0.0.1:{port}/gateway.do (keys in {settings.alipay_sandbox_dir})")
    uvicorn.run(create_sandbox_app(box), host="127.0.0.1", port=port, log_level="warning")


@sandbox_alipay.command("pay")
@click.argument("out_trade_no")
@click.option("--port", type=int, default=None)
def sandbox_alipay_pay(out_trade_no: str, port: int | None) -> None:
    """Play the buyer: pay OUT_TRADE_NO at the running sandbox, whichever way the app launched it.

    The buyer presents what the citizen's app got from payOrder, as Alipay's app or browser would: an
    APP order string is handed to the sandbox's SDK stand-in, a WAP page is opened; a QR code's trade
    already exists at the gateway. Then the buyer pays.
    """
    import httpx

    from payments.paying import latest_launch

    port = port or get_settings().alipay_sandbox_port
    base = f"http://127.0.0.1:{port}"
    launch = run(lambda session: latest_launch(session, out_trade_no))
    with httpx.Client(base_url=base, timeout=10) as client:
        if launch is not None and launch.method == "app" and launch.order_string:
            opened = client.post("/sandbox/app-pay", json={"order_string": launch.order_string})
            if opened.status_code != 200 or "error" in opened.json():
                raise click.ClickException(f"the sandbox refused the order string: {opened.text}")
        elif launch is not None and launch.method == "wap" and launch.pay_url:
            opened = client.get(launch.pay_url)
            if opened.status_code != 200:
                raise click.ClickException(f"the sandbox refused the payment page: {opened.text}")
        response = client.post("/sandbox/pay", json={"out_trade_no": out_trade_no})
    click.echo(response.text)
    if response.status_code != 200:
        raise SystemExit(1)


@sandbox.group("wechatpay", invoke_without_command=True)
@click.option("--port", type=int, default=None, help="Default: ONEWINDOW_WECHATPAY_SANDBOX_PORT (8011).")
@click.pass_context
def sandbox_wechatpay(ctx: click.Context, port: int | None) -> None:
    """Run the WeChat Pay API v3 sandbox (signed replies, encrypted notifications retried on WeChat's schedule)."""
    if ctx.invoked_subcommand is not None:
        return
    settings = get_settings()
    if settings.is_production:
        raise click.ClickException("the WeChat Pay sandbox is for development and tests only")
    import uvicorn

    from standins.wechatpay.app import Sandbox, create_sandbox_app
    from standins.wechatpay.keys import SandboxKeys

    port = port or settings.wechatpay_sandbox_port
    keys = SandboxKeys(settings.wechatpay_sandbox_dir)  # the server reads the same files
    box = Sandbox(keys, settings.wechatpay_mchid, settings.wechatpay_appid, f"http://127.0.0.1:{port}")
    click.echo(f"WeChat Pay sandbox on http://127.0.0.1:{port} (keys in {settings.wechatpay_sandbox_dir})")
    uvicorn.run(create_sandbox_app(box), host="127.0.0.1", port=port, log_level="warning")


@sandbox_wechatpay.command("pay")
@click.argument("out_trade_no")
@click.option("--port", type=int, default=None)
def sandbox_wechatpay_pay(out_trade_no: str, port: int | None) -> None:
    """Play the buyer: pay OUT_TRADE_NO at the running WeChat Pay sandbox (launched by payOrder with WECHATPAY)."""
    import httpx

    port = port or get_settings().wechatpay_sandbox_port
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        response = client.post("/sandbox/pay", json={"out_trade_no": out_trade_no})
    click.echo(response.text)
    if response.status_code != 200:
        raise SystemExit(1)


COMMANDS = [ledger, payments, sandbox]
