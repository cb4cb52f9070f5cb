"""Which builder makes each kind of export, the checks every export request passes, and one way to
write an export to a file (the CLI's --out, the download's temporary xlsx).

The finance views build payments and refunds; reconciliation, department totals and clearing are built
by their own parts of finance (payments/reconciliation, payments/closing). A kind without a builder is a
clear error (EXPORT_KIND_UNAVAILABLE), not an empty file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from backend.errors import DomainError
from backend.exports.writers import Progress, Say, csv_chunks, write_xlsx
from backend.tabular import Table
from payments.closing.exports import clearing_table, department_totals_table
from payments.finance.days import MAX_EXPORT_DAYS, check_days
from payments.finance.errors import FinanceErrorCode
from payments.finance.exportable import Builder, ExportFormat, ExportRequest
from payments.finance.exports import payments_builder, refunds_builder
from payments.finance.references import References
from payments.parties import Parties
from payments.reconciliation.export import build as reconciliation_table


def export_builders(parties: Parties, references: References) -> dict[str, Builder]:
    """Each kind of export the platform can make, by kind."""
    return {
        "payments": payments_builder(parties, references),
        "refunds": refunds_builder(parties, references),
        "reconciliation": reconciliation_table,
        "department_totals": department_totals_table,
        "clearing": clearing_table,
    }


def builder_for(builders: Mapping[str, Builder], kind: str) -> Builder:
    """The builder of `kind`; EXPORT_KIND_UNAVAILABLE for one not wired in yet."""
    found = builders.get(kind)
    if found is None:
        raise DomainError(FinanceErrorCode.EXPORT_KIND_UNAVAILABLE, field="kind", kind=kind)
    return found


async def check_request(session: AsyncSession, parties: Parties, request: ExportRequest) -> None:
    """Refuse what a finance person could not mean: days reversed, too many or to come; an unknown department."""
    check_days(request.day_from, request.day_to, max_days=MAX_EXPORT_DAYS)
    await check_department(session, parties, request.department_code)


async def check_department(
    session: AsyncSession, parties: Parties, code: str | None, field: str = "departmentCode"
) -> None:
    """FINANCE_UNKNOWN_DEPARTMENT unless `code` is none or a department of the catalog."""
    if code and not await parties.issuing_units(session, [code]):
        raise DomainError(FinanceErrorCode.FINANCE_UNKNOWN_DEPARTMENT, field=field, department=code)


async def write_file(
    table: Table, format: ExportFormat, say: Say, path: Path, progress: Progress | None = None
) -> None:
    """Write the table to `path` in `format`."""
    if format == "xlsx":
        await write_xlsx(table, path, say, progress)
        return
    with path.open("wb") as out:
        async for chunk in csv_chunks(table, say, "gbk" if format == "csv_gbk" else "utf-8-sig", progress):
            out.write(chunk)
