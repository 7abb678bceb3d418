"""Every error handler: JSON `{"error", "message"}` for API clients, HTML pages for browsers."""

import logging

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from web.extensions import db

logger = logging.getLogger(__name__)


def wants_json():
    """True for /api/ paths and for clients that prefer JSON over HTML."""
    if request.path.startswith(("/api/", "/health", "/ws/", "/maltego/")):
        return True
    if request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status, error, message=None, headers=None):
    """A JSON error in the one shape every API client sees."""
    body = {"error": error}
    if message is not None:
        body["message"] = message
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


class ApiError(Exception):
    """Raise from a view to answer with a specific JSON error body."""

    def __init__(self, status, error, message=None):
        super().__init__(message or error)
        self.status, self.error, self.message = status, error, message


def _handle_api_error(exc):
    if wants_json():
        return error_response(exc.status, exc.error, exc.message)
    return render_template("errors/error.html", code=exc.status, name=exc.error,
                           description=exc.message or ""), exc.status


def _handle_too_many_attempts(exc):
    return error_response(429, "Too many attempts",
                          f"Too many failed attempts; try again in {exc.retry_after} seconds",
                          headers={"Retry-After": str(exc.retry_after)})


def _handle_http_exception(exc):
    if wants_json():
        response = error_response(exc.code, exc.name, exc.description)
        if exc.code == 405 and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response
    return render_template("errors/error.html", code=exc.code, name=exc.name,
                           description=exc.description), exc.code


def _handle_unexpected(exc):
    db.session.rollback()
    if isinstance(exc, HTTPException):
        return _handle_http_exception(exc)
    logger.exception("Unhandled error on %s %s", request.method, request.path)
    return _handle_http_exception(InternalServerError("Internal server error"))


def init_app(app):
    """Register the handlers on `app`."""
    from web.auth.throttle import TooManyAttempts

    app.register_error_handler(ApiError, _handle_api_error)
    app.register_error_handler(TooManyAttempts, _handle_too_many_attempts)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(Exception, _handle_unexpected)
