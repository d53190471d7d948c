"""Scope of writing (contract "Trust boundaries"): where a unit may report, and on which incidents (pure).

- A report or a work-information item only for the token's own unit (``reporting_unit``).

- An initial report only with ``location.unit_id`` in the reporting unit's own unit or below it (via
  ``parent_id`` or ``department_parent_id``, transitively).
- A follow-up or final only on an incident the unit is party to: it reported on it, or the incident is
  located in its scope. A report is forwarded only up the tree (to ``parent_id``, ``department_parent_id``
  or, in an emergency, one level beyond), so every unit a report of the incident was forwarded to is above
  the reporting unit, which is at or above the incident's location: "forwarded to it" is "located in its
  scope".
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.events import UnitRegistered


def other_unit_refusal(unit_id: str | None, claimed: object) -> str | None:
    """Why a token of ``unit_id`` may not submit a body whose ``reporting_unit`` is ``claimed``, or None.

    A unit writes its own reports and items: a token of no unit submits nothing, one of a unit only for it."""
    if unit_id is not None and (not isinstance(claimed, str) or claimed == unit_id):
        return None
    return (f"凭证所属单位为“{unit_id}”，不能代“{claimed}”报送。"
            f" / Your token acts for unit {unit_id!r}; it cannot report for {claimed!r}.")


def superiors(unit_id: str, directory: Mapping[str, UnitRegistered]) -> set[str]:
    """The unit and every unit above it on either channel, as far as ``directory`` knows them."""
    found: set[str] = set()
    todo = [unit_id]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.add(current)
        unit = directory.get(current)
        if unit is not None:
            todo.extend(p for p in (unit.parent_id, unit.department_parent_id) if p is not None)
    return found


def in_scope(unit_id: str, location_unit_id: str, directory: Mapping[str, UnitRegistered]) -> bool:
    """Whether ``location_unit_id`` is ``unit_id`` or below it."""
    return unit_id in superiors(location_unit_id, directory)


def refusal(unit_id: str, *, location_unit_id: str, incident_id: str | None, reported_before: bool,
            directory: Mapping[str, UnitRegistered]) -> str | None:
    """Why ``unit_id`` may not file this report (Chinese / English), or None when it may.

    ``location_unit_id`` is the report's location for an initial report, the incident's for a follow-up
    or final (``incident_id`` set); ``reported_before``: the unit filed a report of that incident."""
    if in_scope(unit_id, location_unit_id, directory):
        return None
    if incident_id is None:
        return (f"事发地“{location_unit_id}”不在本单位“{unit_id}”及其下级范围内，不能报送。"
                f" / The location {location_unit_id!r} is neither your unit {unit_id!r} nor below it.")
    if reported_before:
        return None
    return (f"本单位“{unit_id}”未报送过事件“{incident_id}”，且事发地“{location_unit_id}”不在本单位范围内，"
            f"不能续报或终报。 / Your unit {unit_id!r} is not party to incident {incident_id!r}: it has not "
            f"reported it and its location {location_unit_id!r} is outside your scope.")
