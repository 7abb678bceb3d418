"""Brute-force limits: failed attempts counted per account and per client address, in the database."""

import math
from datetime import timedelta

from flask import current_app

from web.extensions import db
from web.models import AuthFailure
from web.models.base import utcnow


class TooManyAttempts(Exception):
    """Too many recent failures; `retry_after` says how many seconds to wait."""

    def __init__(self, retry_after):
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


def _limits(account, address):
    config = current_app.config
    return [("account", (account or "").strip().lower(), config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
            ("address", address or "unknown", config["LOGIN_MAX_FAILURES_PER_ADDRESS"])]


def check(account, address):
    """Raise TooManyAttempts when the account or the address is over its limit."""
    window = timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    now = utcnow()
    for scope, subject, limit in _limits(account, address):
        if not subject:
            continue
        recent = (AuthFailure.query.filter(AuthFailure.scope == scope, AuthFailure.subject == subject,
                                           AuthFailure.created_at > now - window)
                  .order_by(AuthFailure.created_at.desc()).limit(limit).all())
        if len(recent) >= limit:
            oldest_counted = recent[-1].created_at
            raise TooManyAttempts(max(1, math.ceil((oldest_counted + window - now).total_seconds())))


def record_failure(account, address):
    """Count one failed attempt against the account and the address."""
    now = utcnow()
    window = timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    AuthFailure.query.filter(AuthFailure.created_at < now - window).delete(synchronize_session=False)
    for scope, subject, _ in _limits(account, address):
        if subject:
            db.session.add(AuthFailure(scope=scope, subject=subject, created_at=now))
    db.session.commit()


def clear_account(account):
    """Forget an account's failures after it logs in."""
    AuthFailure.query.filter_by(scope="account", subject=(account or "").strip().lower()).delete()
    db.session.commit()
