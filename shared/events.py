"""Schemas of the ``data`` of every Baosong event type. Fields may grow; names never change meaning."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from shared.access import DEFAULT, Level
from shared.item import InstructionLevel, Item
from shared.offset import in_china
from shared.report import Report

Grade = Literal["I", "II", "III", "IV"]
UnitLevel = Literal["province", "prefecture", "county", "town", "village", "organization"]
UnitKind = Literal["general_office", "department", "school", "enterprise", "other"]
#: ``request_missed``: a unit sent no approved item for a commissioned request (约稿) by its due time.
BreachKind = Literal["late", "missed", "request_missed"]


class EventData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: A deadline, always stated at +08:00 (``shared.offset``).
Deadline = Annotated[AwareDatetime, AfterValidator(in_china)]


class Obligation(EventData):
    obligation: str = Field(examples=["written_report"])
    unit_id: str
    to_unit_id: str | None = None
    late_at: Deadline | None = None
    missed_at: Deadline | None = None


class ReportSubmitted(EventData):
    report_id: str
    incident_id: str
    received_at: AwareDatetime
    report: Report
    reportable: bool = False
    grade: Grade | None = None
    reasons: list[str] = Field(default_factory=list)
    reasons_zh: list[str] = Field(default_factory=list, description="The reasons in Chinese, in the same order.")
    policy: str | None = None
    obligations: list[Obligation] = Field(default_factory=list)
    sequence: int | None = Field(default=None, ge=0, description="The report's number in its incident, in the order"
                                 " intake received them: 0 for the first, 1, 2 … (None: from before numbering).")
    label: str | None = Field(default=None, examples=["续报二"], description="首报, 续报一, 续报二 …, 终报.")


class ReportApproved(EventData):
    report_id: str
    incident_id: str
    unit_id: str
    approver: str
    role: str
    comment: str = ""
    final: bool = Field(description="True when this sign-off releases the report from its unit.")
    step: int | None = Field(default=None, ge=1, description="The sign-off step it settles, numbered from 1 in the"
                             " pack's chain (the drafting before them is the submission); None: before chains.")
    stage: str | None = Field(default=None, examples=["leader"], description="That step's stage (approver,"
                              " section_head, leader, principal …); None: before chains, or a phone report.")
    skipped: list[str] = Field(default_factory=list, description="Stages passed over in an emergency"
                               " (`skip_steps`), as the pack allows.")


class ReportRejected(EventData):
    report_id: str
    incident_id: str
    unit_id: str
    approver: str
    role: str
    comment: str
    step: int | None = Field(default=None, ge=1, description="The sign-off step it settles, numbered from 1 in the"
                             " pack's chain (the drafting before them is the submission); None: before chains.")
    stage: str | None = Field(default=None, examples=["leader"], description="That step's stage (approver,"
                              " section_head, leader, principal …); None: before chains, or a phone report.")


class ReportForwarded(EventData):
    report_id: str
    incident_id: str
    from_unit_id: str
    to_unit_id: str
    channel: Literal["main", "department", "skip_notice"] = "main"
    report_channel: Literal["written", "phone"] = Field(
        default="written", description="A phone report's forward does not discharge the written report.")
    emergency: bool = Field(default=False, description="An emergency level-skip (越级上报) allowed by the pack.")
    signs_off: bool | None = Field(default=None, description="True when the receiving unit signs the report off in"
                                   " turn (its own chain) and sends it on; False: a copy, notice or the route's end"
                                   " (read and acknowledge); None: from before sign-off chains.")


class WrittenReportOwed(EventData):
    """A phone report was forwarded at once; the unit still owes the written report that links to it."""

    report_id: str = Field(description="The phone report.")
    incident_id: str
    unit_id: str
    to_unit_id: str | None = None
    policy: str | None = None


class ReportAcknowledged(EventData):
    report_id: str
    incident_id: str
    unit_id: str
    by: str


class ResponsiblePerson(EventData):
    """One person (or, while nobody decided it yet, one role) a breach traces back to (责任倒查)."""

    subject: str | None = Field(description="Who (a token's subject); None: the step waited, nobody had decided it.")
    role: str = Field(examples=["leader"], description="The role they acted in, or the waiting step's role.")
    stage: str = Field(examples=["drafter", "section_head", "leader", "principal"],
                       description="`drafter`: wrote and submitted the report; else the sign-off step's stage.")
    step: int | None = Field(default=None, description="The sign-off step's number (None: the drafter).")
    decided_at: AwareDatetime | None = Field(default=None, description="When they decided (None: still waiting).")
    held: bool = Field(default=False, description="True for the one who held the report when the deadline passed.")


class Responsible(EventData):
    """Who a breach traces back to (责任倒查): the unit, then the drafter, the steps decided and the step waiting
    when the deadline passed, in the order of the chain."""

    unit_id: str
    persons: list[ResponsiblePerson] = Field(default_factory=list)


class DeadlineBreached(EventData):
    """An obligation's deadline passed. Its subject is an incident, a work item or a commissioned request:
    exactly one of ``incident_id``, ``item_id``, ``request_id`` is set (incident breaches before work
    information existed carry only ``incident_id``)."""

    breach_id: str
    incident_id: str | None = None
    item_id: str | None = None
    request_id: str | None = None
    unit_id: str
    obligation: str
    kind: BreachKind
    deadline_at: AwareDatetime
    detected_at: AwareDatetime
    policy: str
    suspected_concealment: bool = False
    evidence: list[dict[str, Any]] = Field(default_factory=list)
    responsible: Responsible | None = Field(
        default=None, description="责任倒查: the unit and the persons (None: a breach from before it was traced).")


class BreachAcknowledged(EventData):
    """A duty officer of the breached unit or a unit above it acknowledged a breach (已知悉): once per breach,
    the first acknowledgement stands. Keyed like the breach (its incident, item or request)."""

    breach_id: str
    incident_id: str | None = None
    item_id: str | None = None
    request_id: str | None = None
    unit_id: str = Field(description="The breached unit (so everyone who sees the breach sees this too).")
    acknowledged_by: str = Field(description="The subject (login) of the person who acknowledged it.")
    acknowledged_by_name: str | None = Field(default=None, description="Their name, when their token carries it.")
    acknowledged_by_unit: str = Field(description="The unit they are duty officer of.")
    acknowledged_at: AwareDatetime


class IncidentRegraded(EventData):
    """A follow-up's figures crossed a threshold: the incident's grade changed (new obligations, new route)."""

    incident_id: str
    report_id: str
    previous_grade: Grade | None
    grade: Grade
    reasons: list[str] = Field(default_factory=list)
    reasons_zh: list[str] = Field(default_factory=list, description="The reasons in Chinese, in the same order.")
    policy: str
    obligations: list[Obligation] = Field(default_factory=list)


class IncidentReopened(EventData):
    """A report reopened a closed incident (a final report had closed it); published just before that report's
    ``ReportSubmitted``, which may itself be final and close it again."""

    incident_id: str
    report_id: str = Field(description="The report that reopened it.")
    reason: str = Field(description="The report's reopen_reason.")
    reopened_at: AwareDatetime


class IncidentsLinked(EventData):
    """A duty officer linked two incidents as one (the same event reported twice): the duplicate's obligations
    are the primary's from now on, and its breaches are superseded. Published twice, once on each incident's
    stream (``incident_id`` = the primary, then the duplicate), so each incident's events stay in order."""

    link_id: str = Field(description="uuid5 of the primary and the duplicate: one link per pair.")
    incident_id: str = Field(description="The incident whose stream this copy is on: the primary or the duplicate.")
    primary_id: str
    duplicate_id: str
    reason: str
    linked_by: str
    unit_id: str = Field(description="The duty officer's unit.")
    linked_at: AwareDatetime


