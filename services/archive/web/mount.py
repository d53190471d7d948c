"""Everything issue 7 adds to the archive, as one router for bootstrap.py to include."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import APIRouter

from deploy.web_assets import CHROMIUM, echarts_path
from services.archive.stats import http as stats_http
from services.archive.web import api, pages
from services.archive.web.access import token_auth
from shared.db import Database


def pages_router(db: Database, public_key_pem: bytes) -> APIRouter:
    """Pages, the breach stream, board, replay and statistics (``BAOSONG_ECHARTS_JS`` overrides the path)."""
    echarts = Path(os.environ.get("BAOSONG_ECHARTS_JS") or echarts_path())
    auth = token_auth(public_key_pem)
    root = APIRouter()
    root.include_router(api.router(db, auth))
    root.include_router(stats_http.router(db, auth, echarts, CHROMIUM))
    root.include_router(pages.router(echarts))
    return root
