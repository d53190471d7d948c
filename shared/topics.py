"""Kafka topic names and their partition counts. Report and incident events are keyed by incident id."""

from typing import Final

REPORTS: Final = "baosong.reports"
#: Work information: items (keyed by item id) and commissioned requests (keyed by request id).
ITEMS: Final = "baosong.items"
UNITS: Final = "baosong.units"
DEADLINES: Final = "baosong.deadlines"
BREACHES: Final = "baosong.breaches"
AUDIT: Final = "baosong.audit"
INGRESS: Final = "baosong.ingress.reports"
INGRESS_DEAD_LETTER: Final = "baosong.ingress.reports.dlq"

#: Each agency's own ingress topic is ``baosong.ingress.reports.<unit>``: only its Kafka user may write it.
AGENCY_INGRESS_PREFIX: Final = f"{INGRESS}."
#: What intake subscribes to: every agency's topic, not the dead-letter topic (``….dlq``).
AGENCY_INGRESS_PATTERN: Final = r"baosong\.ingress\.reports\.(?!dlq$)[A-Za-z0-9_-]+$"

PARTITIONS: Final[dict[str, int]] = {
    REPORTS: 6,
    ITEMS: 6,
    UNITS: 3,
    DEADLINES: 6,
    BREACHES: 3,
    AUDIT: 1,
    INGRESS: 6,
    INGRESS_DEAD_LETTER: 1,
}

#: The topic each event type is published on (docs/asyncapi.yaml documents each there).
EVENT_TOPIC: Final[dict[str, str]] = {
    "ReportSubmitted": REPORTS,
    "IncidentRegraded": REPORTS,
    "IncidentReopened": REPORTS,
    "IncidentsLinked": REPORTS,
    "ReportApproved": REPORTS,
    "ReportRejected": REPORTS,
    "ReportForwarded": REPORTS,
    "ReportAcknowledged": REPORTS,
    "WrittenReportOwed": REPORTS,
    "UnitRegistered": UNITS,
    "DeadlineApproaching": DEADLINES,
    "StepOverdue": DEADLINES,
    "FollowUpDue": DEADLINES,
    "DeadlineBreached": BREACHES,
    "BreachSuperseded": BREACHES,
    "BreachAcknowledged": BREACHES,
    "ChainHeadPublished": AUDIT,
    "IngressMessageRefused": INGRESS_DEAD_LETTER,
    "ItemSubmitted": ITEMS,
    "ItemApproved": ITEMS,
    "ItemRejected": ITEMS,
    "ItemForwarded": ITEMS,
    "ItemAcknowledged": ITEMS,
    "ItemAdopted": ITEMS,
    "InstructionGiven": ITEMS,
    "RequestIssued": ITEMS,
    "QuotaMissed": DEADLINES,
}

#: Topics whose every event the archive keeps forever (the audit topic carries the archive's own heads).
ARCHIVED: Final = (REPORTS, ITEMS, UNITS, DEADLINES, BREACHES)
