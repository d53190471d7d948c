"""Intake's PostgreSQL schema: the unit directory, submissions (idempotency + outbox) of reports and of
work-information items, incidents."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from services.intake.domain.item_checks import KnownRequest
from shared.db import Database
from shared.events import Grade, RequestIssued, UnitRegistered

UNIT_FIELDS = ("unit_id", "name", "level", "kind", "parent_id", "department_parent_id")


@dataclass(frozen=True)
class Incident:
    incident_id: str
    category: str
    location_unit_id: str
    clock_start: datetime
    reportable: bool
    grade: Grade | None
    policy: str
    occurred_at: datetime | None = None  # as the first report stated it (None: known from before it was kept)


@dataclass(frozen=True)
class Standing:
    """Where an incident stands after the reports intake took: the next report's number, and closed or not."""

    next_sequence: int
    closed: bool


@dataclass(frozen=True)
class Submission:
    unit_id: str
    key: str
    report_id: str
    request_hash: str
    envelopes: list[dict[str, Any]]
    answer: dict[str, Any]
    published: bool
    incident: Incident | None = None
    sequence: int = 0
    incident_closed: bool = False


@dataclass(frozen=True)
class ItemSubmission:
    """A work-information item as intake took it: its event (pending until Kafka has it) and its answer."""

    unit_id: str
    key: str
    item_id: str
    request_hash: str
    envelope: dict[str, Any]
    answer: dict[str, Any]
    published: bool


