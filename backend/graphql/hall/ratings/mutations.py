"""好差评: rating, rectifying, appealing."""

from __future__ import annotations

import strawberry


@strawberry.type
class RatingMutation:
    """好差评: rating, rectifying, appealing."""
