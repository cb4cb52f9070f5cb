"""What finance staff can export, and how an export is asked for.

Each kind is built by a function of its own part of finance (`Builder`): the finance views build
payments and refunds, reconciliation builds a run's items and breaks, closing builds department day
totals and clearing instructions. The export writers (xlsx, CSV in UTF-8 with BOM or GBK) and the
download link are the same for all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Literal

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from backend.tabular import Table

ExportKind = Literal["payments", "refunds", "department_totals", "reconciliation", "clearing"]
ExportFormat = Literal["xlsx", "csv", "csv_gbk"]


class ExportRequest(msgspec.Struct, frozen=True, kw_only=True):
    """One export: a kind over Beijing days, optionally one department or channel."""

    kind: ExportKind
    day_from: date
    day_to: date  # inclusive
    format: ExportFormat = "xlsx"
    department_code: str | None = None
    channel: str | None = None
    locale: str = "zh-Hans"  # the reader's: departments' names are picked in it (titles and labels by the writer)


def file_stem(request: ExportRequest) -> str:
    """The export's file name without its extension: payments-2026-12-06, refunds-2026-12-01-to-2026-12-06."""
    days = f"{request.day_from}" if request.day_from == request.day_to else f"{request.day_from}-to-{request.day_to}"
    return f"{request.kind}-{days}"


Builder = Callable[[AsyncSession, ExportRequest], Awaitable[Table]]
"""Builds the table of one kind (reads only; rows streamed in batches)."""
