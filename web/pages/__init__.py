"""Browser pages: the dashboard and scan pages."""

from flask import Blueprint

from web.auth.access import require_login

bp = Blueprint("pages", __name__)
bp.before_request(require_login)

from web.pages import views  # noqa: E402,F401
