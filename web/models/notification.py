"""Notifications shown to one user (a scan drift, a new breach)."""

import humanize

from web.extensions import db
from web.models.base import iso_utc, utcnow


class Notification(db.Model):
    __tablename__ = "notifications"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    message = db.Column(db.Text, nullable=False)  # HTML-safe: interpolated values are escaped
    read = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)

    not_found_message = "Notification not found"

    def to_dict(self):
        """SimpleLogin's shape: a human `created_at`, plus the exact time for scripts."""
        return {"id": self.id, "message": self.message, "read": self.read,
                "created_at": humanize.naturaltime(utcnow() - self.created_at),
                "created_at_iso": iso_utc(self.created_at)}
