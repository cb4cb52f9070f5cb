"""`onewindow hall`: the ratings commands."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add these commands to `onewindow hall`."""
    del group
