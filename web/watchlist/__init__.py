"""The breach watchlist API (`/api/v1/*`), Breach Report's paths, bodies and messages."""

from flask import Blueprint

from web.auth.access import require_login

bp = Blueprint("watchlist", __name__, url_prefix="/api/v1")
bp.before_request(require_login)

from web.watchlist import views  # noqa: E402,F401
