"""The project ships an unchanged copy of the city's shared demo catalog.

shared_catalog.sha256 records the shared catalog's files and their SHA-256 (`sha256sum` format), so
every clone can check its bundled copy; beside ../shared/catalog, the record is checked against the
source too.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from backend.catalog.files import DEMO_CATALOG_DIR
from backend.settings import PROJECT_ROOT

RECORD = Path(__file__).with_name("shared_catalog.sha256")
SHARED = PROJECT_ROOT.parent / "shared" / "catalog"


def _recorded() -> dict[str, str]:
    lines = RECORD.read_text(encoding="utf-8").splitlines()
    return {name: digest for digest, name in (line.split(maxsplit=1) for line in lines if line.strip())}


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


def test_the_bundled_copy_is_the_recorded_shared_catalog() -> None:
    # Given the record of the shared catalog (six JSON exports and their README)
    recorded = _recorded()
    assert {"matters.json", "departments.json", "bundles.json", "README.md"} <= recorded.keys()
    # Then the bundled copy holds exactly those files, byte for byte
    assert _digests(DEMO_CATALOG_DIR) == recorded, "backend/catalog/demo/ differs from the shared catalog"


@pytest.mark.skipif(not SHARED.is_dir(), reason="no ../shared/catalog beside this clone")
def test_the_record_matches_the_shared_catalog_beside_this_clone() -> None:
    assert _digests(SHARED) == _recorded(), (
        "../shared/catalog changed: copy it into backend/catalog/demo/ and record it in "
        "tests/unit/shared_catalog.sha256 (cd ../shared/catalog && sha256sum *)"
    )
