"""`onewindow finance ...`: finance staff's commands. One group; each part of finance adds its commands
from a module of its own (views and exports, reconciliation, closing and clearing)."""

from __future__ import annotations

import click


@click.group("finance")
def finance() -> None:
    """Finance staff: payments and refunds, exports, reconciliation, closing a day, clearing."""


def _register() -> None:
    from backend.cli.finance import closing, reconciliation, views

    for module in (views, reconciliation, closing):
        module.register(finance)


_register()
COMMANDS = [finance]
