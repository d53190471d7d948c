"""Intake's HTTP API (contract §Intake).

FastAPI resolves the routes' Annotated dependencies at run time, so no postponed annotations here.
"""


from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker

from services.intake.domain.submission import new_report_id, report_submitted
from shared.auth import Principal
from shared.envelope import now_utc
from shared.events import ReportSubmitted
from shared.http import Problem, require_roles
from shared.kafka import publish
from shared.logging import bound_ids, get_logger
from shared.report import Report
from shared.topics import REPORTS

log = get_logger(__name__)
SUBMITTERS = ("reporter", "approver", "principal")


def router(broker: KafkaBroker, auth: Callable[..., Awaitable[Principal]]) -> APIRouter:
    api = APIRouter(prefix="/v1")

    @api.post("/reports", status_code=202)
    async def submit_report(report: Report, principal: Annotated[Principal, Depends(auth)]) -> JSONResponse:
        require_roles(principal, *SUBMITTERS)
        if principal.unit != report.reporting_unit:
            raise Problem(403, "Forbidden",
                          f"Your token acts for unit {principal.unit!r}; it cannot report for "
                          f"{report.reporting_unit!r}.")
        envelope = report_submitted(report, report_id=new_report_id(), received_at=now_utc(),
                                    actor=principal.subject, actor_unit=principal.unit)
        submitted = ReportSubmitted.model_validate(envelope.data)
        with bound_ids(event_id=envelope.id, incident_id=submitted.incident_id,
                       correlation_id=envelope.correlationid):
            await publish(broker, REPORTS, envelope)
            log.info("report submitted", report_id=submitted.report_id)
        body: dict[str, Any] = submitted.model_dump(mode="json", exclude={"report"})
        return JSONResponse(body, status_code=202)

    return api
