"""Failed logins are limited without handing an attacker a way to lock the owner out:
counted per handle at an address (with a pause that doubles), per address and per handle,
each try counted before the password is checked. Over a real socket from several
loopback addresses (127.0.0.x), as different machines would be."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import Databases, FakeClock, live_servers

PASSWORD = "correct horse battery"


def _from(address: str) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30)


def _login(client: httpx.Client, base: str, handle: str, password: str) -> int:
    body = {"handle": handle, "password": password}
    return client.post(f"{base}/api/v1/auth/login", json=body).status_code


def test_guesses_from_one_address_do_not_lock_the_owner_out_elsewhere(
    databases: Databases,
) -> None:
    with (
        live_servers(databases.new(), 1) as [server],
        _from("127.0.0.2") as attacker,
        _from("127.0.0.3") as owner,
    ):
        created = owner.post(
            f"{server.base}/api/v1/auth/register",
            json={"handle": "ana", "password": PASSWORD},
        )
        assert created.status_code == 201
        guesses = [_login(attacker, server.base, "ana", f"guess {i}") for i in range(12)]
        assert guesses == [401] * 10 + [429] * 2
        # Even the right password waits at the attacker's address...
        assert _login(attacker, server.base, "ana", PASSWORD) == 429
        # ...while the owner at their own address logs in as ever.
        assert _login(owner, server.base, "ana", PASSWORD) == 200


def test_simultaneous_guesses_cannot_outrun_the_limit(databases: Databases) -> None:
    with live_servers(databases.new(), 1) as [server]:
        httpx.post(
            f"{server.base}/api/v1/auth/register", json={"handle": "ben", "password": PASSWORD}
        ).raise_for_status()

        async def guess_all() -> list[int]:
            transport = httpx.AsyncHTTPTransport(local_address="127.0.0.4")
            async with httpx.AsyncClient(transport=transport, timeout=60) as client:
                answers = await asyncio.gather(
                    *(
                        client.post(
                            f"{server.base}/api/v1/auth/login",
                            json={"handle": "ben", "password": f"guess {i}"},
                        )
                        for i in range(41)
                    )
                )
            return [a.status_code for a in answers]

        answers = Counter(asyncio.run(guess_all()))
    # Ten passwords were checked; the other 31 were refused before any hashing.
    assert answers == {401: 10, 429: 31}


def test_one_handle_from_many_addresses_meets_its_own_ceiling(databases: Databases) -> None:
    env = {"RAPPORT_LOGIN_FAILURES_PER_HANDLE_PER_MINUTE": "5"}
    with live_servers(databases.new(), 1, env=env) as [server]:
        answers = []
        for n in range(10, 17):  # a different machine each time
            with _from(f"127.0.0.{n}") as client:
                answers.append(_login(client, server.base, "cleo", "guess"))
    assert answers == [401] * 5 + [429] * 2


async def test_one_address_guessing_many_handles_meets_its_ceiling(
    http: AsyncTestClient[Litestar],
) -> None:
    answers = [
        (
            await http.post("/api/v1/auth/login", json={"handle": f"user{n}", "password": "guess"})
        ).status_code
        for n in range(31)
    ]
    assert answers == [401] * 30 + [429]


async def test_the_pause_doubles_with_each_further_failure_and_a_success_ends_it(
    http: AsyncTestClient[Litestar], clock: FakeClock
) -> None:
    registered = await http.post(
        "/api/v1/auth/register", json={"handle": "dora", "password": PASSWORD}
    )
    assert registered.status_code == 201

    async def login(password: str) -> httpx.Response:
        return await http.post("/api/v1/auth/login", json={"handle": "dora", "password": password})

    for _ in range(10):
        assert (await login("wrong")).status_code == 401
    waits = []
    for _ in range(3):
        refused = await login("wrong")
        assert refused.status_code == 429
        waits.append(int(refused.headers["retry-after"]))
        clock.advance(seconds=waits[-1])
        assert (await login("wrong")).status_code == 401  # allowed again, and wrong again
    assert waits == [60, 120, 240]

    refused = await login(PASSWORD)
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "480")
    clock.advance(seconds=480)
    assert (await login(PASSWORD)).status_code == 200
    # The success forgot the run of failures: a slip now costs nothing.
    assert (await login("wrong")).status_code == 401
    assert (await login(PASSWORD)).status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(databases: Databases) -> None:
    env = {"RAPPORT_TRUSTED_PROXIES": "127.0.0.5"}
    with live_servers(databases.new(), 1, env=env) as [server]:

        def guesses(source: str, forwarded_for: str, count: int) -> list[int]:
            with _from(source) as client:
                return [
                    client.post(
                        f"{server.base}/api/v1/auth/login",
                        json={"handle": "eve", "password": "guess"},
                        headers={"X-Forwarded-For": forwarded_for},
                    ).status_code
                    for _ in range(count)
                ]

        # Through the proxy: two machines, counted apart.
        assert guesses("127.0.0.5", "203.0.113.7", 11) == [401] * 10 + [429]
        assert guesses("127.0.0.5", "203.0.113.8", 1) == [401]
        # Not from the proxy: the header is a claim anyone can make, and is ignored.
        assert guesses("127.0.0.6", "203.0.113.9", 11) == [401] * 10 + [429]
        assert guesses("127.0.0.6", "203.0.113.10", 1) == [429]
