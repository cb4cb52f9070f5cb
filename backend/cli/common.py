"""What every `onewindow` command shares: running a coroutine, a transaction, the terminal's language,
domain errors as one clear line, and the progress bar."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, ProgressColumn, TextColumn, TimeElapsedColumn

from backend.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from backend.i18n import Locale

T = TypeVar("T")
err = Console(stderr=True)


def run(work: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to its end (a command is one event loop)."""
    return asyncio.run(work())  # type: ignore[arg-type]


def in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work(session)` in one committed transaction on the configured database."""
    from backend.db.engine import in_new_transaction

    return asyncio.run(in_new_transaction(get_settings().resolved_database_url, work))


def cli_locale() -> Locale:
    """An operator's terminal language: LANG=en_US.UTF-8 -> en, zh_TW.UTF-8 -> zh-Hant."""
    from backend.i18n import negotiate

    lang = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or ""
    return negotiate(lang.split(".")[0].replace("_", "-"))


def domain_error(error: Exception) -> click.ClickException:
    """A domain error as one line in the operator's language (its field first); anything else as is."""
    from backend.errors import MESSAGES, DomainError
    from backend.i18n import catalogs

    if isinstance(error, DomainError):
        text = catalogs(get_settings().locales_dir).gettext(cli_locale(), MESSAGES[error.code], **error.params)
        return click.ClickException(f"{error.field + ': ' if error.field else ''}{text}")
    return click.ClickException(str(error))


def progress_columns(width: int = 18) -> list[ProgressColumn]:
    """The columns of every progress bar: what, the bar, done of total, time so far."""
    return [TextColumn(f"{{task.description:<{width}}}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]


def echo_json(value: Any) -> None:
    """Print JSON as the commands' --json options do."""
    import json

    click.echo(json.dumps(value, ensure_ascii=False, indent=1))
