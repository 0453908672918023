"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from liaison.domain.errors import (
    Conflict,
    Forbidden,
    Invalid,
    LiaisonError,
    NotFound,
    Stale,
    TooLarge,
)

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)

_STATUS = {
    NotFound: 404,
    Forbidden: 403,
    Stale: 412,
    Conflict: 409,
    Invalid: 422,
    TooLarge: 413,
}


def problem(status: int, detail: str | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": HTTPStatus(status).phrase}
    body["status"] = status
    if detail:
        body["detail"] = detail
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(LiaisonError)
    async def _domain(request: Request, error: LiaisonError) -> JSONResponse:
        status = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), 400)
        extra = {}
        if isinstance(error, Invalid) and error.field:
            extra["errors"] = [{"field": error.field, "message": str(error)}]
        return problem(status, str(error), **extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(part) for part in item["loc"]), "message": item["msg"]}
            for item in error.errors()
        ]
        return problem(422, "the request does not have the expected shape", errors=errors)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> JSONResponse:
        detail = error.detail if isinstance(error.detail, str) else None
        response = problem(error.status_code, detail)
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return problem(500, "an unexpected error occurred; it has been logged")