class BreachSuperseded(EventData):
    """A breach raised on an incident later linked as a duplicate: it stands (never deleted) but is superseded
    by the primary incident's obligations, and counts no more."""

    breach_id: str
    incident_id: str = Field(description="The duplicate incident the breach was raised on.")
    primary_id: str
    link_id: str
    unit_id: str
    obligation: str
    kind: BreachKind
    superseded_at: AwareDatetime


class DeadlineApproaching(EventData):
    """A share of an open obligation's time has passed (e.g. 50 %, 80 %): act before the breach."""

    reminder_id: str
    incident_id: str
    unit_id: str
    obligation: str
    deadline_at: AwareDatetime
    share: float
    policy: str


class StepOverdue(EventData):
    """A sign-off step has held a report longer than its pack's ``hold``: its own reminder, before any breach."""

    reminder_id: str
    incident_id: str
    report_id: str
    unit_id: str
    step: int = Field(ge=1, description="The waiting step's number in the chain.")
    stage: str = Field(examples=["leader"])
    roles: list[str] = Field(description="The roles that may decide it.")
    held_since: AwareDatetime = Field(description="When the step began to hold the report.")
    due_at: AwareDatetime = Field(description="held_since + the step's hold.")
    policy: str


class FollowUpDue(EventData):
    """A 续报 is due for an incident that is not closed yet."""

    reminder_id: str
    incident_id: str
    unit_id: str
    due_at: AwareDatetime
    sequence: int
    policy: str


