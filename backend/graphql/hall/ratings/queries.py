"""好差评: ratings, rectification cases, published figures."""

from __future__ import annotations

import strawberry


@strawberry.type
class RatingQuery:
    """好差评: ratings, rectification cases, published figures."""
