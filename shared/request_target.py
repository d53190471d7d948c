"""Refuse, before any route sees it, a request target the services cannot read back faithfully.

Uvicorn and Starlette decode ``%``-escapes leniently: an escape of invalid UTF-8 (``%ff``, a lone
surrogate ``%ed%a0%80``) turns into U+FFFD, a broken escape (``%zz``) stays as text, and ``%00``
becomes a NUL that PostgreSQL refuses in text (a 500 once it reached a query). Such a path or query
is answered 400 problem+json naming the part (``path`` or the query parameter) instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

BROKEN_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


class Unreadable(Exception):
    """``field`` of the request target cannot be read: ``why`` in Chinese and English."""

    def __init__(self, field: str, zh: str, en: str, kind: str):
        super().__init__(en)
        self.field, self.zh, self.en, self.kind = field, zh, en, kind


def _text(raw: bytes, field: str) -> str:
    """``raw`` (still %-escaped) as text, or ``Unreadable``."""
    if BROKEN_ESCAPE.search(raw):
        raise Unreadable(field, "“%”后须跟两位十六进制数字", "a '%' must be followed by two hex digits", "url_escape")
    try:
        text = unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unreadable(field, "不是有效的 UTF-8 编码", "is not valid UTF-8 once %-decoded", "url_utf8") from exc
    if "\x00" in text:
        raise Unreadable(field, "不能含有 NUL 字符（%00）", "must not contain a NUL character (%00)", "url_nul")
    return text


def check_target(raw_path: bytes, query_string: bytes) -> None:
    """Raises ``Unreadable`` for the first part of the target that does not read back as clean UTF-8."""
    _text(raw_path, "path")
    for pair in query_string.split(b"&"):
        raw_name, _, raw_value = pair.replace(b"+", b" ").partition(b"=")
        name = _text(raw_name, "query")
        _text(raw_value, name or "query")


class RefuseUnreadableTargets:
    """ASGI middleware: 400 problem+json for an unreadable path or query, before routing."""

    def __init__(self, app: ASGIApp, answer: Callable[[Unreadable, str], Response]):
        self.app, self.answer = app, answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        try:
            check_target(raw_path, scope.get("query_string", b""))
        except Unreadable as exc:
            await self.answer(exc, raw_path.decode("ascii", "replace"))(scope, receive, send)
            return
        await self.app(scope, receive, send)
