"""Headers on every answer of the web service: the pages run only their own scripts, in no one else's frame.

A plain ASGI middleware (it touches only the start of each answer), so streamed answers pass unbuffered. An
answer that set its own policy keeps it: a service's HTML document passed through (the monthly report, with
ECharts inline) runs sandboxed (``DOCUMENT_POLICY``), as an origin of its own, so its scripts cannot act for the
signed-in person."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: 'unsafe-eval': Vue's in-browser template compiler builds render functions with ``new Function`` (no build step);
#: 'unsafe-inline' styles: Element Plus and ECharts set element styles. Scripts come only from this origin.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; "
                           "base-uri 'none'; form-action 'self'")
#: For the services' HTML documents the pages open through /api: inline scripts and styles, nothing fetched, and
#: sandboxed (an opaque origin: no cookie of these pages, no call as the person).
DOCUMENT_POLICY = ("sandbox allow-scripts allow-popups allow-downloads; default-src 'none'; "
                   "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:")
HEADERS = [(b"content-security-policy", CONTENT_SECURITY_POLICY.encode()), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY")]


class SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                own = list(message.get("headers", []))
                named = {name.lower() for name, _ in own}
                message["headers"] = own + [(name, value) for name, value in HEADERS if name not in named]
            await send(message)

        await self.app(scope, receive, with_headers)
