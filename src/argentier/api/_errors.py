"""Argentier's errors as HTTP answers: one status per kind and a one-line ``detail``.

An :class:`AccessDeniedError` (the caller's groups may not read the object) answers 404, like a missing
object, so the API never reveals that a document of another group exists. A role too low for an endpoint is a
403 raised by the dependency, before any object is looked at.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from argentier.api._throttle import TooManyAttemptsError
from argentier.api.auth import AuthenticationError, ConflictError, RoleError
from argentier.errors import (
    AccessDeniedError,
    ArgentierError,
    ConfigError,
    InputError,
    NotFoundError,
    ProviderError,
    StoreError,
)

# Most specific first: ConflictError is an InputError, AccessDeniedError must not read as 403.
_STATUS: tuple[tuple[type[ArgentierError], int], ...] = (
    (AuthenticationError, 401),
    (RoleError, 403),
    (TooManyAttemptsError, 429),
    (ConflictError, 409),
    (NotFoundError, 404),
    (AccessDeniedError, 404),
    (InputError, 422),
    (ConfigError, 400),
    (ProviderError, 502),
    (StoreError, 503),
)


def status_for(error: ArgentierError) -> int:
    """The HTTP status an Argentier error answers with (400 for the ones not listed).

    >>> status_for(InputError("no column 'amount'", source="sales.csv")), status_for(AccessDeniedError("no"))
    (422, 404)
    """
    return next((status for kind, status in _STATUS if isinstance(error, kind)), 400)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _argentier_error(_request: Request, exc: ArgentierError) -> JSONResponse:
    status = status_for(exc)
    detail = _one_line(exc)
    if isinstance(exc, AccessDeniedError):
        detail = _one_line(str(exc).replace("not allowed to read", "no"))
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"detail": detail, "error": type(exc).__name__}, status_code=status, headers=headers)


def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body") or "request"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    detail = _one_line(f"{where}: {first.get('msg', 'invalid')}{more}")
    return JSONResponse({"detail": detail, "error": "ValidationError"}, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ArgentierError, _argentier_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
