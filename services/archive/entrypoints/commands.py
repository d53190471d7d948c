"""The archive's operator commands behind ``./baosong verify``, ``./baosong heads export`` and
``./baosong projections rebuild``."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from services.archive.adapters import heads_file
from services.archive.adapters.rebuild import rebuild
from services.archive.adapters.verify import verify_chain
from services.archive.domain.anchor import first_break, wanted_positions
from services.archive.domain.projections import PROJECTIONS
from shared.signing import KeyRing


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


@dataclass(frozen=True)
class Anchors:
    """The published heads to hold the chain to: a heads file (or an export of it) and the keys that sign heads."""

    path: Path
    keys: KeyRing


async def verify(owner_dsn: str, anchors: Anchors | None = None) -> int:
    """Exit 0 with the count and head hash when the chain is intact and holds every published head in
    ``anchors``; 1 naming the first bad position, or the first published head the chain does not hold."""
    heads = heads_file.read(anchors.path) if anchors else []
    bar = ProgressBar("verify 校验")
    verdict = await verify_chain(owner_dsn, progress=bar, at=wanted_positions(heads))
    if verdict.count >= 50_000:
        bar.finish()
    if not verdict.intact:
        print(f"chain BROKEN 哈希链被破坏 at position {verdict.bad_position}: {verdict.problem}"
              f" ({verdict.count} events before it verified)")
        return 1
    print(f"chain intact 哈希链完整: {verdict.count} events, head position {verdict.head_position},"
          f" head hash {verdict.head_hash}")
    if anchors is None:
        print("not compared with published heads 未与已发布链头比对 (no heads file)", file=sys.stderr)
        return 0
    broken = first_break(heads, anchors.keys, chain_end=verdict.count, hashes_at=verdict.hashes_at)
    if broken is not None:
        print(f"anchor BROKEN 与已发布链头不符: published head at {broken.head.describe()} of {anchors.path}:"
              f" {broken.reason}")
        return 1
    print(f"anchored 已锚定: the chain holds all {len(heads)} published heads in {anchors.path},"
          " each signed by the archive's key 签名真实")
    return 0


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
