"""A table a person reads: what finance exports (xlsx, CSV) and lists are made of.

Producers (payments/finance, payments/reconciliation, payments/closing) build a `Table`; the export
writers turn it into a file. Values are typed, never pre-formatted: money as integer fen (written as a
number with two decimals), moments as aware datetimes (written in Beijing time), days as dates. Titles
and labels are gettext msgids (English), said in the reader's language by the writer; a cell that
holds a code shows its label instead (a producer resolves labels, never the writer).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from typing import Literal

import msgspec

# "label": the cell is a gettext msgid (a state's or a channel's name), said in the reader's language by
# the writer; "text" is written as it is (a name, a number the channel gave).
ColumnKind = Literal["text", "label", "money", "moment", "day", "integer"]
Cell = str | int | datetime | date | tuple[str, ...] | None
"""A tuple is several labels (msgids) in one cell, said one by one and joined with "; "."""


class Column(msgspec.Struct, frozen=True):
    """One column: its key (stable, for machines), its title (a msgid) and how its values are written."""

    key: str
    title: str
    kind: ColumnKind = "text"


class Table(msgspec.Struct, frozen=True, kw_only=True):
    """A titled table whose rows come one batch at a time (a city's day of payments is a million rows)."""

    name: str  # the file's stem, e.g. payments-2026-12-06
    title: str  # a msgid, e.g. "Payments"
    columns: Sequence[Column]
    rows: AsyncIterator[Sequence[Sequence[Cell]]]  # batches of rows, each as long as `columns`
