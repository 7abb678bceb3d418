"""The account API of the SimpleLogin seed (`/api/auth/*`, `/api/user_info`, `/api/api_key*`,
`/api/logout`, `/api/notifications*`) and the admin's user management (`/api/users*`)."""

from flask import Blueprint, request

from web.auth.access import require_login

bp = Blueprint("accounts", __name__, url_prefix="/api")

PUBLIC_ENDPOINTS = {"accounts.api_login", "accounts.api_login_mfa"}


@bp.before_request
def _login_unless_public():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    return require_login()


from web.accounts import notifications, users, views  # noqa: E402,F401
