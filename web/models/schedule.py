"""Scan schedules: a cron expression per config, from the API or from the config's own `schedule:`."""

from web.extensions import db
from web.models.base import iso_utc, utcnow


class Schedule(db.Model):
    __tablename__ = "schedules"

    id = db.Column(db.Integer, primary_key=True)
    config_file = db.Column(db.String(1024), nullable=False, index=True)
    cron = db.Column(db.String(120), nullable=False)
    timezone = db.Column(db.String(64), nullable=False)
    enabled = db.Column(db.Boolean, nullable=False, default=True)
    source = db.Column(db.String(10), nullable=False, default="api")  # "api" or "config"
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_run_at = db.Column(db.DateTime)
    last_scan_id = db.Column(db.Integer)
    last_error = db.Column(db.Text)

    def to_dict(self, next_run_at=None):
        return {"id": self.id, "config_file": self.config_file, "cron": self.cron, "timezone": self.timezone,
                "enabled": self.enabled, "source": self.source, "created_at": iso_utc(self.created_at),
                "last_run_at": iso_utc(self.last_run_at), "last_scan_id": self.last_scan_id,
                "last_error": self.last_error, "next_run_at": iso_utc(next_run_at)}
