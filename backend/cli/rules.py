"""The `rules` command group: check a matter's auto-approval (秒批) rule against an applicant's data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from backend.catalog.files import DEMO_CATALOG_DIR
from backend.catalog.labels import label_raw_options
from backend.i18n import DEFAULT_LOCALE, Locale, catalogs
from backend.rules.explain import catalog_labels, describe, evaluate_with_explanation
from backend.rules.jsonlogic import RuleError
from backend.settings import PROJECT_ROOT

DATA_KEYS = ("form", "certs", "profile", "age")


@click.group(name="rules")
def rules() -> None:
    """Auto-approval (秒批) rules: evaluate and explain them."""


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise click.UsageError(f"cannot read {what} {path}: {error.strerror or error}") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise click.UsageError(f"{what} {path} is not valid UTF-8 JSON: {error}") from error


def load_data(path: Path) -> dict[str, Any]:
    """Read and check an applicant data file shaped {"form", "certs", "profile", "age"}."""
    data = _read_json(path, "data file")
    if not isinstance(data, dict):
        raise click.UsageError(f"data file {path} must hold a JSON object with keys {', '.join(DATA_KEYS)}")
    unknown = sorted(set(data) - set(DATA_KEYS))
    if unknown:
        # A misspelt key would silently look like missing data and turn a pass into a fail.
        raise click.UsageError(f"data file {path} has unknown keys {unknown}; allowed: {', '.join(DATA_KEYS)}")
    for key in ("form", "certs", "profile"):
        if not isinstance(data.get(key, {}), dict):
            raise click.UsageError(f'data file {path}: "{key}" must be an object')
    for code, fields in data.get("certs", {}).items():
        if not isinstance(fields, dict):
            raise click.UsageError(f'data file {path}: "certs.{code}" must be an object of certificate fields')
    age = data.get("age")
    if age is not None and (isinstance(age, bool) or not isinstance(age, int)):
        raise click.UsageError(f'data file {path}: "age" must be a whole number of years')
    return data


def load_matter(catalog_dir: Path, code: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The matter `code` from a catalog folder, and the folder's certificate types keyed by code."""
    matters = _read_json(catalog_dir / "matters.json", "catalog file")
    if not isinstance(matters, list):
        raise click.UsageError(f"{catalog_dir / 'matters.json'} must hold a JSON list of matters")
    matter = next((m for m in matters if isinstance(m, dict) and m.get("code") == code), None)
    if matter is None:
        raise click.UsageError(f"there is no matter {code} in {catalog_dir / 'matters.json'}")
    types_file = catalog_dir / "certificate_types.json"
    # Without certificate types the explanation still works; it just shows codes instead of names.
    types = _read_json(types_file, "catalog file") if types_file.exists() else []
    if not isinstance(types, list):
        raise click.UsageError(f"{types_file} must hold a JSON list of certificate types")
    kinds = [t for t in types if isinstance(t, dict) and isinstance(t.get("code"), str)]
    label_raw_options(kinds)
    return matter, {t["code"]: t for t in kinds}


@rules.command("check")
@click.argument("matter_code")
@click.option(
    "--data",
    "data_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='JSON file shaped {"form": {...}, "certs": {...}, "profile": {...}, "age": N}.',
)
@click.option(
    "--catalog",
    "catalog_dir",
    default=DEMO_CATALOG_DIR,
    show_default=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Catalog folder holding matters.json and certificate_types.json.",
)
@click.option(
    "--locale",
    "locale_name",
    default=DEFAULT_LOCALE.value,
    show_default=True,
    type=click.Choice([locale.value for locale in Locale]),
    help="Language of the explanation.",
)
@click.pass_context
def check(ctx: click.Context, matter_code: str, data_file: Path, catalog_dir: Path, locale_name: str) -> None:
    """Evaluate MATTER_CODE's auto-approval rule on --data; exit 0 if approved, 1 if not, 2 on errors."""
    matter, certificate_types = load_matter(catalog_dir, matter_code)
    approval = matter.get("auto_approval")
    if not isinstance(approval, dict) or "rule" not in approval:
        raise click.UsageError(f"matter {matter_code} has no auto_approval rule (it is always reviewed by staff)")
    data = load_data(data_file)
    try:
        decision = evaluate_with_explanation(approval["rule"], data)
    except RuleError as error:
        raise click.UsageError(f"the auto_approval rule of {matter_code} is invalid: {error}") from error
    locale = Locale(locale_name)
    labels = catalog_labels(matter, certificate_types)
    messages = catalogs(str(PROJECT_ROOT / "locales"))
    explanation = [
        {
            "condition": describe(condition, locale, labels, messages, option_labels=labels.option),
            "held": condition.held,
            "path": condition.path,
            "expected": condition.expected,
            "actual": condition.actual,
        }
        for condition in decision.conditions
    ]
    report = {"matter": matter_code, "approved": decision.approved, "explanation": explanation}
    click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    ctx.exit(0 if decision.approved else 1)


COMMANDS = [rules]
