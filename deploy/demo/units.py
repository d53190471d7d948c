"""The demo's senders: the units of the demo tree (deploy/demo/units.yaml) that have a superior.

``./baosong up`` registers that tree through intake before the generator starts.
"""

from __future__ import annotations

from pathlib import Path

from deploy.units import DEMO_TREE, read_tree


def reporting_units(path: Path = DEMO_TREE) -> list[tuple[str, str]]:
    """(unit id, name) of every unit in the tree that reports upwards."""
    return [(unit_id, unit.name) for unit_id, unit in read_tree(path).items() if unit.parent_id]
