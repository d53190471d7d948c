"""How an incident's reports follow one another (regulations §2; contract "Incident rules"), pure.

- **Numbering**: every report on an incident has its number in the order intake received it — 0 for
  the first, then 1, 2 … — and a label by its kind: 首报 (initial), 续报一, 续报二 … (follow-up, by its
  number), 终报 (final).
- **Closure**: a final report closes the incident; a later report is refused unless it says
  ``"reopen": true`` with a ``reopen_reason`` (a reopening report may itself be final and close it again).
- **Changed facts**: a follow-up may correct the occurrence time or the place (a first report by phone
  is often rough, and a 续报 "says what changed"); it is accepted with a warning, and the incident's
  deadlines keep running from the first report's time, so a correction can never move a deadline.
"""

from __future__ import annotations

from datetime import datetime

from services.intake.domain.messages import field_error
from shared.http import Problem
from shared.offset import in_china
from shared.report import Report, ReportKind

DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1–99 in Chinese numerals (一, 十, 十一, 二十三 …); larger numbers in digits."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else "十" if tens == 1 else DIGITS[tens] + "十"
    return head + (DIGITS[ones] if ones else "")


def label_for(kind: ReportKind, sequence: int) -> str:
    if kind == "initial":
        return "首报"
    if kind == "final":
        return "终报"
    return "续报" + chinese_number(sequence)


def closed_after(kind: ReportKind, *, closed: bool, reopen: bool) -> bool:
    """Whether the incident is closed once this report is taken."""
    return kind == "final" or (closed and not reopen)


def refuse_if_closed(report: Report, *, closed: bool) -> None:
    """409 for a report on a closed incident that does not reopen it."""
    if closed and not report.reopen:
        raise Problem(409, "Incident closed",
                      f"事件“{report.incident_id}”已终报并关闭，不再接收报告；如需重新打开，请填写 \"reopen\": true"
                      f" 和重新打开的理由 reopen_reason。 / Incident {report.incident_id!r} is closed (its final report"
                      " was received): to report on it again, send \"reopen\": true with a reopen_reason.",
                      [field_error("reopen", "事件已关闭，重新打开须写明理由",
                                   "the incident is closed; reopening it needs a reason", "incident_closed")])


def warnings_for(report: Report, *, closed: bool, occurred_at: datetime | None, location_unit_id: str
                 ) -> list[dict[str, str]]:
    """Warnings on a report about an existing incident: a reopen of an open incident, changed facts."""
    out: list[dict[str, str]] = []
    if report.reopen and not closed:
        out.append(field_error("reopen", "事件并未关闭，无需重新打开", "the incident is not closed: nothing to reopen",
                               "not_closed"))
    if occurred_at is not None and occurred_at != report.occurred_at:
        was, now = in_china(occurred_at).isoformat(), in_china(report.occurred_at).isoformat()
        out.append(field_error("occurred_at", f"发生时间由 {was} 改为 {now}；时限仍从首报所述时间 {was} 起算",
                               f"the occurrence time changed from {was} to {now}; deadlines still run from {was},"
                               " as first reported", "occurred_at_changed"))
    if report.location.unit_id != location_unit_id:
        out.append(field_error("location.unit_id", f"发生地单位由“{location_unit_id}”改为“{report.location.unit_id}”；"
                               "事件的时限和报送路线不变", f"the place changed from {location_unit_id!r} to"
                               f" {report.location.unit_id!r}; the incident's deadlines and route stay",
                               "location_changed"))
    return out
