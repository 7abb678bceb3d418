"""Your notifications, SimpleLogin-shaped."""

from flask import request
from flask_login import current_user

from web.accounts import bp
from web.auth.access import get_owned_or_404
from web.errors import error_response
from web.extensions import db
from web.models import Notification

PAGE_SIZE = 20


@bp.get("/notifications")
def list_notifications():
    """A page (from 0) of your notifications, newest first, and whether more follow."""
    page = request.args.get("page", "0")
    if not page.isdigit():
        return error_response(400, "page must be a number starting at 0")
    rows = (Notification.query.filter_by(user_id=current_user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .offset(int(page) * PAGE_SIZE).limit(PAGE_SIZE + 1).all())
    return {"more": len(rows) > PAGE_SIZE, "notifications": [row.to_dict() for row in rows[:PAGE_SIZE]]}


@bp.post("/notifications/<int:notification_id>")
def mark_notification_read(notification_id):
    """Mark one of your notifications as read."""
    row = get_owned_or_404(Notification, notification_id)
    row.read = True
    db.session.commit()
    return {"done": True}
