"""Headers on every answer of the web service: the pages run only their own scripts, in no one else's frame.

A plain ASGI middleware (it touches only the start of each answer), so streamed answers pass unbuffered."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: 'unsafe-eval': Vue's in-browser template compiler builds render functions with ``new Function`` (no build step);
#: 'unsafe-inline' styles: Element Plus and ECharts set element styles. Scripts come only from this origin.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; "
                           "base-uri 'none'; form-action 'self'")
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
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)
