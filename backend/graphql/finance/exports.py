"""Exports finance staff open in Excel: a download link for a table, as .xlsx or CSV (issue 18)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

import strawberry

from backend.application_references import PlatformReferences
from backend.exports.links import signed_export_url
from backend.exports.registry import builder_for, check_request, export_builders
from backend.graphql import permissions
from backend.graphql.context import Info
from backend.graphql.errors import PayloadError
from backend.graphql.payments.types import PaymentChannel
from backend.graphql.pipeline import caller, mutate, mutation
from backend.identity.models import Role
from payments.finance.exportable import ExportRequest
from payments.finance.exports import record_export

LINK_SECONDS = 300  # long enough to click, short enough that a forwarded link soon opens nothing


@strawberry.enum(description="What to export.")
class FinanceExportKind(Enum):
    PAYMENTS = "payments"
    REFUNDS = "refunds"
    DEPARTMENT_TOTALS = "department_totals"
    RECONCILIATION = "reconciliation"
    CLEARING = "clearing"


@strawberry.enum(
    description="The file: .xlsx, CSV in UTF-8 (with a BOM), or CSV in GBK for Excel on a Chinese Windows."
)
class FinanceExportFormat(Enum):
    XLSX = "xlsx"
    CSV = "csv"
    CSV_GBK = "csv_gbk"


@strawberry.input(
    description="One export: a kind over Beijing days (at most 92), optionally one department or channel."
)
class ExportFinanceInput:
    kind: FinanceExportKind
    day_from: date
    day_to: date = strawberry.field(description="Inclusive.")
    format: FinanceExportFormat = FinanceExportFormat.XLSX
    department_code: str | None = None
    channel: PaymentChannel | None = None


@strawberry.type(description="A download link to the export, valid for a few minutes (ask again for a fresh one).")
class FinanceExport:
    url: str
    expires_at: datetime


@strawberry.type
class ExportFinancePayload:
    export: FinanceExport | None
    errors: list[PayloadError]


@strawberry.type
class ExportMutation:
    @mutation(
        "A short-lived download link to payments, refunds (and, once wired, department totals, reconciliation and "
        "clearing) of Beijing days as .xlsx or CSV (finance staff). The export is kept in the finance audit trail.",
        permission=permissions.HasRole(Role.FINANCE, Role.ADMIN),
    )
    async def export_finance(self, info: Info, input: ExportFinanceInput) -> ExportFinancePayload:
        staff = caller(info).subject_id
        context = info.context
        parties = context.resources.payments.parties
        request = ExportRequest(
            kind=input.kind.value,
            day_from=input.day_from,
            day_to=input.day_to,
            format=input.format.value,
            department_code=input.department_code or None,
            channel=input.channel.value if input.channel else None,
            locale=context.locale.value,
        )

        async def work() -> Any:
            builder_for(export_builders(parties, PlatformReferences()), request.kind)
            await check_request(context.session, parties, request)
            await record_export(context.session, request, staff)
            base = (context.settings.public_url or "http://127.0.0.1:8000").rstrip("/")
            return signed_export_url(base, context.resources.identity.master_secret, request, staff, LINK_SECONDS)

        made, errors = await mutate(info, work)
        if made is None:
            return ExportFinancePayload(export=None, errors=errors)
        url, expires = made
        return ExportFinancePayload(
            export=FinanceExport(url=url, expires_at=datetime.fromtimestamp(expires, UTC)), errors=[]
        )
