"""Headers every answer carries, set as the answer leaves the app (``before_send``), so
router answers (404, 405) get them too.

- ``X-Content-Type-Options: nosniff``: a browser never guesses another type for a body
  (an export, an error) than the one it is sent with.
- ``Cache-Control: no-store`` on the API and health answers unless the handler chose
  otherwise: they carry tokens (register, login), personal exports and personal data, which
  no browser cache or proxy on the way may keep.
- ``Allow`` on ``OPTIONS``: every method of the path. (Litestar's own answer lists only the
  methods of the first controller that declared the path.)
"""

from __future__ import annotations

from litestar.types import Message, Scope

_NOSNIFF = (b"x-content-type-options", b"nosniff")
_NO_STORE = (b"cache-control", b"no-store")
_PRIVATE = ("/api/", "/health")


def _allowed(scope: Scope) -> bytes | None:
    """The methods of the route this OPTIONS request reached."""
    template = scope.get("path_template")
    if template is None:
        return None
    methods: set[str] = set()
    for route in scope["app"].routes:
        if route.path_format == template:
            methods |= set(getattr(route, "methods", ()))
    return ", ".join(sorted(methods)).encode() if methods else None


async def security_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    headers = [(k, v) for k, v in message.get("headers", [])]
    names = {name.lower() for name, _ in headers}
    headers.append(_NOSNIFF)
    if scope["path"].startswith(_PRIVATE) and b"cache-control" not in names:
        headers.append(_NO_STORE)
    if scope.get("method") == "OPTIONS" and b"allow" in names:
        allowed = _allowed(scope)
        if allowed is not None:
            headers = [(k, v) for k, v in headers if k.lower() != b"allow"]
            headers.append((b"allow", allowed))
    message["headers"] = headers
