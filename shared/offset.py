"""The one offset Baosong states times in: +08:00 (China Standard Time), as the contract's examples do.

An instant is the same whatever its offset; stating every time the way the clerk reads it keeps an answer
from mixing "+08:00" with "Z" for times of one incident (e.g. obligations before and after a regrading).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8))


def in_china(value: datetime) -> datetime:
    """The same instant, stated at +08:00."""
    return value.astimezone(CHINA)
