"""The breaches escalation raised, the units that see each, and their first acknowledgements (PostgreSQL)."""

from __future__ import annotations

from typing import Any

from services.escalation.adapters.repository import Conn
from services.escalation.domain.acknowledgements import Breach
from shared.events import BreachAcknowledged

#: The unit and every unit above it, via parent_id and department_parent_id.
UNITS_ABOVE = """
WITH RECURSIVE above(unit_id) AS (
    SELECT $1::text
    UNION
    SELECT p.id FROM escalation.units u JOIN above a ON u.unit_id = a.unit_id,
           unnest(ARRAY[u.parent_id, u.department_parent_id]) AS p(id)
     WHERE p.id IS NOT NULL)
SELECT unit_id FROM above"""

#: A fired clock of a breach. FOR SHARE: while the due loop still holds the clock (it publishes the breach, then
#: marks it fired in the same transaction), wait for it, so a breach already on Kafka is never "unknown" here.
BREACHES = (
    "SELECT clock_id, unit_id, incident_id, NULL::text AS item_id, NULL::text AS request_id FROM escalation.clocks"
    " WHERE clock_id = $1 AND kind IN ('late', 'missed') AND state = 'fired' FOR SHARE",
    "SELECT clock_id, unit_id, NULL::text AS incident_id, item_id, request_id FROM escalation.info_clocks"
    " WHERE clock_id = $1 AND kind IN ('item_due', 'request') AND state = 'fired' FOR SHARE",
)

COLUMNS = list(BreachAcknowledged.model_fields)


async def breach(conn: Conn, breach_id: str) -> Breach | None:
    row = None
    for query in BREACHES:
        row = row or await conn.fetchrow(query, breach_id)
    if row is None:
        return None
    return Breach(breach_id=row["clock_id"], unit_id=row["unit_id"], incident_id=row["incident_id"],
                  item_id=row["item_id"], request_id=row["request_id"])


async def units_seeing(conn: Conn, unit_id: str) -> set[str]:
    return {r["unit_id"] for r in await conn.fetch(UNITS_ABOVE, unit_id)}


async def record(conn: Conn, ack: BreachAcknowledged) -> bool:
    """Store the acknowledgement unless the breach has one (then False). A concurrent first one holds this
    until it commits or rolls back, so exactly one wins."""
    values = ack.model_dump()
    inserted = await conn.fetchval(
        f"INSERT INTO escalation.breach_acknowledgements ({', '.join(COLUMNS)})"
        f" VALUES ({', '.join(f'${i}' for i in range(1, len(COLUMNS) + 1))})"
        " ON CONFLICT (breach_id) DO NOTHING RETURNING true", *(values[c] for c in COLUMNS))
    return bool(inserted)


async def first(conn: Conn, breach_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT {', '.join(COLUMNS)} FROM escalation.breach_acknowledgements"
                              " WHERE breach_id = $1", breach_id)
    return BreachAcknowledged.model_validate(dict(row)).model_dump(mode="json") if row is not None else None
