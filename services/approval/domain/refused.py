"""A decision's two answers, and an action the rules refuse (with its HTTP status and bilingual message)."""

from __future__ import annotations

from typing import Any, Literal

Decision = Literal["approve", "reject"]


class Refused(Exception):
    """An action the rules refuse: HTTP status, the message in Chinese and English, and the bad field if any."""

    def __init__(self, status: int, title: str, zh: str, en: str, field: str | None = None,
                 extra: dict[str, Any] | None = None):
        self.detail = f"{zh} / {en}"
        super().__init__(self.detail)
        self.status, self.title, self.zh, self.en, self.field = status, title, zh, en, field
        self.extra = extra or {}  # further members of the problem document
