"""Suspected concealment (瞒报嫌疑) and the evidence a breach cites (docs/rules.md §5).

The system never asserts concealment: it flags a breach when another channel — another unit, a
department — had reported the incident while the responsible unit had reported nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Seen:
    """A report event of the incident, as escalation recorded it."""

    event_id: str
    type: str
    at: datetime
    unit_id: str | None
    report_id: str | None = None
    to_unit_id: str | None = None

    def evidence(self, *, other_channel: bool = False) -> dict[str, Any]:
        item: dict[str, Any] = {"event_id": self.event_id, "type": self.type, "time": self.at.isoformat(),
                                "unit_id": self.unit_id}
        if self.report_id:
            item["report_id"] = self.report_id
        if self.to_unit_id:
            item["to_unit_id"] = self.to_unit_id
        if other_channel:
            item["other_channel"] = True
        return item


def assess(responsible: str, seen: list[Seen], detected_at: datetime) -> tuple[bool, list[dict[str, Any]]]:
    """Whether concealment is suspected, and the events (ids and times) that show what was known when."""
    known = sorted((s for s in seen if s.at <= detected_at), key=lambda s: s.at)
    own = [s.at for s in known if s.type == "ReportSubmitted" and s.unit_id == responsible]
    first_own = min(own) if own else None
    others = {s.event_id for s in known
              if s.type == "ReportSubmitted" and s.unit_id != responsible
              and (first_own is None or s.at < first_own)}
    return bool(others), [s.evidence(other_channel=s.event_id in others) for s in known]
