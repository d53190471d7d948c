"""The service's notion of "now": the wall clock, optionally shifted for tests (never by default).

``BAOSONG_CLOCK_OFFSET_S`` shifts it by a fixed number of seconds; ``BAOSONG_CLOCK_FILE`` names a
file holding a number of seconds, re-read on every call, so a test can move time while the process runs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def __init__(self, *, offset_s: float = 0.0, offset_file: Path | None = None):
        self._offset = timedelta(seconds=offset_s)
        self._file = offset_file

    @property
    def shifted(self) -> bool:
        return bool(self._offset) or self._file is not None

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset + self._file_offset()

    def _file_offset(self) -> timedelta:
        if self._file is None:
            return timedelta()
        try:
            return timedelta(seconds=float(self._file.read_text().strip() or 0))
        except (OSError, ValueError):
            return timedelta()
