"""`onewindow seed`: the demo data (development only)."""

from __future__ import annotations

import click

from backend.cli.catalog import import_folder, prepare_database
from backend.cli.common import in_transaction, run
from backend.settings import get_settings


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
    from standins.seed import DEMO_PASSWORD, seed_identity

    secret = master_secret(settings)
    report = in_transaction(lambda session: seed_identity(session, master_secret=secret))
    from standins.alipay.keys import SandboxKeys

    SandboxKeys(settings.alipay_sandbox_dir)  # the sandbox and the server read the same key files
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


COMMANDS = [seed]
