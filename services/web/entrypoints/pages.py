"""The web pages: sign-in ``/signin``, 值班台 ``/``, the incident page, the statistics page, the report and item
forms (``/report``, ``/item``), the inbox 待办/已办 (``/inbox``), and their static files.

The pages are static shells without data; a page is served only to someone signed in (else it redirects to
``/signin``), and every figure on it comes from ``/api/{service}/v1`` calls made with the session's cookie.
Vue, Element Plus and ECharts are served from the files the set-up fetched from npm (no CDN).
"""

from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from services.web.domain.sessions import Session
from services.web.entrypoints.guard import SessionDependency
from shared.http import Problem

STATIC = Path(__file__).resolve().parent.parent / "static"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".html": "text/html; charset=utf-8"}
#: The front end's files (deploy/web_assets.py fetches them), as the pages name them under ``/vendor/``.
VENDOR = ("vue.global.prod.js", "element-plus.full.min.js", "element-plus.css", "element-plus-zh-cn.min.js")


def router(session: SessionDependency, *, front_end: Path | None, echarts: Path | None) -> APIRouter:
    web = APIRouter(include_in_schema=False)

    def page(name: str) -> FileResponse:
        return FileResponse(STATIC / name, media_type=TYPES[".html"], headers={"Cache-Control": "no-cache"})

    def shell(name: str, request: Request, current: Session | None) -> Response:
        """The page for someone signed in; else the sign-in page, which comes back here after."""
        if current is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)
        return page(name)

    @web.get("/signin")
    async def signin() -> FileResponse:
        return page("signin.html")

    @web.get("/")
    async def duty_board(request: Request, current: Annotated[Session | None, Depends(session)]) -> Response:
        return shell("board.html", request, current)

    @web.get("/incidents/{incident_id}")
    async def incident(incident_id: str, request: Request,
                       current: Annotated[Session | None, Depends(session)]) -> Response:
        return shell("incident.html", request, current)

    @web.get("/stats")
    async def stats(request: Request, current: Annotated[Session | None, Depends(session)]) -> Response:
        return shell("stats.html", request, current)

    @web.get("/report")
    async def report_form(request: Request, current: Annotated[Session | None, Depends(session)]) -> Response:
        """报送突发事件: a report (首报; ``?incident=ID&kind=follow_up|final`` for 续报 / 终报)."""
        return shell("report.html", request, current)

    @web.get("/item")
    async def item_form(request: Request, current: Annotated[Session | None, Depends(session)]) -> Response:
        """报送信息: an item of work information (``?request=ID`` answers a commissioned request)."""
        return shell("item.html", request, current)

    @web.get("/inbox")
    async def inbox(request: Request, current: Annotated[Session | None, Depends(session)]) -> Response:
        """待办 / 已办: reports and items for the unit to sign off, and what reached it to confirm (确认收到)."""
        return shell("inbox.html", request, current)

    @web.get("/static/{name}")
    async def static(name: str) -> FileResponse:
        path = echarts if name == "echarts.min.js" else STATIC / name
        return _file(path, name)

    @web.get("/vendor/{name}")
    async def vendor(name: str) -> FileResponse:
        return _file(front_end / name if front_end is not None and name in VENDOR else None, name)

    return web


def _file(path: Path | None, name: str) -> FileResponse:
    if path is None or "/" in name or path.suffix not in TYPES or not path.is_file():
        raise Problem(404, "Not found", f"没有文件 {name} / No static file {name!r}.")
    return FileResponse(path, media_type=TYPES[path.suffix], headers={"Cache-Control": "no-cache"})
