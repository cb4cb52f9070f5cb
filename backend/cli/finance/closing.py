"""`onewindow finance`: resolving breaks, closing a day and checking its record, clearing to departments (issue 18)."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add these commands to `onewindow finance`."""
