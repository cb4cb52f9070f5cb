"""`onewindow finance`: reconciling the channels' bills, runs and breaks (issue 18)."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add these commands to `onewindow finance`."""
