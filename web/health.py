"""`GET /health` in the mailaccess seed's shape."""

from flask import Blueprint
from web.database import connection_problem

VERSION = "0.1.0"

bp = Blueprint("health", __name__)


def loaded_modules():
    """Names of the investigation modules this build has."""
    from scanner.investigations.registry import MODULES

    return list(MODULES)


@bp.get("/health")
def health():
    """Status, version, loaded modules and database state. No login needed."""
    database = "error" if connection_problem() else "connected"
    return {"status": "ok" if database == "connected" else "degraded", "version": VERSION,
            "modules_loaded": loaded_modules(), "db": database}