class IntakeStore:
    def __init__(self, db: Database):
        self._db = db

    async def put_unit(self, unit: UnitRegistered, *, event_id: str, event_time: datetime) -> bool:
        """Record a unit unless the directory already holds a newer registration; True when applied."""
        status: str = await self._db.pool.execute(
            "INSERT INTO intake.units (unit_id, name, level, kind, parent_id, department_parent_id,"
            " event_id, event_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            " ON CONFLICT (unit_id) DO UPDATE SET name = EXCLUDED.name, level = EXCLUDED.level,"
            " kind = EXCLUDED.kind, parent_id = EXCLUDED.parent_id,"
            " department_parent_id = EXCLUDED.department_parent_id, event_id = EXCLUDED.event_id,"
            " event_time = EXCLUDED.event_time, updated_at = now()"
            " WHERE intake.units.event_time <= EXCLUDED.event_time",
            *(getattr(unit, f) for f in UNIT_FIELDS), event_id, event_time)
        return status.endswith(" 1")

    async def units(self, unit_ids: Iterable[str] | None = None) -> dict[str, UnitRegistered]:
        """The named units that are registered (all of them when ``unit_ids`` is None)."""
        cols = ", ".join(UNIT_FIELDS)
        if unit_ids is None:
            rows = await self._db.pool.fetch(f"SELECT {cols} FROM intake.units ORDER BY unit_id")
        else:
            rows = await self._db.pool.fetch(
                f"SELECT {cols} FROM intake.units WHERE unit_id = ANY($1::text[])", list(set(unit_ids)))
        return {r["unit_id"]: UnitRegistered(**dict(r)) for r in rows}

    async def lineage(self, unit_id: str) -> dict[str, UnitRegistered]:
        """The unit and every registered unit above it, via parent_id and department_parent_id."""
        rows = await self._db.pool.fetch(
            "WITH RECURSIVE up(unit_id) AS (SELECT $1::text UNION SELECT p.id FROM up"
            " JOIN intake.units u ON u.unit_id = up.unit_id,"
            " LATERAL (VALUES (u.parent_id), (u.department_parent_id)) AS p(id) WHERE p.id IS NOT NULL)"
            f" SELECT {', '.join('u.' + f for f in UNIT_FIELDS)} FROM intake.units u JOIN up USING (unit_id)",
            unit_id)
        return {r["unit_id"]: UnitRegistered(**dict(r)) for r in rows}

    async def has_reported(self, unit_id: str, incident_id: str) -> bool:
        """Whether the unit filed a (published) report of the incident."""
        return bool(await self._db.pool.fetchval(
            "SELECT EXISTS (SELECT 1 FROM intake.submissions WHERE unit_id = $1 AND state = 'published'"
            " AND incident_id = $2)", unit_id, incident_id))

    async def standing(self, incident_id: str) -> Standing:
        """The state the incident's last numbered submission left (pending ones count: a retry publishes them)."""
        row = await self._db.pool.fetchrow(
            "SELECT sequence, incident_closed FROM intake.submissions WHERE incident_id = $1"
            " ORDER BY sequence DESC LIMIT 1", incident_id)
        return Standing(0, False) if row is None else Standing(row["sequence"] + 1, row["incident_closed"])

    async def submission(self, unit_id: str, key: str) -> Submission | None:
        row = await self._db.pool.fetchrow(
            f"{_SELECT_SUBMISSION} WHERE unit_id = $1 AND idem_key = $2", unit_id, key)
        return _submission(row) if row is not None else None

    async def submission_of_report(self, report_id: str) -> Submission | None:
        """The submission that made ``report_id`` (HTTP or ingress alike)."""
        row = await self._db.pool.fetchrow(f"{_SELECT_SUBMISSION} WHERE report_id = $1", report_id)
        return _submission(row) if row is not None else None

    async def reserve(self, s: Submission) -> Submission | None:
        """Store a pending submission; when the key is already taken, the first one wins and is returned.
        None when another report took its number in the incident meanwhile (compute it again)."""
        await self._db.pool.execute(
            "INSERT INTO intake.submissions (unit_id, idem_key, report_id, request_hash, envelopes, answer,"
            " state, incident, incident_id, sequence, incident_closed)"
            " VALUES ($1, $2, $3, $4, $5::json, $6::json, 'pending', $7::json, $8, $9, $10)"
            " ON CONFLICT DO NOTHING", s.unit_id, s.key, s.report_id, s.request_hash, json.dumps(s.envelopes),
            json.dumps(s.answer), json.dumps(_incident_json(s.incident)), s.answer["incident_id"], s.sequence,
            s.incident_closed)
        return await self.submission(s.unit_id, s.key)

    async def published(self, s: Submission) -> None:
        """Mark the submission acknowledged and record the incident's classification, in one transaction."""
        async with self._db.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "UPDATE intake.submissions SET state = 'published', published_at = now()"
                " WHERE unit_id = $1 AND idem_key = $2", s.unit_id, s.key)
            incident = s.incident
            if incident is not None:
                await conn.execute(
                    "INSERT INTO intake.incidents (incident_id, category, location_unit_id, clock_start,"
                    " reportable, grade, policy, last_report_id, occurred_at)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                    " ON CONFLICT (incident_id) DO UPDATE SET reportable = EXCLUDED.reportable,"
                    " grade = EXCLUDED.grade, policy = EXCLUDED.policy,"
                    " last_report_id = EXCLUDED.last_report_id, updated_at = now()",
                    incident.incident_id, incident.category, incident.location_unit_id, incident.clock_start,
                    incident.reportable, incident.grade, incident.policy, s.report_id, incident.occurred_at)

    async def put_request(self, request: RequestIssued, *, event_id: str) -> bool:
        """Record a commissioned request (a redelivery changes nothing); True when it was new."""
        status: str = await self._db.pool.execute(
            "INSERT INTO intake.requests (request_id, unit_id, to_units, due_at, event_id)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (request_id) DO NOTHING",
            request.request_id, request.unit_id, request.to_units, request.due_at, event_id)
        return status.endswith(" 1")

    async def request(self, request_id: str) -> KnownRequest | None:
        row = await self._db.pool.fetchrow(
            "SELECT request_id, to_units FROM intake.requests WHERE request_id = $1", request_id)
        return KnownRequest(row["request_id"], tuple(row["to_units"])) if row is not None else None

    async def item_submission(self, unit_id: str, key: str) -> ItemSubmission | None:
        row = await self._db.pool.fetchrow(f"{_SELECT_ITEM} WHERE unit_id = $1 AND idem_key = $2", unit_id, key)
        return _item_submission(row) if row is not None else None

    async def item_submission_of(self, item_id: str) -> ItemSubmission | None:
        row = await self._db.pool.fetchrow(f"{_SELECT_ITEM} WHERE item_id = $1", item_id)
        return _item_submission(row) if row is not None else None

    async def reserve_item(self, s: ItemSubmission) -> ItemSubmission:
        """Store a pending item; when its key is already taken, the first one wins and is returned."""
        await self._db.pool.execute(
            "INSERT INTO intake.item_submissions (unit_id, idem_key, item_id, request_hash, envelope, answer, state)"
            " VALUES ($1, $2, $3, $4, $5::json, $6::json, 'pending') ON CONFLICT DO NOTHING",
            s.unit_id, s.key, s.item_id, s.request_hash, json.dumps(s.envelope), json.dumps(s.answer))
        stored = await self.item_submission(s.unit_id, s.key)
        assert stored is not None, "a row just inserted, or the one that conflicted with it"
        return stored

    async def item_published(self, s: ItemSubmission) -> None:
        await self._db.pool.execute(
            "UPDATE intake.item_submissions SET state = 'published', published_at = now()"
            " WHERE unit_id = $1 AND idem_key = $2", s.unit_id, s.key)

    async def incident(self, incident_id: str) -> Incident | None:
        row = await self._db.pool.fetchrow(
            "SELECT incident_id, category, location_unit_id, clock_start, reportable, grade, policy, occurred_at"
            " FROM intake.incidents WHERE incident_id = $1", incident_id)
        return Incident(**dict(row)) if row is not None else None


