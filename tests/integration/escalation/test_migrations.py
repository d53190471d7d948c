"""Escalation's migrations on rows stored before them."""

from __future__ import annotations

import pytest

from tests.conftest import Infra
from tests.support.databases import migration, scratch_database

pytestmark = pytest.mark.integration


async def test_migration_002_gives_forwards_seen_before_it_their_reports_channel(infra: Infra) -> None:
    async with scratch_database(infra.superuser_dsn, "escalation_m002") as (conn, _):
        await conn.execute(migration("escalation", "001_clocks.sql"))
        # (event, type, report, channel as 001 stored it: a submission's report channel, a forward's route)
        seen = [("s-phone", "ReportSubmitted", "r-phone", "phone"), ("f-phone", "ReportForwarded", "r-phone", "main"),
                ("s-written", "ReportSubmitted", "r-written", "written"),
                ("f-written", "ReportForwarded", "r-written", "department"),
                ("f-unseen", "ReportForwarded", "r-unseen", "skip_notice")]
        await conn.executemany("INSERT INTO escalation.seen (event_id, incident_id, type, report_id, channel, at)"
                               " VALUES ($1, 'inc', $2, $3, $4, now())", seen)
        await conn.execute(migration("escalation", "002_seen_report_channel.sql"))
        rows = await conn.fetch("SELECT event_id, report_channel FROM escalation.seen")
        assert dict(tuple(r) for r in rows) == {"s-phone": "phone", "f-phone": "phone", "s-written": "written",
                                                "f-written": "written", "f-unseen": "written"}
