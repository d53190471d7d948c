"""Register units in a running intake, so reports naming them are accepted (intake refuses unknown units)."""

from __future__ import annotations

import httpx

#: The contract example's units: town-a-office and town-b-office under county-x-office.
CONTRACT_UNITS: list[tuple[str, str, str | None]] = [
    ("county-x-office", "county", None), ("town-a-office", "town", "county-x-office"),
    ("town-b-office", "town", "county-x-office"),
]


def register_units(intake_url: str, admin_token: str,
                   units: list[tuple[str, str, str | None]] = CONTRACT_UNITS) -> None:
    """PUT each ``(unit_id, level, parent_id)`` (parents first) as a general office; idempotent."""
    headers = {"Authorization": f"Bearer {admin_token}"}
    for unit_id, level, parent in units:
        body = {"name": unit_id, "level": level, "kind": "general_office", "parent_id": parent}
        r = httpx.put(f"{intake_url}/v1/units/{unit_id}", json=body, headers=headers, timeout=10)
        assert r.status_code in (200, 201), r.text
