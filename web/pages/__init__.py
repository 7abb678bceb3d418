"""Browser pages: the dashboard and scan pages."""

from flask import Blueprint

from web.auth.access import require_login

bp = Blueprint("pages", __name__)
bp.before_request(require_login)


@bp.app_context_processor
def _header_counts():
    """The unread notification count the header shows on every page."""
    from flask_login import current_user

    from web.models import Notification

    if not current_user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": Notification.query.filter_by(user_id=current_user.id, read=False).count()}


from web.pages import tools, views  # noqa: E402,F401
