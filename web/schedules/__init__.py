"""The schedules API (`/api/schedules*`): cron schedules of scan configs, without editing files."""

from flask import Blueprint

from web.auth.access import require_login

bp = Blueprint("schedules", __name__, url_prefix="/api/schedules")
bp.before_request(require_login)

from web.schedules import views  # noqa: E402,F401
