"""Who may call what: the login check blueprints install, and the admin check."""

from flask import redirect, request, url_for
from flask_login import current_user

from web.errors import ApiError, wants_json
from web.extensions import db, login_manager
from web.models import User


@login_manager.user_loader
def _load_user(user_id):
    return db.session.get(User, int(user_id)) if str(user_id).isdigit() else None


@login_manager.unauthorized_handler
def _unauthorized():
    if wants_json():
        raise ApiError(401, "Unauthorized", "Authentication required: log in with POST /auth/login")
    return redirect(url_for("auth.login_page", next=request.full_path.rstrip("?")))


def require_login():
    """A `before_request` hook: 401 JSON for API clients, a redirect to login for browsers."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def require_admin():
    """Abort with 403 unless the current user is an admin."""
    if not current_user.is_admin:
        raise ApiError(403, "Forbidden", "Only an admin can do this")
