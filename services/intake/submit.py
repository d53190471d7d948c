"""The one way a report enters Baosong (HTTP and the Kafka ingress alike).

Nothing leaves before everything is known: the input is checked for what no service could store (NUL,
lone surrogates, nesting), then validated, classified and turned into its events' bytes; only then is
anything stored or published, so no client input can fail after a publish.

Order of durability: the computed events are stored as a *pending* submission under
(unit, Idempotency-Key) before they are published; once Kafka acknowledges them the submission
is marked published, together with the incident's new grade. A retry of a pending submission
republishes exactly the stored events (same ids, same bytes), so a crash anywhere between the
two steps can neither lose nor double an event.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from services.intake.adapters.store import Incident, IntakeStore, Submission
from services.intake.domain.bounds import refuse_unsafe, unsafe_fields
from services.intake.domain.classify import GRADE_RANK, Classification, classify
from services.intake.domain.incident_rules import closed_after, label_for, refuse_if_closed, warnings_for
from services.intake.domain.receipt import receipt_for
from services.intake.domain.scope import in_scope, other_unit_refusal, refusal
from services.intake.domain.submission import (
    Who,
    incident_id_for,
    incident_regraded,
    incident_reopened,
    report_id_for,
    report_submitted,
)
from services.intake.domain.validation import check_report
from shared.envelope import Envelope, now_utc
from shared.events import Obligation, UnitRegistered
from shared.http import Problem
from shared.obligations import initial_obligations
from shared.offset import in_china
from shared.policy import Pack, pack_for
from shared.report import Report
from shared.signing import Signer

Publish = Callable[[Envelope], Awaitable[None]]
#: How often a report computes its number again after other reports on its incident took it (under load).
NUMBERING_ATTEMPTS = 20


def request_hash(raw: Any) -> str:
    return hashlib.sha256(json.dumps(raw, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def own_unit(unit_id: str | None, raw: Any) -> str:
    """The token's unit, when ``raw`` (a report or an item) is written for it; else a 403 Problem."""
    claimed = raw.get("reporting_unit") if isinstance(raw, dict) else None
    why = other_unit_refusal(unit_id, claimed)
    if why is not None:
        raise Problem(403, "Forbidden", why)
    assert unit_id is not None, "other_unit_refusal refuses a token of no unit"
    return unit_id


def _obligations(pack: Pack, c: Classification, incident: Incident, units: dict[str, UnitRegistered]
                 ) -> list[Obligation]:
    unit = units.get(incident.location_unit_id)
    return initial_obligations(pack, clock_start=incident.clock_start, reportable=c.reportable, grade=c.grade,
                               unit_id=incident.location_unit_id, parent_id=unit.parent_id if unit else None,
                               department_parent_id=unit.department_parent_id if unit else None)


