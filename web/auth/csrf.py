"""CSRF protection for cookie-authenticated writes.

A hostile page can make a browser send a cross-site POST with a form-like body
(urlencoded, multipart, text/plain) and no preflight. Such requests must carry the
session's CSRF token. JSON bodies and PUT/PATCH/DELETE need a CORS preflight that we
never grant with credentials, so the seed's curl scripts work without a token; API-key
requests carry no ambient credential and need none.
"""

import hmac
import logging
import secrets

from flask import request, session
from flask_login import current_user

from web.auth.access import presented_api_key
from web.auth.sessions import CSRF_KEY
from web.errors import ApiError

logger = logging.getLogger(__name__)
FORM_LIKE_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain", ""}


def csrf_token():
    """This session's CSRF token, for hidden form fields (`{{ csrf_token() }}`)."""
    if CSRF_KEY not in session:
        session[CSRF_KEY] = secrets.token_urlsafe(32)
    return session[CSRF_KEY]


# Logging in needs no session yet, but its forms are protected too (login CSRF).
LOGIN_ENDPOINTS = {"auth.login", "auth.mfa_submit"}


def _protect():
    if request.method != "POST" or request.mimetype not in FORM_LIKE_TYPES:
        return
    if presented_api_key() is not None:
        return
    if request.endpoint not in LOGIN_ENDPOINTS and not current_user.is_authenticated:
        return  # no cookie identity to abuse: the view's own login check answers
    supplied = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    expected = session.get(CSRF_KEY, "")
    if not expected or not hmac.compare_digest(supplied.encode(), expected.encode()):
        logger.warning("Refused %s %s from %s: CSRF token missing or wrong", request.method, request.path,
                       request.remote_addr)
        raise ApiError(403, "CSRF check failed",
                       "Form posts need the page's csrf_token; API clients send JSON or an API key")


def init_app(app):
    """Check every form-like POST and give templates `csrf_token()`."""
    app.before_request(_protect)
    app.jinja_env.globals["csrf_token"] = csrf_token
