"""Everything issue 7 adds to the archive, as one router for bootstrap.py to include (the pages themselves are
served by the web service, services/web)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter

from services.archive.stats.figures import Figures
from services.archive.web import api
from shared.db import Database
from shared.http import bearer_auth
from shared.incident_stats import http as stats_http


def pages_router(db: Database, public_key_pem: bytes, *, echarts: Path | None, chromium: Path | None) -> APIRouter:
    """The breach stream, board and statistics; ECharts and Chromium (the monthly report) where the settings say."""
    auth = bearer_auth(public_key_pem, query_param="token")  # EventSource and downloads send ?token=
    root = APIRouter()
    root.include_router(api.router(db, auth))
    figures = Figures()

    async def month(period: str, history: int) -> dict[str, Any]:
        return await figures.month(db.pool, period, history)

    root.include_router(stats_http.router(month, auth, echarts, chromium))
    return root