class Intake:
    def __init__(self, store: IntakeStore, publish: Publish, *, clock_skew: timedelta, signer: Signer):
        self._store, self._publish, self._skew, self._signer = store, publish, clock_skew, signer

    async def submit(self, raw: Any, *, unit_id: str | None, actor: str, key: str | None) -> dict[str, Any]:
        """Validate, classify and publish ``raw``; returns the 202 answer (Problem on refusal)."""
        refuse_unsafe(unsafe_fields(raw))  # first: the answers below quote the input
        unit_id = own_unit(unit_id, raw)
        key = key or f"auto:{uuid.uuid4()}"
        digest = request_hash(raw)
        earlier = await self._store.submission(unit_id, key)
        attempts = 0
        while earlier is None:  # None again: another report on the incident took this number; take the next
            attempts += 1
            if attempts > NUMBERING_ATTEMPTS:
                raise Problem(503, "Service unavailable", "该事件同时收到的报告过多，请稍后重试"
                              "（同一 Idempotency-Key）。 / Too many reports on this incident at once:"
                              " retry with the same Idempotency-Key.")
            earlier = await self._store.reserve(await self._prepare(raw, unit_id, actor, key, digest))
        if earlier.request_hash != digest:
            raise Problem(409, "Conflict", "同一 Idempotency-Key 已用于另一份报告，请换一个键。"
                          " / This Idempotency-Key was already used for a different report.")
        if not earlier.published:
            for env in earlier.envelopes:
                await self._publish(Envelope.model_validate(env))
            await self._store.published(earlier)
        return earlier.answer

    async def _require_scope(self, report: Report, unit_id: str, known: Incident | None) -> None:
        """403 unless the unit may file ``report``: located in its scope, or on an incident it is party to."""
        location = known.location_unit_id if known is not None else report.location.unit_id
        directory = await self._store.lineage(location)
        reported = known is not None and not in_scope(unit_id, location, directory) \
            and await self._store.has_reported(unit_id, known.incident_id)
        why = refusal(unit_id, location_unit_id=location, incident_id=known.incident_id if known else None,
                      reported_before=reported, directory=directory)
        if why is not None:
            raise Problem(403, "Forbidden", why)

    async def _prepare(self, raw: Any, unit_id: str, actor: str, key: str, digest: str) -> Submission:
        """Check, classify and compute the events (nothing is stored or published here)."""
        location = raw.get("location") if isinstance(raw, dict) else None
        wanted = [unit_id, location.get("unit_id") if isinstance(location, dict) else None]
        units = await self._store.units(u for u in wanted if isinstance(u, str))
        named = raw.get("incident_id") if isinstance(raw, dict) else None
        known = await self._store.incident(named) if isinstance(named, str) else None
        now = now_utc()
        checked = check_report(raw, now=now, skew=self._skew, units=units,
                               incidents={known.incident_id} if known else set(), pack_for=pack_for)
        if checked.report is None:
            fields = "、".join(e["field"] for e in checked.errors)
            raise Problem(422, "Invalid report", f"请修改以下字段后重新提交：{fields} / Fix these fields and send "
                          f"again: {fields.replace('、', ', ')}", checked.errors)
        report = checked.report
        await self._require_scope(report, unit_id, known)
        report_id = report_id_for(unit_id, key)
        incident_id = report.incident_id or incident_id_for(report_id)
        standing = await self._store.standing(incident_id)
        refuse_if_closed(report, closed=standing.closed)
        warnings = checked.warnings
        if known is not None:
            warnings += warnings_for(report, closed=standing.closed, occurred_at=known.occurred_at,
                                     location_unit_id=known.location_unit_id)
        sequence, label = standing.next_sequence, label_for(report.kind, standing.next_sequence)
        location_unit = units[report.location.unit_id]
        pack = pack_for(unit_id=location_unit.unit_id, unit_kind=location_unit.kind)
        c = classify(pack, report)
        who = Who(actor=actor, actor_unit=unit_id)
        opened: list[Obligation] = []
        envelopes: list[Envelope] = []
        regraded: dict[str, Any] | None = None
        if known is None:
            clock = report.discovered_at if pack.clock_start == "discovered" and report.discovered_at else None
            incident = Incident(incident_id, report.category, location_unit.unit_id,
                                clock or report.clock_start(), c.reportable, c.grade, c.policy, report.occurred_at)
            opened = _obligations(pack, c, incident, units)
        elif c.reportable and GRADE_RANK[c.grade] != GRADE_RANK[known.grade]:
            incident = Incident(**{**known.__dict__, "reportable": True, "grade": c.grade, "policy": c.policy})
            loc_units = await self._store.units([known.location_unit_id])
            opened = _obligations(pack, c, incident, loc_units)
            envelopes.append(incident_regraded(report_id=report_id, incident_id=incident_id, previous=known.grade,
                                               now=c, at=now, who=who, obligations=opened))
            regraded = {"previous_grade": known.grade, "grade": c.grade}
        else:
            incident = known
        submitted = report_submitted(report, report_id=report_id, incident_id=incident_id, received_at=now,
                                     who=who, classification=c, obligations=opened, sequence=sequence, label=label)
        envelopes.insert(0, submitted)
        reopens = standing.closed and report.reopen
        if reopens:
            envelopes.insert(0, incident_reopened(report, report_id=report_id, incident_id=incident_id, at=now,
                                                  who=who, policy=incident.policy))
        answer = {
            "report_id": report_id, "incident_id": incident_id, "sequence": sequence, "label": label,
            "received_at": in_china(now).isoformat(),
            "reportable": c.reportable, "grade": c.grade, "reasons": c.reasons, "reasons_zh": c.reasons_zh,
            "policy": c.policy, "obligations": [o.model_dump(mode="json") for o in opened],
            "regraded": regraded, "reopened": reopens, "warnings": warnings,
            "receipt": receipt_for(self._signer, submission_id=report_id, content_sha256=digest,
                                   received_at=in_china(now).isoformat()),
        }
        return Submission(unit_id, key, report_id, digest, [json.loads(e.to_bytes()) for e in envelopes],
                          answer, published=False, incident=incident, sequence=sequence,
                          incident_closed=closed_after(report.kind, closed=standing.closed, reopen=report.reopen))

