"""A small unit tree and three incidents of October 2026 (Asia/Shanghai), as the events on Kafka.

Town A forwards on time; school B forwards one report late and misses another. The expected
statistics follow from the definitions in docs/pages.md.
"""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from shared import topics
from shared.envelope import Envelope
from shared.kafka import publish_all
from tests.conftest import Infra
from tests.support.kafka import acting_broker
from tests.support.reports import report

PERIOD = "2026-10"


@dataclass
class Scenario:
    suffix: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    events: list[tuple[str, Envelope]] = field(default_factory=list)
    incidents: list[str] = field(default_factory=list)

    @property
    def county(self) -> str:
        return f"county-{self.suffix}"

    @property
    def town_a(self) -> str:
        return f"town-a-{self.suffix}"

    @property
    def school_b(self) -> str:
        return f"school-b-{self.suffix}"

    @property
    def outsider(self) -> str:
        return f"outsider-{self.suffix}"

    def emit(self, topic: str, type_: str, subject: str, time: datetime, data: dict[str, Any]) -> Envelope:
        env = Envelope(id=str(uuid.uuid4()), source="/baosong/tests", type=type_, subject=subject, time=time,
                       data=data, partitionkey=subject)
        self.events.append((topic, env))
        return env

    def unit(self, unit_id: str, name: str, level: str, kind: str, parent: str | None) -> None:
        self.emit(topics.UNITS, "UnitRegistered", unit_id, datetime.fromisoformat("2026-10-01T00:00:00+08:00"),
                  {"unit_id": unit_id, "name": name, "level": level, "kind": kind, "parent_id": parent})

    def submit(self, unit: str, occurred: str, title: str) -> tuple[str, datetime]:
        """A reportable incident of ``unit``; returns its id and its late_at (occurrence + 2 h)."""
        incident, at = f"inc-{uuid.uuid4().hex[:10]}", datetime.fromisoformat(occurred)
        received = (at + timedelta(minutes=10)).isoformat()
        late_at, missed_at = at + timedelta(hours=2), at + timedelta(hours=10)
        body = report(reporting_unit=unit, title=title, occurred_at=occurred,
                      location={"unit_id": unit, "address": "测试地址"})
        self.emit(topics.REPORTS, "ReportSubmitted", incident, at + timedelta(minutes=10), {
            "report_id": f"rep-{incident}", "incident_id": incident, "received_at": received,
            "report": body, "reportable": True, "grade": "IV", "policy": "county-2h-10h@1",
            "obligations": [{"obligation": "written_report", "unit_id": unit, "to_unit_id": self.county,
                             "late_at": late_at.isoformat(), "missed_at": missed_at.isoformat()}]})
        return incident, late_at

    def forward(self, incident: str, unit: str, at: datetime) -> None:
        self.emit(topics.REPORTS, "ReportForwarded", incident, at, {
            "report_id": f"rep-{incident}", "incident_id": incident, "from_unit_id": unit, "to_unit_id": self.county})

    def breach(self, incident: str, unit: str, kind: str, deadline: datetime) -> Envelope:
        return self.emit(topics.BREACHES, "DeadlineBreached", incident, deadline + timedelta(seconds=3), {
            "breach_id": f"br-{incident}-{kind}", "incident_id": incident, "unit_id": unit,
            "obligation": "written_report", "kind": kind, "deadline_at": deadline.isoformat(),
            "detected_at": (deadline + timedelta(seconds=3)).isoformat(), "policy": "county-2h-10h@1",
            "suspected_concealment": False, "evidence": [{"reason": "no ReportForwarded before the deadline"}]})

    def build(self) -> Scenario:
        self.unit(self.county, "测试县政府办", "county", "general_office", None)
        self.unit(self.town_a, "城关镇党政办", "town", "general_office", self.county)
        self.unit(self.school_b, "县第一中学", "organization", "school", self.county)
        self.unit(self.outsider, "邻县政府办", "county", "general_office", None)
        one, late_1 = self.submit(self.town_a, "2026-10-05T08:00:00+08:00", "城关镇307国道两车相撞")
        self.forward(one, self.town_a, late_1 - timedelta(hours=1))
        two, late_2 = self.submit(self.school_b, "2026-10-12T14:00:00+08:00", "县一中学生食物中毒")
        self.breach(two, self.school_b, "late", late_2)
        self.forward(two, self.school_b, late_2 + timedelta(hours=1))
        three, late_3 = self.submit(self.school_b, "2026-10-20T09:00:00+08:00", "县一中校舍屋顶坍塌")
        self.breach(three, self.school_b, "late", late_3)
        self.breach(three, self.school_b, "missed", late_3 + timedelta(hours=8))
        self.incidents = [one, two, three]
        return self

    async def publish_all(self, infra: Infra) -> None:
        async with acting_broker(infra) as broker:
            await publish_all(broker, self.events)

    def publish(self, infra: Infra) -> None:
        """Publish from a thread of its own (Playwright's sync API keeps a loop running in this one)."""
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, self.publish_all(infra)).result(timeout=60)

    def expected(self) -> dict[str, dict[str, Any]]:
        base = {"reports": 0, "on_time": 0, "late": 0, "missed": 0}
        return {
            self.town_a: {**base, "reports": 1, "on_time": 1, "on_time_rate": 1.0, "quota": None, "quota_met": None},
            self.school_b: {**base, "reports": 2, "late": 1, "missed": 1, "on_time_rate": 0.0, "quota": None,
                            "quota_met": None},
            self.county: {**base, "on_time_rate": None, "quota": None, "quota_met": None},
        }
