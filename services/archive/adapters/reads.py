"""What the read API and the pages ask PostgreSQL: read-model documents, an incident's or report's events,
units and a caller's scope."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from services.archive.adapters.replay import EVENT_COLUMNS
from services.archive.domain.stored import StoredEvent, parse_json
from shared.auth import Principal
from shared.db import Database

Doc = dict[str, Any]
SEE_ALL = ("investigator", "admin")
UNITS_BELOW = """
WITH RECURSIVE below(key) AS (
    SELECT $1::text
    UNION
    SELECT u.key FROM archive.proj_units u JOIN below b
      ON u.doc ->> 'parent_id' = b.key OR u.doc ->> 'department_parent_id' = b.key)
SELECT key FROM below"""


_EVENTS = ("SELECT position, recorded_at, body, hash FROM archive.events"
           " WHERE ($2::timestamptz IS NULL OR recorded_at <= $2)")
HISTORY = {
    "report_id": f"{_EVENTS} AND report_id = $1 ORDER BY position",
    # an incident's events are its stream's (every producer's subject), plus any naming it from another
    # stream: migration 005 indexes incident_id only where it differs from the stream
    "incident_id": f"{_EVENTS} AND stream = $1 AND incident_id = $1"
                   f" UNION ALL {_EVENTS} AND incident_id = $1 AND incident_id <> stream ORDER BY position",
}


class Reads:
    def __init__(self, db: Database):
        self._db = db

    async def doc(self, projection: str, key: str) -> Doc | None:
        text = await self._db.pool.fetchval(f"SELECT doc::text FROM archive.proj_{projection} WHERE key = $1", key)
        return parse_json(text) if text is not None else None

    async def units(self) -> list[Doc]:
        """Every registered unit as its latest UnitRegistered says, in id order."""
        rows = await self._db.pool.fetch("SELECT doc::text AS doc FROM archive.proj_units ORDER BY key")
        return [parse_json(r["doc"]) for r in rows]

    async def units_below(self, unit_id: str) -> set[str]:
        """The unit and all its subordinates, via parent_id and department_parent_id, transitively."""
        return {r["key"] for r in await self._db.pool.fetch(UNITS_BELOW, unit_id)}

    async def scope(self, principal: Principal) -> set[str] | None:
        """The units whose records ``principal`` may read: None for all (investigator, admin), else its
        unit and subordinates (empty for a token without a unit). The read API and the pages both ask this."""
        if principal.has_any(*SEE_ALL):
            return None
        return await self.units_below(principal.unit) if principal.unit is not None else set()

    async def history(self, field: str, key: str, as_of: datetime | None = None) -> list[tuple[StoredEvent, str]]:
        """Every event whose data names ``field`` = ``key``, in order (recorded by ``as_of``), with its hash."""
        rows = await self._db.pool.fetch(HISTORY[field], key, as_of)
        return [(StoredEvent.from_row(r["position"], r["recorded_at"], r["body"]), bytes(r["hash"]).hex())
                for r in rows]

    async def events_at(self, positions: list[int]) -> dict[int, StoredEvent]:
        """The stored events at ``positions``."""
        rows = await self._db.pool.fetch(f"{EVENT_COLUMNS} WHERE position = ANY($1::bigint[])", positions)
        return {r["position"]: StoredEvent.from_row(r["position"], r["recorded_at"], r["body"]) for r in rows}

    async def breaches(self, *, incident_id: str | None, unit_id: str | None, since: datetime | None,
                       units: set[str] | None, item_id: str | None = None, request_id: str | None = None) -> list[Doc]:
        """Breaches of an incident, an item or a request (each None: any), of a unit, detected since."""
        rows = await self._db.pool.fetch(
            "SELECT doc::text AS doc FROM archive.proj_breaches"
            " WHERE ($1::text IS NULL OR doc ->> 'incident_id' = $1)"
            " AND ($2::text IS NULL OR doc ->> 'unit_id' = $2)"
            " AND ($3::timestamptz IS NULL OR (doc ->> 'detected_at')::timestamptz >= $3)"
            " AND ($4::text[] IS NULL OR doc ->> 'unit_id' = ANY($4::text[]))"
            " AND ($5::text IS NULL OR doc ->> 'item_id' = $5)"
            " AND ($6::text IS NULL OR doc ->> 'request_id' = $6)"
            " ORDER BY doc ->> 'detected_at', key",
            incident_id, unit_id, since, sorted(units) if units is not None else None, item_id, request_id)
        return [parse_json(r["doc"]) for r in rows]

    async def incidents_like(self, *, category: str, location_unit_id: str, occurred_at: datetime,
                             window: timedelta, other_than: str) -> list[Doc]:
        """Incidents of ``category`` at ``location_unit_id`` that happened within ``window`` of ``occurred_at``
        and are no one's duplicate yet (candidates for a link), nearest in time first."""
        # Incident documents are text, read whole by key; a text match on the place (a superset) keeps the
        # JSON parse to the documents that mention it.
        rows = await self._db.pool.fetch(
            "SELECT doc FROM (SELECT key, doc::jsonb AS d, doc FROM archive.proj_incidents"
            "                 WHERE doc LIKE '%' || $2 || '%' AND key <> $5) i"
            " WHERE d ->> 'category' = $1 AND d ->> 'location_unit_id' = $2"
            " AND (d ->> 'occurred_at')::timestamptz"
            "     BETWEEN $3::timestamptz - $4::interval AND $3::timestamptz + $4::interval"
            " AND coalesce(d -> 'linked_to', 'null'::jsonb) = 'null'::jsonb"
            " ORDER BY abs(extract(epoch FROM (d ->> 'occurred_at')::timestamptz - $3::timestamptz)), key LIMIT 50",
            category, location_unit_id, occurred_at, window, other_than)
        return [parse_json(r["doc"]) for r in rows]
