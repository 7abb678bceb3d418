"""The scans API (`/api/scans*`), as the SneakyScanner seed documents it."""

from flask import Blueprint

from web.auth.access import require_login

bp = Blueprint("scans", __name__, url_prefix="/api/scans")
bp.before_request(require_login)

from web.scans import views  # noqa: E402,F401
