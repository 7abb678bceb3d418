"""Who is calling and what they may do: credentials, the login check, admin checks, ownership."""

import logging

from flask import g, redirect, request, url_for
from flask_login import current_user

from web.auth import sessions
from web.auth.api_keys import find_api_key
from web.errors import ApiError, wants_json
from web.extensions import db, login_manager

logger = logging.getLogger(__name__)

# X-API-Key is canonical; SimpleLogin clients send Authentication, Breach Report clients api-key.
API_KEY_HEADERS = ("X-API-Key", "Authentication", "api-key")


def presented_api_key():
    """The API key this request carries in a header, or None. Query strings are never read."""
    for header in API_KEY_HEADERS:
        value = request.headers.get(header)
        if value is not None:
            return value
    return None


@login_manager.request_loader
def _load_user_from_request(_request):
    presented = presented_api_key()
    if presented is not None:
        # A key was presented: it alone decides, even if a session cookie came along.
        key = find_api_key(presented)
        if key is None:
            g.auth_error = "Invalid API key"
            return None
        g.auth_method, g.api_key = "api_key", key
        return key.user
    user = sessions.load_session_user()
    if user is not None:
        g.auth_method = "session"
    return user


@login_manager.unauthorized_handler
def _unauthorized():
    reason = g.get("auth_error")
    logger.warning("Refused %s %s from %s: %s", request.method, request.path, request.remote_addr,
                   reason or "not logged in")
    if reason:
        raise ApiError(401, reason, "The API key is not valid (revoked or mistyped); create one with POST /api/api_key")
    if wants_json():
        raise ApiError(401, "Unauthorized", "Authentication required: log in with POST /auth/login or send an API key")
    return redirect(url_for("auth.login_page", next=request.full_path.rstrip("?")))


def require_login():
    """A `before_request` hook: 401 JSON for API clients, a redirect to login for browsers."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def require_admin():
    """Abort with 403 unless the current user is an admin."""
    if not current_user.is_admin:
        logger.warning("Refused %s %s to %s: admin only", request.method, request.path, current_user.email)
        raise ApiError(403, "Forbidden", "Only an admin can do this")


def get_owned_or_404(model, object_id):
    """The `model` row with this ID if it belongs to the current user; 404 otherwise (also for others' rows)."""
    row = db.session.get(model, object_id)
    if row is None or row.user_id != current_user.id:
        label = getattr(model, "not_found_message", f"{model.__name__} not found")
        raise ApiError(404, label, f"No {model.__name__} with ID {object_id} belongs to you")
    return row
