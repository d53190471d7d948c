"""``/api/{service}/v1/…``: the pages call the services' APIs here, as the signed-in person. The browser sees one
origin and never a token: web adds a short-lived bearer token minted for the session's account, and streams
the answer back as it comes (the breach stream's events pass through one by one)."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from services.web.adapters.upstream import ANSWER_HEADERS, Upstream
from services.web.domain.sessions import Session
from services.web.entrypoints.headers import DOCUMENT_POLICY
from shared.http import Problem
from shared.logging import get_logger

log = get_logger(__name__)
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def router(upstream: Upstream, session: Callable[..., Awaitable[Session]]) -> APIRouter:
    api = APIRouter(include_in_schema=False)

    @api.api_route("/api/{service}/{path:path}", methods=METHODS)
    async def call(service: str, path: str, request: Request,
                   current: Annotated[Session, Depends(session)]) -> StreamingResponse:
        if service not in upstream.urls:
            raise Problem(404, "Not Found", f"没有服务 {service} / No service {service!r}: the pages reach "
                                            f"{', '.join(sorted(upstream.urls))}.")
        if not path.startswith("v1/"):
            raise Problem(404, "Not Found", f"页面只能调用 /v1 接口 / The pages reach only /v1 endpoints, not /{path}.")
        try:
            answer = await upstream.send(current.account, service, path, method=request.method,
                                         query=request.url.query, headers=request.headers, body=request.stream())
        except httpx.HTTPError as exc:
            log.warning("a service did not answer the pages", service=service, path=path, error=repr(exc))
            raise Problem(503, "Service unavailable", f"{service} 暂时无法访问，请稍后重试 / {service} cannot be "
                                                      "reached now: try again later.") from None

        async def relay() -> AsyncIterator[bytes]:
            try:
                async for chunk in answer.aiter_raw():
                    yield chunk
            finally:
                await answer.aclose()

        headers = {k: v for k, v in answer.headers.items() if k.lower() in ANSWER_HEADERS}
        if answer.headers.get("content-type", "").startswith("text/html"):
            headers["content-security-policy"] = DOCUMENT_POLICY
        return StreamingResponse(relay(), status_code=answer.status_code, headers=headers)

    return api
