"""Lock-out after repeated failed sign-ins (pure): ``max_failures`` within ``window`` lock a login for ``lock``,
counted from the failure that completed them. Failures of unknown logins count the same (no one learns
which logins exist), and a locked login's attempts are refused without checking the password and not
counted, so the lock ends when it says."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutRule:
    max_failures: int
    window: timedelta
    lock: timedelta

    def locked_until(self, failures: Iterable[datetime], now: datetime) -> datetime | None:
        """When the login may try again, or None when it may now."""
        times = sorted(failures)
        for i in range(len(times) - self.max_failures, -1, -1):
            last = times[i + self.max_failures - 1]
            if last - times[i] < self.window and last + self.lock > now:
                return last + self.lock
        return None

    def attempts_left(self, failures: Iterable[datetime], now: datetime) -> int:
        """Failures still allowed before the lock (those within the window ending now count)."""
        recent = [t for t in failures if now - t < self.window]
        return max(self.max_failures - len(recent), 0)
