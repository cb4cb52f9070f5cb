"""The `onewindow` command: one group, a module per domain (and payments' own commands).

serve, migrate, export-schema, settings      backend.cli.server
catalog, seed                                backend.cli.catalog, backend.cli.demo
keys, clients, staff, sms                    backend.cli.identity
clients add-developer | usage, usage         backend.cli.usage
documents                                    backend.cli.documents
webhooks                                     backend.cli.webhooks
sla, certificates, rules                     backend.cli.applications, backend.cli.rules
calendar                                     backend.cli.calendar
ledger, payments, sandbox                    payments.cli
finance                                      backend.cli.finance
hall                                         backend.cli.hall
"""

from __future__ import annotations

from typing import Any

import click

from backend.settings import SettingsError

STANDINS_MISSING = (
    "this command needs the stand-ins of external systems (standins/), which only a development "
    "checkout has (git clone, then uv sync); a production install does not ship them"
)


class _Onewindow(click.Group):
    """The command group; settings that cannot be used end a command with one clear line each."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SettingsError as error:
            from backend.cli.common import cli_locale
            from backend.i18n import catalogs
            from backend.settings import PROJECT_ROOT

            # The settings cannot be read, the catalogs' folder among them: the bundled one says it.
            headline = catalogs(str(PROJECT_ROOT / "locales")).gettext(cli_locale(), error.headline)
            click.secho(f"onewindow: {headline}", fg="red", bold=True, err=True)
            for problem in error.problems:
                click.echo(f"  - {problem}", err=True)
            ctx.exit(2)
        except ModuleNotFoundError as error:
            if not (error.name or "").startswith("standins"):
                raise
            # A development command (seed, the sandbox, the SMS outbox) in an install without them.
            click.secho(f"onewindow: {STANDINS_MISSING}", fg="red", bold=True, err=True)
            ctx.exit(2)


@click.group(cls=_Onewindow, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="onewindow")
def main() -> None:
    """onewindow: one GraphQL backend for the citizen super-app (一网通办)."""


def _register() -> None:
    from backend.cli import applications, calendar, catalog, demo, documents, identity, jobs, rules, server
    from backend.cli import finance as finance_commands
    from backend.cli import hall as hall_commands
    from backend.cli import usage as usage_commands
    from backend.cli import webhooks as webhook_commands
    from payments import cli as payment_commands

    modules = (server, jobs, catalog, demo, identity, documents, applications, calendar, rules, payment_commands)
    for module in (*modules, usage_commands, webhook_commands, finance_commands, hall_commands):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