class ChainHeadPublished(EventData):
    """The archive's hash-chain head, published so an outside party can hold the store to it.

    ``signature``: Ed25519 by the archive's key ``key_id`` over the other fields (``shared.signing``);
    heads published before signing existed carry neither."""

    position: int
    hash: str
    recorded_at: AwareDatetime
    key_id: str | None = None
    signature: str | None = None


class IngressSource(EventData):
    """Where a refused ingress message was."""

    topic: str
    partition: int
    offset: int
    key: str | None = Field(description="The message's key as UTF-8 text (undecodable bytes replaced), if any.")


class IngressMessageRefused(EventData):
    """An ingress message intake refused (a dead letter): why, where it was, and its original bytes."""

    dead_letter_id: str = Field(description="uuid5 of the original topic, partition and offset.")
    failed_at: AwareDatetime
    status: int = Field(description="The HTTP status the same request would get (422, 403, 409).")
    title: str
    detail: str = Field(description="中文 / English.")
    errors: list[dict[str, Any]] = Field(
        description="Each bad field: field, label, message (中文), message_en, type — as in the HTTP 422.")
    source: IngressSource
    original_base64: str = Field(description="The original value, base64.")
    original_text: str | None = Field(description="The original value as UTF-8 text, when it is.")
    original_headers: dict[str, str] = Field(description="Header name → base64 of its value.")


class UnitRegistered(EventData):
    unit_id: str
    name: str
    level: UnitLevel
    kind: UnitKind
    parent_id: str | None = None
    department_parent_id: str | None = None


# ---- Work information (信息工作): items, sign-off, adoption, forwarding, instructions, requests, quotas ----


class ItemSubmitted(EventData):
    """A unit's information officer submitted an item (keyed by ``item_id`` on ``baosong.items``)."""

    item_id: str
    received_at: AwareDatetime
    item: Item
    policy: str = Field(description="The information pack governing the writing unit, ``name@version``.")
    due_at: Deadline | None = Field(default=None, description="When the item must have left its unit (signed"
                                    " and sent), from the pack's due_after for its kind; None: no due time.")


class ItemApproved(EventData):
    item_id: str
    unit_id: str
    approver: str
    role: str
    comment: str = ""
    final: bool = Field(description="True when this sign-off releases the item from its unit (it is sent on).")
    step: int | None = Field(default=None, ge=1, description="The sign-off step it settles, numbered from 1 in the"
                             " pack's chain (the drafting before them is the submission); None: before chains.")
    stage: str | None = Field(default=None, examples=["leader"], description="That step's stage (approver,"
                              " section_head, leader, principal …); None: before chains, or a phone report.")
    skipped: list[str] = Field(default_factory=list, description="Stages passed over in an emergency.")


