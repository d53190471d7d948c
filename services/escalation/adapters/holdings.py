"""Escalation's sign-off tables (migration 004): reports held in units' sign-off chains, and the decisions."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from services.escalation.adapters.repository import Conn
from services.escalation.domain.responsibility import ChainStep, Decided, Holding
from shared.policy import SignOffStep


def chain_json(steps: tuple[SignOffStep, ...]) -> str:
    return json.dumps([{"stage": s.stage_name, "roles": list(s.roles),
                        "hold_s": s.hold.total_seconds() if s.hold else None} for s in steps])


def _chain(text: str) -> tuple[ChainStep, ...]:
    return tuple(ChainStep(stage=s["stage"], roles=tuple(s["roles"]),
                           hold=timedelta(seconds=s["hold_s"]) if s["hold_s"] is not None else None)
                 for s in json.loads(text))


async def arrive(conn: Conn, *, report_id: str, unit_id: str, incident_id: str, drafter: str | None, chain: str,
                 policy: str, at: datetime) -> bool:
    """The report waits for ``unit_id``'s sign-off; True when this is news (not a redelivery)."""
    status = await conn.execute(
        "INSERT INTO escalation.holdings (report_id, unit_id, incident_id, drafter, chain, policy, arrived_at)"
        " VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7) ON CONFLICT DO NOTHING",
        report_id, unit_id, incident_id, drafter, chain, policy, at)
    return bool(status.endswith(" 1"))


async def chain_of(conn: Conn, report_id: str) -> tuple[str, str] | None:
    """The report's chain (JSON) and pack, as its submission recorded them: every unit signs it the same way."""
    row = await conn.fetchrow("SELECT chain::text AS chain, policy FROM escalation.holdings WHERE report_id = $1"
                              " ORDER BY arrived_at LIMIT 1", report_id)
    return (row["chain"], row["policy"]) if row else None


async def holding(conn: Conn, report_id: str, unit_id: str) -> Holding | None:
    row = await conn.fetchrow("SELECT report_id, unit_id, drafter, chain::text AS chain, arrived_at, ended_at"
                              " FROM escalation.holdings WHERE report_id = $1 AND unit_id = $2", report_id, unit_id)
    if row is None:
        return None
    return Holding(row["report_id"], row["unit_id"], row["drafter"], _chain(row["chain"]), row["arrived_at"],
                   row["ended_at"])


async def end(conn: Conn, *, report_id: str, unit_id: str, at: datetime, by: str) -> None:
    """The report left the unit's sign-off (signed, rejected, replaced); the first end is kept."""
    await conn.execute("UPDATE escalation.holdings SET ended_at = $3, ended_by = $4"
                       " WHERE report_id = $1 AND unit_id = $2 AND ended_at IS NULL", report_id, unit_id, at, by)


async def record_decision(conn: Conn, *, event_id: str, report_id: str, unit_id: str, incident_id: str, subject: str,
                          role: str, decision: str, step: int | None, stage: str | None, at: datetime) -> bool:
    """True when the decision is news (a redelivery changes nothing)."""
    status = await conn.execute(
        "INSERT INTO escalation.step_decisions VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
        event_id, report_id, unit_id, incident_id, subject, role, decision, step, stage, at)
    return bool(status.endswith(" 1"))


async def close_step_clocks(conn: Conn, *, report_id: str, unit_id: str, through: int | None, at: datetime,
                            event_id: str) -> None:
    """The step reminders a decision answers: up to step ``through`` (None: all of the report in the unit)."""
    await conn.execute(
        "UPDATE escalation.clocks SET state = 'fulfilled', closed_at = $4, closed_by = $5"
        " WHERE report_id = $1 AND unit_id = $2 AND kind = 'step' AND state = 'open'"
        " AND ($3::int IS NULL OR sequence <= $3)", report_id, unit_id, through, at, event_id)


async def of_incidents(conn: Conn, incident_ids: list[str]) -> dict[str, list[Holding]]:
    """Every holding of the incidents, with its decisions in time order."""
    rows = await conn.fetch(
        "SELECT incident_id, report_id, unit_id, drafter, chain::text AS chain, arrived_at, ended_at"
        " FROM escalation.holdings WHERE incident_id = ANY($1::text[])", incident_ids)
    decisions = await conn.fetch(
        "SELECT report_id, unit_id, subject, role, decision, at, step, stage FROM escalation.step_decisions"
        " WHERE incident_id = ANY($1::text[]) ORDER BY at", incident_ids)
    made: dict[tuple[str, str], list[Decided]] = {}
    for d in decisions:
        made.setdefault((d["report_id"], d["unit_id"]), []).append(
            Decided(d["subject"], d["role"], d["decision"], d["at"], d["step"], d["stage"]))
    out: dict[str, list[Holding]] = {}
    for r in rows:
        out.setdefault(r["incident_id"], []).append(Holding(
            r["report_id"], r["unit_id"], r["drafter"], _chain(r["chain"]), r["arrived_at"], r["ended_at"],
            tuple(made.get((r["report_id"], r["unit_id"]), ()))))
    return out
