"""`GET /health` in the mailaccess seed's shape."""

from flask import Blueprint
from sqlalchemy import text

from web.extensions import db

VERSION = "0.1.0"

bp = Blueprint("health", __name__)


def loaded_modules():
    """Names of the investigation modules this build has."""
    from scanner.investigations.registry import MODULES

    return list(MODULES)


@bp.get("/health")
def health():
    """Status, version, loaded modules and database state. No login needed."""
    try:
        db.session.execute(text("SELECT 1"))
        database = "connected"
    except Exception:
        db.session.rollback()
        database = "error"
    return {"status": "ok" if database == "connected" else "degraded", "version": VERSION,
            "modules_loaded": loaded_modules(), "db": database}
