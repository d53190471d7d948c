"""The one offset Baosong states times in: +08:00 (China Standard Time), as the contract's examples do.

An instant is the same whatever its offset; stating every time the way the clerk reads it keeps an answer
from mixing "+08:00" with "Z" for times of one incident (e.g. obligations before and after a regrading).
Events keep the times their producers wrote (the stored bytes are hashed and never rewritten); every
answer of every API states them at +08:00 (``china_times``, applied by each service's JSON answers).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

CHINA = timezone(timedelta(hours=8))
#: Names of the members that hold a time, besides every name ending in ``_at``.
TIME_KEYS = frozenset({"time", "at", "as_of", "since", "now"})


def in_china(value: datetime) -> datetime:
    """The same instant, stated at +08:00."""
    return value.astimezone(CHINA)


def _is_time_key(key: object) -> bool:
    return isinstance(key, str) and (key.endswith("_at") or key in TIME_KEYS)


def _restated(text: str) -> str:
    """An ISO 8601 time with an offset, restated at +08:00; any other text as it is."""
    if len(text) < 16 or not text[:4].isdigit():
        return text
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return text
    return in_china(value).isoformat() if value.tzinfo is not None else text


def china_times(value: Any) -> Any:
    """``value`` (a JSON-like document) with every time stated at +08:00: datetimes anywhere, and texts under
    a time's name (``…_at``, ``time``, ``at``, ``as_of``, ``since``, ``now``) that are times with an offset.
    A signed document (one with a ``signature``, e.g. a receipt) is left as it was signed."""
    if isinstance(value, dict):
        if "signature" in value:
            return value
        return {k: _restated(v) if isinstance(v, str) and _is_time_key(k) else china_times(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [china_times(v) for v in value]
    if isinstance(value, datetime):
        return in_china(value).isoformat() if value.tzinfo is not None else value.isoformat()
    return value
