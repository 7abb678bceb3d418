"""Read and update settings; report health."""

from flask import request
from web.auth.access import require_admin, require_login
from web.errors import error_response
from web.database import connection_problem
from web.settings import bp
from web.settings.store import SettingError, public_settings, public_value, update_setting


def _login_and_admin():
    if request.endpoint == "settings.health":
        return None
    denied = require_login()
    if denied is not None:
        return denied
    require_admin()
    return None


bp.before_request(_login_and_admin)


@bp.get("")
def list_settings():
    """Every setting, secrets masked."""
    return public_settings()


@bp.put("/<key>")
def put_setting(key):
    """Validate and store one setting."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "value" not in body:
        return error_response(400, "Missing required field: value", "Send JSON such as {\"value\": ...}")
    try:
        value = update_setting(key, body["value"])
    except SettingError as exc:
        return error_response(400, "Invalid setting", str(exc))
    return {"message": "Setting updated successfully", "key": key, "value": public_value(key, value)}


@bp.get("/health")
def health():
    """Whether the app runs and its database answers. No login needed."""
    problem = connection_problem()
    if problem:
        return {"status": "unhealthy", "database": "disconnected", "error": problem}, 500
    return {"status": "healthy", "database": "connected"}
