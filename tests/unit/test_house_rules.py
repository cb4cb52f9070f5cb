"""The code's shape, checked on every run (issue 13): small modules, the formatter's style, one place
that turns domain errors into payload errors."""

from __future__ import annotations

import re
from pathlib import Path

from backend.settings import PROJECT_ROOT

PACKAGES = ("backend", "payments", "standins")
LIMIT = 400


def _modules(*packages: str) -> list[Path]:
    found = [p for name in packages for p in (PROJECT_ROOT / name).rglob("*.py")]
    return sorted(p for p in found if "migrations" not in p.parts)


def test_no_module_of_the_service_or_its_stand_ins_is_over_400_lines() -> None:
    # Given every module of backend/, payments/ and standins/ (generated migrations aside)
    sizes = {
        str(p.relative_to(PROJECT_ROOT)): len(p.read_text(encoding="utf-8").splitlines()) for p in _modules(*PACKAGES)
    }
    assert len(sizes) > 150
    # Then none is over the limit
    assert {name: n for name, n in sizes.items() if n > LIMIT} == {}


def test_the_formatter_is_never_switched_off() -> None:
    switched = [
        str(p.relative_to(PROJECT_ROOT))
        for p in _modules(*PACKAGES, "tests", "bench")
        if re.search(r"#\s*fmt:\s*(skip|off)", p.read_text(encoding="utf-8")) and p.name != "test_house_rules.py"
    ]
    assert switched == []


def test_only_the_mutation_pipeline_catches_domain_errors_in_graphql() -> None:
    catching = {
        str(p.relative_to(PROJECT_ROOT))
        for p in _modules("backend/graphql")
        if re.search(r"except\s*\(?[\w., ]*(DomainError|PaymentError|FormInvalidError)", p.read_text(encoding="utf-8"))
    }
    assert catching == {"backend/graphql/pipeline.py"}
