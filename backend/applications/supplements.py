"""What a citizen's answer to a request for supplement (补正) changed, for the officer who asked."""

from __future__ import annotations

from typing import Any

from backend.applications.models import Application


def supplement_changes(before: Application, form: dict[str, Any], materials: dict[str, Any]) -> dict[str, Any]:
    """The supplement step's record: the keys that changed (`fields`, as a reason's fields are read) and,
    for each, the value or the material's provision before and after."""
    # Where the old value came from is kept: it is personal data of that kind (a profile's address) even
    # once the citizen has typed a new one.
    values = {
        k: {"before": before.form.get(k), "after": v, "before_source": before.sources.get(k)}
        for k, v in form.items()
        if before.form.get(k) != v
    }
    provided = {
        k: {"before": before.materials.get(k), "after": v} for k, v in materials.items() if before.materials.get(k) != v
    }
    return {"fields": [*sorted(values), *sorted(provided)], "changes": {"values": values, "materials": provided}}
