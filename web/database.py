"""Database binding: SQLAlchemy, Alembic migrations and SQLite tuning."""

import sqlite3
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from web.extensions import db, migrate

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# Scan threads write while requests read: WAL lets readers proceed during a write,
# and the busy timeout makes a second writer wait instead of failing at once.
SQLITE_BUSY_TIMEOUT_MS = 15000


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def init_app(app):
    """Bind the database and migrations to `app`."""
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)


def upgrade_schema(app):
    """Apply every pending migration (what `flask db upgrade` does)."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR))


def connection_problem():
    """None when the database answers a query, else a one-line description of why not."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:
        db.session.rollback()
        return f"{exc.__class__.__name__}: {str(exc).splitlines()[0][:300]}"
    return None
