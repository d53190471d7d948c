"""The archive's operator commands behind ``./baosong verify`` and ``./baosong projections rebuild``."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from services.archive.adapters.rebuild import rebuild
from services.archive.adapters.verify import verify_chain
from services.archive.domain.projections import PROJECTIONS


class ProgressBar:
    """A one-line progress bar on stderr: the stage (if the work has several), done/total, percentage, rate."""

    def __init__(self, what: str, out: TextIO = sys.stderr, width: int = 30):
        self.what, self.out, self.width, self.started = what, out, width, time.monotonic()
        self.longest = 0

    def __call__(self, done: int, total: int, stage: str = "") -> None:
        share = done / total if total else 1.0
        filled = int(self.width * min(share, 1.0))
        rate = done / max(time.monotonic() - self.started, 1e-9)
        line = (f"{self.what}{f' · {stage}' if stage else ''} [{'#' * filled}{'.' * (self.width - filled)}]"
                f" {share:6.1%} {done:,}/{total:,}  {rate:,.0f}/s")
        self.out.write(f"\r{line:<{self.longest}}")  # padded: a shorter line does not leave the last one's tail
        self.longest = max(self.longest, len(line))
        self.out.flush()

    def finish(self) -> None:
        self.out.write("\n")
        self.out.flush()


async def verify(owner_dsn: str) -> int:
    """Exit 0 with the count and head hash when the chain is intact, 1 naming the first bad position."""
    bar = ProgressBar("verify 校验")
    verdict = await verify_chain(owner_dsn, progress=bar)
    if verdict.count >= 50_000:
        bar.finish()
    if verdict.intact:
        print(f"chain intact 哈希链完整: {verdict.count} events, head position {verdict.head_position},"
              f" head hash {verdict.head_hash}")
        return 0
    print(f"chain BROKEN 哈希链被破坏 at position {verdict.bad_position}: {verdict.problem}"
          f" ({verdict.count} events before it verified)")
    return 1


async def rebuild_projections(owner_dsn: str, names: list[str], workers: int | None = None) -> int:
    """Rebuild the named projections (all when none named) from position 0, then swap them in."""
    unknown = sorted(set(names) - set(PROJECTIONS))
    if unknown:
        print(f"unknown projection(s) 未知投影: {', '.join(unknown)}; known: {', '.join(PROJECTIONS)}",
              file=sys.stderr)
        return 2
    chosen = [PROJECTIONS[n] for n in names] if names else list(PROJECTIONS.values())
    bar = ProgressBar("rebuild 重建")
    started = time.monotonic()
    count = await rebuild(owner_dsn, chosen, progress=bar, workers=workers)
    if count >= 50_000:
        bar.finish()
    print(f"rebuilt 已重建 {', '.join(p.name for p in chosen)} from {count} events"
          f" in {time.monotonic() - started:.1f}s")
    return 0
