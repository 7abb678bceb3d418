"""The settings API (`/api/settings*`): admin-only reads and updates, plus the public health check."""

from flask import Blueprint

bp = Blueprint("settings", __name__, url_prefix="/api/settings")

from web.settings import views  # noqa: E402,F401
