"""Walk the whole hash chain in position order and recompute every link (``./baosong verify``).

Reads as the database owner, so it sees exactly what is stored, whoever wrote it. Catches an edited
body, time, hash or prev_hash, an event_id/type/stream/report_id/incident_id column that differs from
the body, a deleted or inserted row (a position gap or a broken link), and a head row that does not
name the last event. It also notes the hashes at the positions it is asked about (``at``: those of the
published heads), for ``services.archive.domain.anchor`` to compare.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

import asyncpg

from services.archive.domain.chain import GENESIS, data_keys, link_hash
from services.archive.domain.stored import parse_json


@dataclass(frozen=True)
class Verdict:
    count: int
    head_position: int
    head_hash: str
    bad_position: int | None = None
    problem: str = ""
    hashes_at: dict[int, str] = field(default_factory=dict)

    @property
    def intact(self) -> bool:
        return self.bad_position is None


Progress = Callable[[int, int], None]


#: The columns the store takes from an event's body, which verify checks against the hashed body.
TAKEN_FROM_BODY = ("event_id", "type", "stream", "report_id", "incident_id")


def _taken_from(body: str) -> dict[str, str | None]:
    envelope = parse_json(body)
    values = (envelope.get("id"), envelope.get("type"), envelope.get("subject"), *data_keys(envelope))
    return dict(zip(TAKEN_FROM_BODY, values, strict=True))


async def verify_chain(dsn: str, *, progress: Progress | None = None, every: int = 50_000,
                       at: Collection[int] = ()) -> Verdict:
    """The chain's verdict: the first bad position and why, or the count and head when intact, with the
    hashes (hex) of the verified events at the positions ``at``."""
    conn = await asyncpg.connect(dsn)
    try:
        expected, prev, count = 1, GENESIS, 0
        hashes_at: dict[int, str] = {}
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            head = await conn.fetchrow("SELECT position, hash FROM archive.head")
            assert head is not None, "archive.head is missing: run the archive's migrations"
            total = int(head["position"])
            cursor = conn.cursor(f"SELECT position, recorded_at, body, hash, prev_hash, {', '.join(TAKEN_FROM_BODY)}"
                                 " FROM archive.events ORDER BY position", prefetch=5000)
            async for row in cursor:
                position = row["position"]
                problem = ""
                if position != expected:
                    problem = f"expected position {expected} next, found {position} (a row is missing or added)"
                elif bytes(row["prev_hash"]) != prev:
                    problem = "prev_hash is not the previous event's hash"
                elif bytes(row["hash"]) != link_hash(prev, position, row["recorded_at"], row["body"]):
                    problem = "hash does not match the event's content"
                elif differing := [c for c, value in _taken_from(row["body"]).items() if row[c] != value]:
                    problem = f"column {', '.join(differing)} differs from the hashed body"
                if problem:
                    return Verdict(count, expected - 1, prev.hex(), min(position, expected), problem)
                prev, expected, count = bytes(row["hash"]), expected + 1, count + 1
                if position in at:
                    hashes_at[position] = prev.hex()
                if progress is not None and count % every == 0:
                    progress(count, total)
        if count != total or prev != bytes(head["hash"]):
            return Verdict(count, count, prev.hex(), count + 1 if count < total else count,
                           f"archive.head names position {total}, but the chain ends at {count}", hashes_at)
        return Verdict(count, count, prev.hex(), hashes_at=hashes_at)
    finally:
        await conn.close()
