"""Personal data in the schema: a field that carries it says which kind, and the one rule applies.

`disclosed(kind)` declares a field as carrying personal data: whatever its resolver returns passes
through backend.privacy's rule for the reader of this request. `kind` is the kind of the whole value,
a function of the object that computes it (a form field's value is a certificate's, the profile's or
the citizen's own), or None for text and JSON whose ID and phone numbers are found by their shape.
A resolver that learns the kind only as it resolves (a form's kinds come from the catalog's fields)
returns `Classified(value, kind)`. A test walks every field of the schema with tokens of each scope,
so a field that forgets is caught.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import strawberry
from strawberry.extensions import FieldExtension

from backend.privacy import Kinds
from backend.privacy import Personal as Personal  # re-exported: types declare kinds from here


@dataclass(frozen=True)
class Classified:
    """A resolver's value with its kind, for the field's `disclosed` rule to apply."""

    value: Any
    kind: Kinds


T = TypeVar("T")


def classified(value: T, kind: Kinds) -> T:
    """`value` of `kind`, as a `disclosed` field's resolver returns it (typed as the field's value)."""
    return cast(T, Classified(value, kind))


class Disclosed(FieldExtension):
    """Passes a field's value through the personal-data rule for the request's reader."""

    def __init__(self, kind: Kinds | Callable[[Any], Kinds] = None) -> None:
        self.kind = kind

    def _show(self, value: Any, source: Any, info: Any) -> Any:
        if isinstance(value, Classified):
            return info.context.disclosure.show(value.value, value.kind)
        kind = self.kind(source) if callable(self.kind) else self.kind
        return info.context.disclosure.show(value, kind)

    def resolve(self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any) -> Any:
        """Sync fields (plain attributes included)."""
        return self._show(next_(source, info, **kwargs), source, info)

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any, info: Any, **kwargs: Any) -> Any:
        """Async resolvers."""
        return self._show(await next_(source, info, **kwargs), source, info)


def disclosed(kind: Kinds | Callable[[Any], Kinds] = None, **field: Any) -> Any:
    """A strawberry field carrying personal data of `kind` (see the module's docstring)."""
    return strawberry.field(extensions=[Disclosed(kind)], **field)
