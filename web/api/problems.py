"""Errors under /api/ as RFC 9457 problem details (JSON with field messages), never HTML."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions

from engine.access import NotFound

PROBLEM_JSON = "application/problem+json"
API_PREFIX = "/api/"
TITLES = {
    400: "Неверный запрос",
    401: "Нужен действующий токен",
    403: "Нет доступа",
    404: "Не найдено",
    405: "Метод не поддерживается",
    409: "Конфликт",
    413: "Слишком большой запрос",
    415: "Нужен JSON",
    422: "Данные не прошли проверку",
    429: "Слишком много запросов",
    500: "Внутренняя ошибка",
}


def problem(
    status: int,
    detail: str | None = None,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """A problem-details response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "Ошибка"),
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = Response(json.dumps(body, ensure_ascii=False), status, mimetype=PROBLEM_JSON)
    response.headers.update(headers or {})
    return response


def field_errors(messages: Any) -> dict[str, Any]:
    """webargs' messages by location ({"query": {"page": [...]}}) as messages by field."""
    if not isinstance(messages, dict):
        return {"_schema": messages}
    merged: dict[str, Any] = {}
    for value in messages.values():
        if isinstance(value, dict):
            merged.update(value)
    return merged or messages


def from_exception(error: HTTPException) -> Response:
    """The problem for an HTTP error raised under /api/ (abort, webargs, routing)."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = field_errors(data["messages"]) if "messages" in data else data.get("errors")
    detail = data.get("message") or (None if status >= 500 else _detail(error))
    headers = {"Allow": ", ".join(error.valid_methods)} if hasattr(error, "valid_methods") else {}
    return problem(status, detail, errors, headers)


def _detail(error: HTTPException) -> str | None:
    description = error.description or ""
    return None if description == type(error).description else description


def is_api_request() -> bool:
    """Whether the request is the API's (its errors are problems)."""
    return request.path.startswith(API_PREFIX) or request.path == API_PREFIX.rstrip("/")


Handler = Callable[[Any], Any]


def install(app: Flask) -> None:
    """Answer every HTTP error under /api/ with a problem; the staff pages keep their own."""
    spec = app.error_handler_spec.setdefault(None, {})
    for code, cls in default_exceptions.items():
        previous = spec.get(code, {}).get(cls)
        app.register_error_handler(code, _dispatch(previous))
    # The engine's NotFound is the staff pages' 404 page; under /api/ it is a problem.
    previous_not_found = spec.get(None, {}).get(NotFound)
    app.register_error_handler(NotFound, _dispatch_not_found(previous_not_found))


def _dispatch(previous: Handler | None) -> Handler:
    def handle(error: HTTPException) -> Any:
        if is_api_request():
            if isinstance(error, InternalServerError):
                app_log_error(error)
            return from_exception(error)
        return previous(error) if previous else error

    return handle


def _dispatch_not_found(previous: Handler | None) -> Handler:
    def handle(error: NotFound) -> Any:
        if is_api_request():
            return problem(404, "Нет такого дела в муниципалитете токена.")
        if previous is None:
            raise error
        return previous(error)

    return handle


def app_log_error(error: InternalServerError) -> None:
    """Log the original exception of a 500 (its details never reach the client)."""
    from flask import current_app

    original = getattr(error, "original_exception", None)
    if original is not None:
        current_app.logger.error("API request failed", exc_info=original)
