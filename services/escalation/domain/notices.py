"""The events a fired clock publishes: DeadlineBreached, DeadlineApproaching, StepOverdue, FollowUpDue; and
BreachSuperseded for a breach of an incident later linked as a duplicate (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from services.escalation.domain.clocks import ClockRow, derived_id
from services.escalation.domain.concealment import Seen, assess
from services.escalation.domain.responsibility import Holding, responsible
from shared.envelope import Envelope
from shared.events import BreachSuperseded, DeadlineApproaching, DeadlineBreached, EventData, FollowUpDue, StepOverdue
from shared.topics import BREACHES, DEADLINES

SOURCE = "/baosong/escalation"


def fired_event(row: ClockRow, *, detected_at: datetime, seen: list[Seen],
                holdings: Sequence[Holding] = ()) -> tuple[str, Envelope]:
    """The topic and envelope a due clock publishes; the envelope id is the clock id. ``holdings``: the
    incident's reports in units' sign-off chains (who a breach traces back to, which step is overdue)."""
    data: EventData
    if row.kind == "step":
        data = _step_overdue(row, holdings)
        topic = DEADLINES
    elif row.kind in ("late", "missed"):
        concealed, evidence = assess(row.unit_id, seen, detected_at)
        data = DeadlineBreached(
            breach_id=row.clock_id, incident_id=row.incident_id, unit_id=row.unit_id, obligation=row.obligation,
            kind=row.kind,
            deadline_at=row.deadline_at, detected_at=detected_at, policy=row.policy,
            suspected_concealment=concealed,
            evidence=[{"clock_start": row.clock_start.isoformat(), "to_unit_id": row.to_unit_id}, *evidence],
            responsible=responsible(row.unit_id, row.obligation, row.deadline_at, holdings))
        topic = BREACHES
    elif row.kind == "reminder":
        data = DeadlineApproaching(
            reminder_id=row.clock_id, incident_id=row.incident_id, unit_id=row.unit_id, obligation=row.obligation,
            deadline_at=row.deadline_at, share=row.share or 0.0, policy=row.policy)
        topic = DEADLINES
    else:
        data = FollowUpDue(reminder_id=row.clock_id, incident_id=row.incident_id, unit_id=row.unit_id,
                           due_at=row.due_at, sequence=row.sequence or 0, policy=row.policy)
        topic = DEADLINES
    envelope = Envelope(id=row.clock_id, source=SOURCE, type=type(data).__name__, subject=row.incident_id,
                        time=detected_at, data=data.model_dump(mode="json"), partitionkey=row.incident_id,
                        policy=row.policy, actorunit=row.unit_id)
    return topic, envelope


def _step_overdue(row: ClockRow, holdings: Sequence[Holding]) -> StepOverdue:
    assert row.report_id is not None and row.sequence is not None
    held = next(h for h in holdings if (h.report_id, h.unit_id) == (row.report_id, row.unit_id))
    step = held.chain[row.sequence - 1]
    return StepOverdue(reminder_id=row.clock_id, incident_id=row.incident_id, report_id=row.report_id,
                       unit_id=row.unit_id, step=row.sequence, stage=step.stage, roles=list(step.roles),
                       held_since=row.clock_start, due_at=row.due_at, policy=row.policy)


def superseded_event(*, breach_id: str, incident_id: str, primary_id: str, link_id: str, unit_id: str,
                     obligation: str, kind: str, policy: str, superseded_at: datetime) -> tuple[str, Envelope]:
    """The breach stands but is superseded by the primary's obligations; the id is derived from the breach's."""
    data = BreachSuperseded(breach_id=breach_id, incident_id=incident_id, primary_id=primary_id, link_id=link_id,
                            unit_id=unit_id, obligation=obligation, kind=kind,
                            superseded_at=superseded_at)
    envelope = Envelope(id=derived_id(breach_id, "superseded"), source=SOURCE, type="BreachSuperseded",
                        subject=incident_id, time=superseded_at, data=data.model_dump(mode="json"),
                        partitionkey=incident_id, correlationid=link_id, policy=policy, actorunit=unit_id)
    return BREACHES, envelope