@dataclass(frozen=True)
class Link:
    duplicate_id: str
    primary_id: str
    envelopes: list[dict[str, Any]]
    answer: dict[str, Any]
    published: bool


class LinkStore:
    """Linked incidents (migration 005): which incident is whose duplicate, and the link's events."""

    def __init__(self, db: Database):
        self._db = db

    async def reserve(self, primary_id: str, duplicate_id: str, *, check: Callable[[LinkFacts], None],
                      make: Callable[[], tuple[list[dict[str, Any]], dict[str, Any]]]) -> Link:
        """The link of ``duplicate_id`` as stored, after ``check`` passed on what the store knows now; ``make``
        gives a new link's events and answer. Links are made one at a time (an advisory lock), so two racing
        links can never make a chain."""
        async with self._db.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('intake.incident_links'))")
            rows = await conn.fetch(
                "SELECT duplicate_id, primary_id FROM intake.incident_links"
                " WHERE duplicate_id = ANY($1::text[]) OR primary_id = $2", [primary_id, duplicate_id], duplicate_id)
            primary_of = {r["duplicate_id"]: r["primary_id"] for r in rows}
            check(LinkFacts(primary_of.get(primary_id), primary_of.get(duplicate_id),
                            sum(r["primary_id"] == duplicate_id for r in rows)))
            if primary_of.get(duplicate_id) is None:
                envelopes, answer = make()
                await conn.execute(
                    "INSERT INTO intake.incident_links (duplicate_id, primary_id, link_id, envelopes, answer, state)"
                    " VALUES ($1, $2, $3, $4::json, $5::json, 'pending')", duplicate_id, primary_id,
                    answer["link_id"], json.dumps(envelopes, ensure_ascii=False),
                    json.dumps(answer, ensure_ascii=False))
            row = await conn.fetchrow("SELECT duplicate_id, primary_id, envelopes::text, answer::text, state"
                                      " FROM intake.incident_links WHERE duplicate_id = $1", duplicate_id)
        return Link(row["duplicate_id"], row["primary_id"], json.loads(row["envelopes"]), json.loads(row["answer"]),
                    row["state"] == "published")

    async def published(self, duplicate_id: str) -> None:
        await self._db.pool.execute("UPDATE intake.incident_links SET state = 'published' WHERE duplicate_id = $1",
                                    duplicate_id)


@dataclass(frozen=True)
class LinkFacts:
    """What the links already say about a pair about to be linked."""

    primary_of_primary: str | None
    primary_of_duplicate: str | None
    duplicates_of_duplicate: int


_SELECT_SUBMISSION = ("SELECT unit_id, idem_key, report_id, request_hash, envelopes::text, answer::text, state,"
                      " incident::text, sequence, incident_closed FROM intake.submissions")


_SELECT_ITEM = ("SELECT unit_id, idem_key, item_id, request_hash, envelope::text, answer::text, state"
                " FROM intake.item_submissions")


def _item_submission(row: asyncpg.Record) -> ItemSubmission:
    return ItemSubmission(row["unit_id"], row["idem_key"], row["item_id"], row["request_hash"],
                          json.loads(row["envelope"]), json.loads(row["answer"]), row["state"] == "published")


def _submission(row: asyncpg.Record) -> Submission:
    return Submission(row["unit_id"], row["idem_key"], row["report_id"], row["request_hash"],
                      json.loads(row["envelopes"]), json.loads(row["answer"]), row["state"] == "published",
                      _incident(row["incident"]), row["sequence"], row["incident_closed"])


def _incident_json(incident: Incident | None) -> dict[str, Any] | None:
    if incident is None:
        return None
    occurred = incident.occurred_at.isoformat() if incident.occurred_at else None
    return {**incident.__dict__, "clock_start": incident.clock_start.isoformat(), "occurred_at": occurred}


def _incident(text: str | None) -> Incident | None:
    raw = json.loads(text) if text else None
    if raw is None:
        return None
    occurred = raw.get("occurred_at")
    return Incident(**{**raw, "clock_start": datetime.fromisoformat(raw["clock_start"]),
                       "occurred_at": datetime.fromisoformat(occurred) if occurred else None})
