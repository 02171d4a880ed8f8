"""Outgoing HTTP for webhooks and Web Push, guarded against being turned on ourselves.

- The host name is resolved when sending (in a thread of its own: never on the event
  loop, within the request's deadline) and every
  address it gives must be public (``domain/delivery.address_allowed``); the request then
  goes to the address that was checked, so a name that resolves differently a moment later
  (DNS rebinding) cannot redirect it. TLS still verifies the certificate for the name.
- Short timeouts, no redirects, no proxies from the environment, and at most
  ``MAX_RESPONSE_BYTES`` of an answer are read.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import socket
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from server.domain.delivery import address_allowed

log = logging.getLogger("rapport.notify")

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


# Name lookups get threads of their own: a slow resolver never takes the default pool's
# threads, which other work (password hashing, import parsing) needs.
_LOOKUPS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="rapport-dns")


async def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (looked up in a thread)."""
    infos = await asyncio.get_running_loop().run_in_executor(
        _LOOKUPS, functools.partial(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    )
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
        try:  # the port and the name (IDNA) are parsed when read
            target = httpx.URL(url)
            host, port = target.host, target.port or (443 if target.scheme == "https" else 80)
        except (httpx.InvalidURL, ValueError) as error:
            raise Refused("not a usable URL") from error
        if target.scheme not in ("https", "http") or not host:
            raise Refused("not an http(s) URL")
        async with asyncio.timeout(DEADLINE_S):  # the lookup counts towards the deadline
            try:
                addresses = await self.resolver(host, port)
            except OSError as error:
                log.debug("%s does not resolve: %s", host, error)
                raise Refused("the host does not resolve") from error
            refused = [a for a in addresses if not address_allowed(a, self.allow_private)]
            if not addresses or refused:
                # The answer says no more than that: where an internal name points stays
                # in the server's log.
                log.debug("%s resolves to %s: not allowed", host, refused or "nothing")
                raise Refused("the host's address is not allowed")
            pinned = target.copy_with(host=addresses[0])
            sent_headers = {**headers, "Host": target.netloc.decode("ascii")}
            extensions = {"sni_hostname": host} if target.scheme == "https" else {}
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
