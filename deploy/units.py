"""``./baosong units load FILE``: register a whole unit tree (YAML or JSON) through intake's API.

The file holds ``units: [{id, name, level, kind, parent_id?, department_parent_id?}, …]`` (or the
list itself). Parents are sent before their children, so intake's parent check always passes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import yaml

from deploy.proc import SetupError
from services.intake.domain.units import UnitIn, directory_faults, tree_order

DEMO_TREE = Path(__file__).resolve().parent / "demo" / "units.yaml"


def read_tree(path: Path) -> dict[str, UnitIn]:
    text = path.read_text(encoding="utf-8")
    raw: Any = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    items = raw.get("units") if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        raise SetupError(f"{path}: expected 'units: [...]' (a list of units)")
    tree: dict[str, UnitIn] = {}
    for n, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise SetupError(f"{path}: unit #{n + 1} needs a string 'id'")
        fields = {k: v for k, v in item.items() if k != "id"}
        try:
            tree[item["id"]] = UnitIn.model_validate(fields)
        except ValueError as exc:
            raise SetupError(f"{path}: unit {item['id']!r}: {exc}") from exc
    for unit_id, unit in tree.items():  # intake checks the same again, with the units outside the file
        faults = [f"{name} {getattr(unit, name)!r} " + ("makes a cycle" if fault == "cycle" else "is of a lower level")
                  for name, fault in directory_faults(unit_id, unit, tree)]
        if faults:
            raise SetupError(f"{path}: unit {unit_id!r}: {'; '.join(faults)}")
    return tree


def load_tree(intake_url: str, admin_token: str, tree: dict[str, UnitIn]) -> dict[str, int]:
    """PUT every unit, parents first; counts of created / updated / unchanged."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    headers = {"Authorization": f"Bearer {admin_token}"}
    with httpx.Client(base_url=intake_url, headers=headers, timeout=30) as client:
        for unit_id in tree_order(tree):
            r = client.put(f"/v1/units/{unit_id}", json=tree[unit_id].model_dump(mode="json"))
            if r.status_code not in (200, 201):
                raise SetupError(f"unit {unit_id!r} refused ({r.status_code}): {r.text}")
            kind = "created" if r.status_code == 201 else "updated" if r.json().get("changed") else "unchanged"
            counts[kind] += 1
    return counts


def unit_count(intake_url: str, admin_token: str) -> int:
    r = httpx.get(f"{intake_url}/v1/units", headers={"Authorization": f"Bearer {admin_token}"}, timeout=30)
    r.raise_for_status()
    return len(r.json()["units"])
