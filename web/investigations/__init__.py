"""The investigations API of the mailaccess seed: investigate, list, report, export, clusters,
graph, delete, modules, the live WebSocket and the Maltego transform."""

from flask import Blueprint

from web.auth.access import require_login

bp = Blueprint("investigations", __name__)
bp.before_request(require_login)

from web.investigations import live_socket, views  # noqa: E402,F401
