"""The project ships an unchanged copy of the shared demo catalog."""

from __future__ import annotations

import pytest

from backend.catalog.files import DEMO_CATALOG_DIR
from backend.settings import PROJECT_ROOT

SHARED = PROJECT_ROOT.parent / "shared" / "catalog"


@pytest.mark.skipif(not SHARED.is_dir(), reason="no ../shared/catalog beside this clone to compare with")
def test_bundled_copy_equals_shared_catalog() -> None:
    shared = sorted(p.name for p in SHARED.iterdir() if p.is_file())
    bundled = sorted(p.name for p in DEMO_CATALOG_DIR.iterdir() if p.is_file())
    assert bundled == shared, "copy ../shared/catalog/* into backend/catalog/demo/"
    for name in shared:
        assert (DEMO_CATALOG_DIR / name).read_bytes() == (SHARED / name).read_bytes(), (
            f"backend/catalog/demo/{name} differs from ../shared/catalog/{name}: copy it over"
        )
