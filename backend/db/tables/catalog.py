"""Tables of the service catalog."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
)

from backend.db.tables.base import metadata
from backend.db.types import Json, UTCDateTime


def _catalog_columns() -> list[Column[Any]]:
    """Bookkeeping every imported catalog row carries: what it was imported as, and when."""
    return [
        Column("content_hash", String(64), nullable=False),
        Column("withdrawn", Boolean, nullable=False, default=False),
        Column("updated_at", UTCDateTime, nullable=False),
    ]


# --- the service catalog ------------------------------------------------------------------------
# Locale maps ({"zh-Hans", "zh-Hant", "en"}) are JSON columns: they are read whole, never queried.

regions = Table(
    "regions",
    metadata,
    Column("code", String(12), primary_key=True),
    Column("level", String(16), nullable=False),
    Column("parent_code", String(12), ForeignKey("regions.code"), nullable=True),
    Column("name", Json, nullable=False),
    *_catalog_columns(),
)

departments = Table(
    "departments",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("level", String(16), nullable=False),
    Column("region_code", String(12), ForeignKey("regions.code"), nullable=False),
    Column("name", Json, nullable=False),
    Column("short_name", Json, nullable=False),
    Column("fiscal_code", String(16), nullable=False),
    Column("phone", String(32), nullable=False),
    *_catalog_columns(),
)

certificate_types = Table(
    "certificate_types",
    metadata,
    Column("code", String(48), primary_key=True),
    Column("name", Json, nullable=False),
    Column("issuer_code", String(32), ForeignKey("departments.code"), nullable=False),
    Column("holder", String(16), nullable=False),
    Column("fields", Json, nullable=False),
    *_catalog_columns(),
)

matters = Table(
    "matters",
    metadata,
    Column("code", String(48), primary_key=True),
    Column("name", Json, nullable=False),
    Column("summary", Json, nullable=False),
    Column("department_code", String(32), ForeignKey("departments.code"), nullable=False),
    # The region the matter is handled for: its department's region, or a synthesized copy's own.
    Column("region_code", String(12), ForeignKey("regions.code"), nullable=False),
    Column("level", String(16), nullable=False),
    Column("audience", String(16), nullable=False),
    Column("theme", String(32), nullable=False),
    Column("modes", Json, nullable=False),
    Column("max_trips", Integer, nullable=False),
    Column("promised_days", Integer, nullable=False),
    Column("legal_days", Integer, nullable=False),
    Column("instant_approval", Boolean, nullable=False),
    Column("materials", Json, nullable=False),
    Column("form", Json, nullable=False),
    Column("auto_approval", Json, nullable=True),
    Column("outputs", Json, nullable=False),
    Column("keywords", Json, nullable=False),
    Column("legal_basis", Json, nullable=False),
    *_catalog_columns(),
)
Index("ix_matters_theme_code", matters.c.theme, matters.c.code)
Index("ix_matters_department_code", matters.c.department_code, matters.c.code)
Index("ix_matters_region_code", matters.c.region_code, matters.c.code)

# One row per (matter, mode) so a mode filter is an indexed lookup on both databases.
matter_modes = Table(
    "matter_modes",
    metadata,
    Column("matter_code", String(48), ForeignKey("matters.code"), primary_key=True),
    Column("mode", String(16), primary_key=True),
)
Index("ix_matter_modes_mode", matter_modes.c.mode, matter_modes.c.matter_code)

# Fees are rows, not JSON: payments open orders from them, one line per fiscal item.
matter_fees = Table(
    "matter_fees",
    metadata,
    Column("matter_code", String(48), ForeignKey("matters.code"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("item_code", String(32), nullable=False),
    Column("name", Json, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("department_code", String(32), ForeignKey("departments.code"), nullable=False),
)

bundles = Table(
    "bundles",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", Json, nullable=False),
    Column("summary", Json, nullable=False),
    Column("audience", String(16), nullable=False),
    Column("shared_materials_note", Json, nullable=False),
    *_catalog_columns(),
)

bundle_matters = Table(
    "bundle_matters",
    metadata,
    Column("bundle_code", String(32), ForeignKey("bundles.code"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("matter_code", String(48), ForeignKey("matters.code"), nullable=False),
)

halls = Table(
    "halls",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("region_code", String(12), ForeignKey("regions.code"), nullable=False),
    Column("name", Json, nullable=False),
    Column("address", Json, nullable=False),
    Column("hours", Json, nullable=False),
    Column("windows", Integer, nullable=False),
    # "*" in the export: every matter of the hall's region is handled there.
    Column("all_matters", Boolean, nullable=False),
    *_catalog_columns(),
)

hall_matters = Table(
    "hall_matters",
    metadata,
    Column("hall_code", String(32), ForeignKey("halls.code"), primary_key=True),
    Column("matter_code", String(48), ForeignKey("matters.code"), primary_key=True),
)
Index("ix_hall_matters_matter_code", hall_matters.c.matter_code)

catalog_imports = Table(
    "catalog_imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("imported_at", UTCDateTime, nullable=False),
    Column("source", String(500), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("summary", Json, nullable=False),
)
