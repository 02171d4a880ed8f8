"""Errors as RFC 9457 problem details, mapped in this one place."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from server.api.requests_log import REQUEST_ID
from server.services.errors import Busy, RapportError, RateLimited
from shared.schemas import ONE_LINE, PLAIN_TEXT, FieldError, Problem

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://rapport.dev/problems/"
log = logging.getLogger("rapport.errors")

_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service busy",
}


def problem_response(
    status: int,
    slug: str,
    detail: str,
    *,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[bytes]:
    body = Problem(
        type=TYPE_BASE + slug,
        title=_TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        errors=errors,
        request_id=REQUEST_ID.get(),
    )
    return Response(
        content=msgspec.json.encode(body),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


# msgspec names a failed pattern by its regex; these a person can read instead.
_PATTERNS_FAILED = {
    f"Expected `str` matching regex {PLAIN_TEXT!r}": (
        "must not contain control characters or direction overrides"
    ),
    f"Expected `str` matching regex {ONE_LINE!r}": (
        "must be one line, without control characters or direction overrides"
    ),
}


def _readable(message: str) -> str:
    for failed, readable in _PATTERNS_FAILED.items():
        message = message.replace(failed, readable)
    return message


def _field_errors(extra: Any) -> list[FieldError]:
    errors = []
    for item in extra if isinstance(extra, list) else []:
        if isinstance(item, dict):
            errors.append(
                FieldError(
                    field=str(item.get("key") or item.get("source") or "body"),
                    message=_readable(str(item.get("message", "invalid"))),
                )
            )
    return errors


def handle_rapport_error(_: Request[Any, Any, Any], exc: RapportError) -> Response[bytes]:
    errors = [FieldError(field=exc.field, message=exc.detail)] if exc.field else None
    headers = (
        {"Retry-After": str(exc.retry_after)} if isinstance(exc, (RateLimited, Busy)) else None
    )
    if exc.status == 401:
        headers = {"WWW-Authenticate": 'Bearer realm="rapport"'}
    return problem_response(exc.status, exc.slug, exc.detail, errors=errors, headers=headers)


def handle_http_exception(_: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    status = exc.status_code
    if isinstance(exc, ValidationException):
        errors = _field_errors(exc.extra)
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors) or exc.detail
        return problem_response(400, "validation", detail, errors=errors or None)
    slug = _TITLES.get(status, "error").lower().replace(" ", "-")
    headers = dict(exc.headers or {})
    return problem_response(status, slug, exc.detail or _TITLES.get(status, ""), headers=headers)


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        HTTP_500_INTERNAL_SERVER_ERROR, "internal", "the server failed; nothing was changed"
    )


def handle_too_deep(request: Request[Any, Any, Any], exc: RecursionError) -> Response[bytes]:
    """JSON nested deeper than the decoder's recursion allows (thousands of levels; no body
    of this API nests more than a few): the request's fault, not the server's."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return handle_unexpected(request, exc)
    return problem_response(400, "bad-request", "the JSON body is nested too deeply")


exception_handlers = {
    RecursionError: handle_too_deep,
    RapportError: handle_rapport_error,
    HTTPException: handle_http_exception,
    HTTP_500_INTERNAL_SERVER_ERROR: handle_unexpected,
}


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the error statuses a route can answer (400 always: a malformed
    request gets a problem document, not Litestar's default error shape)."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=_TITLES.get(status, "Error"),
            media_type=PROBLEM_JSON,
            # Not polyfactory's random placeholders (a problem of status 2562).
            generate_examples=False,
        )
        for status in sorted({400, *statuses})
    }


__all__ = ["PROBLEM_JSON", "problem_response", "problems"]