class ItemRejected(EventData):
    item_id: str
    unit_id: str
    approver: str
    role: str
    comment: str
    step: int | None = Field(default=None, ge=1, description="The sign-off step it settles, numbered from 1 in the"
                             " pack's chain (the drafting before them is the submission); None: before chains.")
    stage: str | None = Field(default=None, examples=["leader"], description="That step's stage (approver,"
                              " section_head, leader, principal …); None: before chains, or a phone report.")


class ItemForwarded(EventData):
    """The item reached ``to_unit_id``: sent by its writing unit after sign-off, or forwarded on (转报) by an
    editor of a unit it had reached (``by`` names the editor then)."""

    item_id: str
    author_unit_id: str = Field(description="The unit that wrote the item; every level's points go to it.")
    from_unit_id: str
    to_unit_id: str
    channel: Literal["main", "department"] = "main"
    by: str | None = Field(default=None, description="The editor who forwarded it (转报); None: the sign-off.")


class ItemAcknowledged(EventData):
    """A unit the item reached confirmed receipt (回执)."""

    item_id: str
    unit_id: str
    by: str


class ItemAdopted(EventData):
    """An editor adopted the item into an issue of their unit's publication (采用). Once per publication."""

    adoption_id: str = Field(description="uuid5 of the item and the publication: one adoption per publication.")
    item_id: str
    author_unit_id: str
    unit_id: str = Field(description="The adopting unit (the publication's).")
    publication: str = Field(examples=["要情快报"])
    issue: str = Field(examples=["2026年第45期"])
    level: str = Field(description="The publication's level in the pack (county, prefecture …): its points.")
    by: str
    adopted_at: AwareDatetime


class InstructionGiven(EventData):
    """A leader's written instruction (领导批示) on an item: bonus points by its level."""

    instruction_id: str
    item_id: str
    author_unit_id: str
    unit_id: str = Field(description="The unit of the principal who recorded it.")
    level: InstructionLevel
    text: str
    by: str
    given_at: AwareDatetime


class RequestIssued(EventData):
    """An editor commissioned items (约稿) from named units on a topic, due by ``due_at``."""

    request_id: str
    unit_id: str = Field(description="The commissioning unit.")
    to_units: list[str]
    topic: str
    due_at: Deadline
    by: str
    issued_at: AwareDatetime
    classification: Level = DEFAULT


class QuotaMissed(EventData):
    """At a period's end a unit had fewer approved items than its pack's quota for that period."""

    quota_id: str = Field(description="uuid5 of the unit, the period and the quota's kinds: never doubled.")
    unit_id: str
    period: str = Field(examples=["2026-11", "2026-Q4", "2026"])
    quota: int
    counted: int
    kinds: list[str] | None = Field(default=None, description="The item kinds the quota counts; None: all.")
    policy: str
    detected_at: AwareDatetime


EVENT_TYPES: dict[str, type[EventData]] = {
    cls.__name__: cls
    for cls in (
        ReportSubmitted,
        ReportApproved,
        ReportRejected,
        ReportForwarded,
        ReportAcknowledged,
        WrittenReportOwed,
        DeadlineBreached,
        BreachAcknowledged,
        UnitRegistered,
        IncidentRegraded,
        IncidentReopened,
        IncidentsLinked,
        BreachSuperseded,
        DeadlineApproaching,
        StepOverdue,
        FollowUpDue,
        ChainHeadPublished,
        IngressMessageRefused,
        ItemSubmitted,
        ItemApproved,
        ItemRejected,
        ItemForwarded,
        ItemAcknowledged,
        ItemAdopted,
        InstructionGiven,
        RequestIssued,
        QuotaMissed,
    )
}


def parse_data(event_type: str, data: dict[str, Any]) -> EventData:
    """Validate an envelope's ``data`` against its type's schema (KeyError for unknown types)."""
    return EVENT_TYPES[event_type].model_validate(data)

