"""Outgoing HTTP for webhooks and Web Push, guarded against being turned on ourselves.

- The host name is resolved when sending (in a thread: never on the event loop) and every
  address it gives must be public (``domain/delivery.address_allowed``); the request then
  goes to the address that was checked, so a name that resolves differently a moment later
  (DNS rebinding) cannot redirect it. TLS still verifies the certificate for the name.
- Short timeouts, no redirects, no proxies from the environment, and at most
  ``MAX_RESPONSE_BYTES`` of an answer are read.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import httpx

from server.domain.delivery import address_allowed

MAX_RESPONSE_BYTES = 64 * 1024
TIMEOUT_S = 5.0
DEADLINE_S = 10.0

Resolver = Callable[[str, int], Awaitable[list[str]]]


class Refused(Exception):
    """The request was not sent (an address not allowed, a name that does not resolve)."""


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: bytes  # at most MAX_RESPONSE_BYTES


async def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (asyncio runs getaddrinfo in a thread)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class Outbound:
    def __init__(self, *, allow_private: bool, resolver: Resolver = resolve) -> None:
        self.allow_private = allow_private
        self.resolver = resolver
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(TIMEOUT_S),
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        )

    async def close(self) -> None:
        await self.client.aclose()

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        """POST ``body`` to ``url``; Refused when it may not go there, httpx errors when the
        network fails."""
        target = httpx.URL(url)
        if target.scheme not in ("https", "http") or not target.host:
            raise Refused("not an http(s) URL")
        port = target.port or (443 if target.scheme == "https" else 80)
        try:
            addresses = await self.resolver(target.host, port)
        except OSError as error:
            raise Refused(f"{target.host} does not resolve: {error}") from error
        if not addresses:
            raise Refused(f"{target.host} does not resolve")
        refused = [a for a in addresses if not address_allowed(a, self.allow_private)]
        if refused:
            raise Refused(f"{target.host} resolves to an address not allowed ({refused[0]})")
        pinned = target.copy_with(host=addresses[0])
        sent_headers = {**headers, "Host": target.netloc.decode("ascii")}
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        async with asyncio.timeout(DEADLINE_S):
            request = self.client.build_request(
                "POST", pinned, content=body, headers=sent_headers, extensions=extensions
            )
            response = await self.client.send(request, stream=True)
            try:
                kept = bytearray()
                async for chunk in response.aiter_raw():
                    kept += chunk[: MAX_RESPONSE_BYTES - len(kept)]
                    if len(kept) >= MAX_RESPONSE_BYTES:
                        break
            finally:
                await response.aclose()
        return Answer(status_code=response.status_code, body=bytes(kept))
