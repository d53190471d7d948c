"""The archive's web pages: 值班台 ``/``, the incident page, the statistics page, and their static files.

The pages are static shells without data (so they need no token to load); every figure on them
comes from ``/v1`` calls made with the token the viewer signed in with (kept in localStorage).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from shared.http import Problem

STATIC = Path(__file__).parent / "static"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".html": "text/html; charset=utf-8"}


def router(echarts: Path | None) -> APIRouter:
    web = APIRouter(include_in_schema=False)

    def page(name: str) -> FileResponse:
        return FileResponse(STATIC / name, media_type=TYPES[".html"], headers={"Cache-Control": "no-cache"})

    @web.get("/")
    async def duty_board() -> FileResponse:
        return page("board.html")

    @web.get("/incidents/{incident_id}")
    async def incident(incident_id: str) -> FileResponse:
        return page("incident.html")

    @web.get("/stats")
    async def stats() -> FileResponse:
        return page("stats.html")

    @web.get("/static/{name}")
    async def static(name: str) -> FileResponse:
        path = echarts if name == "echarts.min.js" else STATIC / name
        if path is None or "/" in name or path.suffix not in TYPES or not path.is_file():
            raise Problem(404, "Not found", f"No static file {name!r}.")
        return FileResponse(path, media_type=TYPES[path.suffix])

    return web
