"""The anchored chain: signed chain heads, and whether a chain still holds every head that was published.

A published head is a signed record (``shared.signing``) of ``{"position", "hash", "recorded_at"}``:
the chain's last position and its hash (hex) at ``recorded_at``. Once published, the chain must have
that hash at that position for ever; a history rewritten and re-hashed differs there, and a history
cut short no longer reaches it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shared.signing import KeyRing, Refusal

HEAD_FIELDS = ("position", "hash", "recorded_at")


@dataclass(frozen=True)
class PublishedHead:
    """One line of a heads file (or export): its number (from 1) and its record (None: not a JSON object)."""

    line: int
    record: Mapping[str, Any] | None

    def describe(self) -> str:
        if self.record is None:
            return f"line {self.line}"
        return (f"line {self.line} (position {self.record.get('position')}, hash {self.record.get('hash')},"
                f" published {self.record.get('recorded_at')})")


@dataclass(frozen=True)
class AnchorBreak:
    """The first published head the chain does not hold, and why."""

    head: PublishedHead
    reason: Refusal


def _shape(record: Mapping[str, Any] | None) -> Refusal | None:
    if record is None:
        return Refusal("这一行不是 JSON 对象", "the line is not a JSON object")
    position, hash_hex = record.get("position"), record.get("hash")
    if type(position) is not int or position < 1 or not isinstance(hash_hex, str) \
            or not isinstance(record.get("recorded_at"), str):
        return Refusal("不是链头记录（需要 position、hash、recorded_at）",
                       "not a head record (position, hash and recorded_at are needed)")
    return None


def first_break(heads: Sequence[PublishedHead], keys: KeyRing, *, chain_end: int,
                hashes_at: Mapping[int, str]) -> AnchorBreak | None:
    """The first head (in the file's order) that is malformed, not genuinely signed, beyond the chain's
    end ``chain_end``, or whose hash differs from ``hashes_at[position]``; None when every head holds."""
    for head in heads:
        reason = _shape(head.record) or keys.refusal(head.record or {})
        if reason is None:
            assert head.record is not None
            position, expected = head.record["position"], head.record["hash"]
            if position > chain_end:
                reason = Refusal(f"链只到第 {chain_end} 条，比已发布的链头短（历史被截断）",
                                 f"the chain ends at position {chain_end}: it was cut short")
            elif (found := hashes_at.get(position)) != expected:
                reason = Refusal(f"链在第 {position} 条的哈希为 {found}，与已发布的不同（历史被改写）",
                                 f"the chain has hash {found} at position {position}: history was rewritten")
        if reason is not None:
            return AnchorBreak(head, reason)
    return None


def wanted_positions(heads: Sequence[PublishedHead]) -> set[int]:
    """The positions whose hashes a chain walk must note to check these heads."""
    return {h.record["position"] for h in heads
            if h.record is not None and type(h.record.get("position")) is int}
