"""searchMatters: the matters and life-event bundles a citizen's words point to."""

from __future__ import annotations

import msgspec
import strawberry

from backend.catalog.models import MatterFilter as MatterFilterModel
from backend.graphql.catalog.types import Bundle, Matter, MatterFilter
from backend.graphql.context import Info
from backend.graphql.pagination import check_page_size
from backend.i18n import pick
from backend.identity.models import SubjectType
from backend.search.snippet import highlight


@strawberry.type(description="A search result: exactly one of matter or bundle is set.")
class SearchHit:
    score: float
    matter: Matter | None
    bundle: Bundle | None
    snippet: str | None = strawberry.field(
        description="The name with the matched text in <em>, in the request's locale."
    )


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description=(
            "Matters and life-event bundles for what a citizen typed, best first. Each matter is the copy "
            "that serves filter.region (or, for a signed-in citizen, their registered address): their own "
            "street's or district's before the city-wide one; the other filter fields select."
        )
    )
    async def search_matters(
        self, info: Info, query: str, first: int, filter: MatterFilter | None = None
    ) -> list[SearchHit]:
        ctx = info.context
        size = check_page_size(first, 50)
        where = filter.to_model() if filter else None
        near = where.region if where else None
        if near is None and ctx.principal is not None and ctx.principal.subject_type is SubjectType.CITIZEN:
            near = await ctx.identity.people.home_region(ctx.principal.subject_id)
        if where is not None:
            where = msgspec.structs.replace(where, region=None)
            if where == MatterFilterModel():
                where = None
        # Ask for more when filtering, then keep the matters the filter selects (bundles always pass).
        results = await ctx.resources.search.search(query, size * 5 if where else size, near)
        snapshot = await ctx.catalog_snapshot()
        selected = snapshot.select(where, [r.code for r in results if r.kind == "matter"]) if where else None
        hits: list[SearchHit] = []
        for result in results:
            if result.kind == "bundle":
                bundle = snapshot.bundle_by_code.get(result.code)
                if bundle is None:
                    continue
                name = pick(bundle.name, ctx.locale)
                hits.append(
                    SearchHit(
                        score=result.score,
                        matter=None,
                        bundle=Bundle.build(bundle, ctx.locale),
                        snippet=highlight(name, query),
                    )
                )
            else:
                matter = snapshot.by_code.get(result.code)
                if matter is None or (selected is not None and result.code not in selected):
                    continue
                name = pick(matter.name, ctx.locale)
                hits.append(
                    SearchHit(
                        score=result.score,
                        matter=Matter.build(matter, ctx.locale),
                        bundle=None,
                        snippet=highlight(name, query),
                    )
                )
            if len(hits) == size:
                break
        return hits
