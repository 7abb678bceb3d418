"""Server-side browser sessions: the cookie carries a random token, the row says if it still holds."""

import secrets
from datetime import timedelta

from flask import current_app, g, session

from web.extensions import db
from web.models import UserSession
from web.models.base import utcnow
from web.models.user import token_digest

SESSION_TOKEN_KEY = "sid"
CSRF_KEY = "csrf"
# last_seen_at is written at most this often, not on every request.
_TOUCH_INTERVAL = timedelta(seconds=60)


def start_session(user):
    """Log `user` in on a brand-new session identifier (nothing of the old cookie survives)."""
    session.clear()
    token = secrets.token_urlsafe(32)
    row = UserSession(user_id=user.id, token_digest=token_digest(token))
    db.session.add(row)
    db.session.commit()
    session.permanent = True
    session[SESSION_TOKEN_KEY] = token
    session[CSRF_KEY] = secrets.token_urlsafe(32)
    g.session_row = row
    return row


def _is_expired(row, now):
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    absolute = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    return row.revoked_at is not None or now - row.last_seen_at > idle or now - row.created_at > absolute


def load_session_user():
    """The user of this request's session cookie, or None when it is missing, revoked or expired."""
    token = session.get(SESSION_TOKEN_KEY)
    if not token:
        return None
    row = UserSession.query.filter_by(token_digest=token_digest(token)).first()
    now = utcnow()
    if row is None or _is_expired(row, now):
        session.pop(SESSION_TOKEN_KEY, None)
        return None
    if now - row.last_seen_at > _TOUCH_INTERVAL:
        row.last_seen_at = now
        db.session.commit()
    g.session_row = row
    return row.user


def end_session():
    """Revoke this request's session on the server and clear the cookie."""
    token = session.get(SESSION_TOKEN_KEY)
    row = UserSession.query.filter_by(token_digest=token_digest(token)).first() if token else None
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.commit()
    session.clear()


def revoke_user_sessions(user_id, keep_current=False):
    """Revoke every live session of a user (optionally all but this request's own)."""
    current = g.get("session_row") if keep_current else None
    query = UserSession.query.filter(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    if current is not None:
        query = query.filter(UserSession.id != current.id)
    query.update({UserSession.revoked_at: utcnow()}, synchronize_session=False)
    db.session.commit()
