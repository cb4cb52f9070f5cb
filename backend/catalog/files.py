"""Where catalog exports live: the bundled demo copy, or a city's own folder."""

from __future__ import annotations

from pathlib import Path

DEMO_CATALOG_DIR = Path(__file__).resolve().parent / "demo"
"""An unchanged copy of the shared demo catalog (a test keeps it in sync)."""
