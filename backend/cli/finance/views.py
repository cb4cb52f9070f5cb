"""`onewindow finance`: payments and refunds found, department day totals, exports (issue 18)."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add these commands to `onewindow finance`."""
