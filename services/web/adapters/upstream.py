"""The services' APIs, called for a signed-in person: each call carries a short-lived token minted for them
(``sub`` the login, their unit, roles and clearance), the answer streamed back unbuffered (server-sent
events pass through as they come)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from urllib.parse import quote

import httpx

from services.web.domain.accounts import Account
from shared.auth import mint_token

#: Request headers passed on to a service (never the cookie), and answer headers passed back.
REQUEST_HEADERS = ("accept", "accept-language", "content-type", "idempotency-key", "last-event-id")
ANSWER_HEADERS = ("content-type", "content-disposition", "cache-control", "retry-after", "x-accel-buffering",
                  "content-encoding", "etag", "last-modified")
#: Reads wait for the breach stream's heartbeats (every 15 s) and for PDFs being printed.
TIMEOUT = httpx.Timeout(connect=5.0, read=120.0, write=30.0, pool=5.0)


class Upstream:
    def __init__(self, urls: Mapping[str, str], signing_key_pem: bytes, token_ttl_s: int):
        self.urls = {name: url.rstrip("/") for name, url in urls.items()}
        self._key, self._ttl = signing_key_pem, token_ttl_s
        self._client = httpx.AsyncClient(timeout=TIMEOUT)

    def token_for(self, account: Account) -> str:
        return mint_token(self._key, subject=account.login, unit=account.unit, roles=list(account.roles),
                          ttl_s=self._ttl, clearance=account.clearance, name=account.name)

    def service_token(self) -> str:
        """The web service's own admin token (e.g. to look a unit up when an account is added)."""
        return mint_token(self._key, subject="web@baosong", unit=None, roles=["admin"], ttl_s=60)

    async def send(self, account: Account, service: str, path: str, *, method: str, query: str,
                   headers: Mapping[str, str], body: AsyncIterator[bytes]) -> httpx.Response:
        """The service's answer, its body not yet read (stream it with ``aiter_raw``, then ``aclose``)."""
        sent = {k: v for k, v in headers.items() if k.lower() in REQUEST_HEADERS}
        sent["authorization"] = f"Bearer {self.token_for(account)}"
        content = body if method not in ("GET", "HEAD") else None
        request = self._client.build_request(method, f"{self.urls[service]}/{path}", headers=sent, content=content)
        if query:
            request.url = request.url.copy_with(query=query.encode())
        return await self._client.send(request, stream=True)

    async def unit_exists(self, unit_id: str) -> bool:
        """Whether intake's directory has the unit (intake registers units)."""
        answer = await self._client.get(f"{self.urls['intake']}/v1/units/{quote(unit_id, safe='')}",
                                        headers={"authorization": f"Bearer {self.service_token()}"})
        if answer.status_code == 404:
            return False
        answer.raise_for_status()
        return True

    async def aclose(self) -> None:
        await self._client.aclose()
