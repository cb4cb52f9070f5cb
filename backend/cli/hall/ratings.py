"""`onewindow hall ratings`: the published 好差评 figures of a hall, a department or a matter."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import click

from backend.cli.common import cli_locale, domain_error, run

if TYPE_CHECKING:
    from backend.hall.ratings.figures import Figures
    from backend.i18n import Catalogs, Locale


def _percent(share: float | None, messages: Catalogs, locale: Locale) -> str:
    from backend.hall.ratings.figures import LABELS

    return f"{share * 100:.1f}%" if share is not None else messages.gettext(locale, LABELS["none"])


def _lines(found: Figures, messages: Catalogs, locale: Locale) -> list[str]:
    from backend.hall.ratings.figures import LABELS
    from backend.hall.ratings.levels import LEVEL_LABELS

    def say(key: str) -> str:
        return messages.gettext(locale, LABELS[key])

    lines = [
        f"{say('ratings')}: {found.ratings}",
        f"{say('satisfaction_rate')}: {_percent(found.satisfaction_rate, messages, locale)}",
        f"{say('defaulted')}: {found.defaulted}",
    ]
    lines += [f"  {messages.gettext(locale, LEVEL_LABELS[level])}: {n}" for level, n in found.per_level.items()]
    on_time = _percent(found.rectified_on_time_rate, messages, locale)
    lines += [
        f"{say('bad')}: {found.bad}",
        f"{say('excluded')}: {found.excluded}",
        f"{say('rectified_on_time')}: {found.rectified_on_time}/{found.cases_due} ({on_time})",
        f"{say('escalated')}: {found.escalated}",
    ]
    return lines


def register(group: click.Group) -> None:
    """Add these commands to `onewindow hall`."""

    @group.command("ratings")
    @click.option("--hall", "hall_code", help="A hall's code.")
    @click.option("--department", "department_code", help="A department's code.")
    @click.option("--matter", "matter_code", help="A matter's code.")
    @click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First Beijing day (30 days ago).")
    @click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last Beijing day (today).")
    def ratings(
        hall_code: str | None,
        department_code: str | None,
        matter_code: str | None,
        start: datetime | None,
        end: datetime | None,
    ) -> None:
        """The published 好差评 figures of one hall, department or matter, labelled in your language."""
        from backend.db.engine import create_engine, session_factory
        from backend.errors import DomainError
        from backend.hall.ratings.figures import SHANGHAI, Scope, figures
        from backend.i18n import catalogs
        from backend.settings import get_settings

        now = datetime.now(UTC)
        last: date = end.date() if end else now.astimezone(SHANGHAI).date()
        first: date = start.date() if start else last - timedelta(days=30)
        settings = get_settings()

        async def work() -> Figures:
            engine = create_engine(settings.resolved_database_url)
            try:
                async with session_factory(engine)() as session:
                    return await figures(session, Scope(hall_code, department_code, matter_code), first, last, now)
            finally:
                await engine.dispose()

        try:
            found = run(work)
        except DomainError as error:
            raise domain_error(error) from error
        for line in _lines(found, catalogs(settings.locales_dir), cli_locale()):
            click.echo(line)
