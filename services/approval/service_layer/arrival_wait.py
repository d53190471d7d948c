"""Read your writes across services: a report or an item intake has just accepted may not have reached approval.

Intake answers 202 once Kafka holds the report; approval learns of it when its consumer applies the record,
a moment later (longer under load). A decision or a receipt posted in between would find nothing. So before
acting on a report or an item approval does not know, it waits a bounded time (``BAOSONG_ARRIVAL_WAIT_S``)
polling its own tables — it never reads intake's. Then:

- it arrived: the action goes ahead as usual;
- approval's consumer group has applied every record that was on the topic when the request came (the group's
  committed offsets, whichever instance holds each partition) and it is still unknown: no such report was ever
  accepted before this request — 404. Ids are derived from the unit and the Idempotency-Key (uuid5), so the id
  alone cannot tell; the topic's offsets can, because intake answers 202 only after Kafka acknowledged the
  record, i.e. before the request that names it could be sent;
- otherwise (still catching up): 409 with ``Retry-After`` — never 404 for a report that exists.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable

from shared.consumer import Consumers
from shared.db import Database
from shared.http import Problem
from shared.topics import ITEMS, REPORTS

#: How often the wait looks at approval's tables, and at the consumer group's committed offsets.
POLL_S = 0.05
OFFSETS_EVERY_S = 0.25


class ArrivalWait:
    def __init__(self, db: Database, consumers: Consumers, *, wait_s: float, retry_after_s: float):
        self._db, self._consumers = db, consumers
        self._wait_s, self._retry_after = wait_s, max(1, math.ceil(retry_after_s))

    async def report(self, report_id: str) -> None:
        """Returns once approval knows ``report_id``; else a 409 (still arriving) or 404 (never accepted) Problem."""
        await self._arrived("SELECT EXISTS (SELECT 1 FROM approval.reports WHERE report_id = $1)", report_id,
                            consumer="approval-reports", topic=REPORTS, field="report_id", zh="报告", en="report")

    async def item(self, item_id: str) -> None:
        """The same for a work-information item."""
        await self._arrived("SELECT EXISTS (SELECT 1 FROM approval.items WHERE item_id = $1)", item_id,
                            consumer="approval-items", topic=ITEMS, field="item_id", zh="信息", en="item")

    async def _arrived(self, query: str, key: str, *, consumer: str, topic: str, field: str, zh: str,
                       en: str) -> None:
        async def known() -> bool:
            return bool(await self._db.pool.fetchval(query, key))

        if await known():
            return
        applied = await self._consumers.applied_everything_before(consumer, topic)
        if await self._wait(known, applied):
            return
        if applied is not None and await applied() and not await known():
            raise Problem(404, "Not found", f"没有{zh} {key!r}：审批服务已处理此前受理的全部{zh}，其中没有它 /"
                          f" No {en} {key!r}: approval has applied every {en} accepted before this request.",
                          [{"field": field, "message": f"没有这个{zh}", "message_en": f"no such {en}",
                            "type": "not_found"}])
        raise Problem(409, "Not arrived yet", f"{zh} {key!r} 尚未到达审批服务（刚受理的{zh}正在传送），请在"
                      f" {self._retry_after} 秒后重试 / The {en} {key!r} has not reached approval yet (one just"
                      f" accepted is on its way): retry in {self._retry_after} s.",
                      [{"field": field, "message": f"{zh}尚未到达，请稍后重试", "message_en": f"the {en} is still"
                        " arriving: retry shortly", "type": "not_arrived"}],
                      extra={"retry_after_s": self._retry_after}, headers={"Retry-After": str(self._retry_after)})

    async def _wait(self, known: Callable[[], Awaitable[bool]],
                    applied: Callable[[], Awaitable[bool]] | None) -> bool:
        """True once known; False when the wait ran out or the consumer applied everything without it."""
        start = time.monotonic()
        offsets_at = start
        while time.monotonic() - start < self._wait_s:
            await asyncio.sleep(POLL_S)
            if await known():
                return True
            if applied is not None and time.monotonic() - offsets_at >= OFFSETS_EVERY_S:
                offsets_at = time.monotonic()
                if await applied():
                    return await known()
        return False
