"""The demo's senders: the units of the demo tree (deploy/demo/units.yaml) that have a superior.

``./baosong up`` registers that tree through intake before the generator starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from deploy.units import DEMO_TREE, read_tree


class Sender(NamedTuple):
    unit_id: str
    name: str
    kind: str


def reporting_units(path: Path = DEMO_TREE) -> list[Sender]:
    """Every unit in the tree that reports upwards."""
    return [Sender(unit_id, unit.name, unit.kind) for unit_id, unit in read_tree(path).items() if unit.parent_id]
