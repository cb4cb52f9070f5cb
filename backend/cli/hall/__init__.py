"""`onewindow hall ...`: the hall's commands. One group; appointments, queues and 好差评 each add theirs
from a module of their own."""

from __future__ import annotations

import click


@click.group("hall")
def hall() -> None:
    """Service halls: appointments, queue numbers, 好差评 ratings and rectification."""


def _register() -> None:
    from backend.cli.hall import appointments, queue, ratings

    for module in (appointments, queue, ratings):
        module.register(hall)


_register()
COMMANDS = [hall]
