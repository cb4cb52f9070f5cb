"""Catalog queries: matters (paginated, filtered), bundles, departments, halls, certificate types."""

from __future__ import annotations

import strawberry

from backend.catalog import models as m
from backend.graphql.catalog.places import CertificateType, Department, Hall
from backend.graphql.catalog.types import Bundle, Matter, MatterEdge, MatterFilter
from backend.graphql.context import Info
from backend.graphql.pagination import PageInfo, check_page_size, decode_cursor, encode_cursor


@strawberry.type(description="A page of matters (Relay connection).")
class MatterConnection:
    edges: list[MatterEdge]
    page_info: PageInfo
    where: strawberry.Private[m.MatterFilter]

    @strawberry.field(description="How many matters the filter selects, on all pages.")
    async def total_count(self, info: Info) -> int:
        return (await info.context.catalog_snapshot()).count(self.where)


@strawberry.type
class CatalogQuery:
    @strawberry.field(description="One matter by code; null when there is none.")
    async def matter(self, info: Info, code: str) -> Matter | None:
        found = (await info.context.catalog_snapshot()).by_code.get(code)
        return Matter.build(found, info.context.locale) if found else None

    @strawberry.field(description="Matters ordered by code, a page at a time.")
    async def matters(
        self, info: Info, first: int, after: str | None = None, filter: MatterFilter | None = None
    ) -> MatterConnection:
        ctx = info.context
        size = check_page_size(first, ctx.settings.max_page_size)
        where = filter.to_model() if filter else m.MatterFilter()
        page = (await ctx.catalog_snapshot()).page(where, size, decode_cursor(after))
        locale = ctx.locale
        edges = [MatterEdge(cursor=encode_cursor(x.code), node=Matter.build(x, locale)) for x in page.items]
        return MatterConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=page.has_previous,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            where=where,
        )

    @strawberry.field(description="One life-event bundle by code; null when there is none.")
    async def bundle(self, info: Info, code: str) -> Bundle | None:
        snapshot = await info.context.catalog_snapshot()
        found = snapshot.bundle_by_code.get(code)
        return Bundle.build(found, info.context.locale) if found else None

    @strawberry.field(description="Every life-event bundle (一件事).")
    async def bundles(self, info: Info) -> list[Bundle]:
        return [Bundle.build(b, info.context.locale) for b in (await info.context.catalog_snapshot()).bundles]

    @strawberry.field(description="Every department.")
    async def departments(self, info: Info) -> list[Department]:
        snapshot = await info.context.catalog_snapshot()
        departments = sorted(snapshot.departments.values(), key=lambda d: d.code)
        return [Department.build(d, info.context.locale) for d in departments]

    @strawberry.field(description="Every service hall.")
    async def halls(self, info: Info) -> list[Hall]:
        return [Hall.build(h, info.context.locale) for h in (await info.context.catalog_snapshot()).halls]

    @strawberry.field(description="Every kind of electronic certificate.")
    async def certificate_types(self, info: Info) -> list[CertificateType]:
        snapshot = await info.context.catalog_snapshot()
        kinds = sorted(snapshot.certificate_types.values(), key=lambda c: c.code)
        return [CertificateType.build(c, info.context.locale) for c in kinds]
