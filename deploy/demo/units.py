"""The demo's units: deploy/demo/units.yaml when it is there (the demo unit tree), else a small fallback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

UNITS_FILE = Path(__file__).parent / "units.yaml"

#: Used only when units.yaml is absent: one county office, two towns, a department and a school.
FALLBACK: tuple[dict[str, Any], ...] = (
    {"unit_id": "demo-county-office", "name": "示范县政府办", "level": "county", "kind": "general_office",
     "parent_id": None},
    {"unit_id": "demo-town-a-office", "name": "城关镇党政办", "level": "town", "kind": "general_office",
     "parent_id": "demo-county-office"},
    {"unit_id": "demo-town-b-office", "name": "河口镇党政办", "level": "town", "kind": "general_office",
     "parent_id": "demo-county-office"},
    {"unit_id": "demo-county-education", "name": "县教育局", "level": "county", "kind": "department",
     "parent_id": "demo-county-office"},
    {"unit_id": "demo-school-1", "name": "县第一中学", "level": "organization", "kind": "school",
     "parent_id": "demo-county-education"},
)


def _as_list(raw: Any) -> list[dict[str, Any]]:
    """Accept a list of units, or a mapping with ``units:`` as a list or keyed by unit id."""
    units = raw.get("units", raw) if isinstance(raw, dict) else raw
    if isinstance(units, dict):
        return [{"unit_id": uid, **body} for uid, body in units.items()]
    return [{"unit_id": u.get("unit_id") or u.get("id"), **u} for u in units or []]


def load_units(path: Path = UNITS_FILE) -> tuple[list[dict[str, Any]], str]:
    """The units and where they came from (the file, or the fallback when it is missing)."""
    if path.exists():
        return _as_list(yaml.safe_load(path.read_text(encoding="utf-8"))), str(path)
    return [dict(u) for u in FALLBACK], "built-in fallback (deploy/demo/units.yaml is absent)"


def reporting_units(units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Units that report upwards: those with a superior."""
    return [u for u in units if u.get("parent_id")]
