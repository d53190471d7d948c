"""Cross-site request forgery (pure): a state-changing request made with the session cookie must come from
the pages' own origin (``Origin``, else ``Referer``) and carry the session's CSRF token in ``X-CSRF-Token``.
SameSite=Strict keeps the cookie off other sites' requests already; these two checks hold where it does not
(an old browser, a sibling site on the same registrable domain)."""

from __future__ import annotations

import hmac
from collections.abc import Collection
from urllib.parse import urlsplit

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else None


def origin_refusal(origin: str | None, referer: str | None, allowed: Collection[str]) -> tuple[str, str] | None:
    """Why a request does not come from the pages (中文, English), or None when it does."""
    claimed = origin if origin and origin != "null" else (origin_of(referer) if referer else None)
    if claimed is None:
        return "请求缺少来源（Origin）", "the request names no Origin"
    if claimed.lower() not in {a.lower() for a in allowed}:
        return f"请求来源 {claimed} 不是本站", f"the request comes from {claimed}, not from these pages"
    return None


def token_refusal(expected: str, sent: str | None) -> tuple[str, str] | None:
    """Why the CSRF token sent does not match the session's (中文, English), or None when it does."""
    if not sent:
        return "缺少 CSRF 令牌（X-CSRF-Token）", "the X-CSRF-Token header is missing"
    if not hmac.compare_digest(expected.encode(), sent.encode()):
        return "CSRF 令牌不符", "the X-CSRF-Token does not match this session's"
    return None
