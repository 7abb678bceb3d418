"""Request IDs, durations and one log line per request."""

import logging
import re
import secrets
import time

from flask import g, request

logger = logging.getLogger("sneakyscanner.requests")
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _start():
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _SANE_REQUEST_ID.match(incoming) else secrets.token_hex(4)
    g.request_started = time.perf_counter()


def _finish(response):
    duration_ms = int((time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000)
    request_id = g.get("request_id", "-")
    response.headers["X-Request-ID"] = request_id
    response.headers["X-Request-Duration-Ms"] = str(duration_ms)
    # The path only: query strings may carry things that do not belong in logs.
    logger.info("[%s] %s %s %s %dms", request_id, request.method, request.path, response.status_code, duration_ms)
    return response


def init_app(app):
    """Tag every request with an ID and log it when it ends."""
    app.before_request(_start)
    app.after_request(_finish)
