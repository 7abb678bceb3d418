"""Notifications: the one function later features call to tell a user (or the team) something."""

from markupsafe import escape

from web.extensions import db
from web.models import Notification, User


def notify(user_id, message, **values):
    """Store a notification for one user.

    The message is treated as HTML by SimpleLogin-style clients, so `message` is a
    format string of our own and every interpolated value (a banner, a breach name) is escaped.
    """
    text = str(escape(message)) if not values else message.format(**{k: escape(v) for k, v in values.items()})
    row = Notification(user_id=user_id, message=text)
    db.session.add(row)
    db.session.commit()
    return row


def notify_team(message, **values):
    """Store the same notification for every user (scans are shared by the team)."""
    return [notify(user.id, message, **values) for user in User.query.order_by(User.id).all()]
