"""Schedules: validation, syncing configs' own `schedule:` lines, firing, and missed-run catch-up."""

import logging
import threading
import zoneinfo
from datetime import datetime, timezone
from pathlib import Path

from apscheduler.triggers.cron import CronTrigger
from flask import current_app

from scanner.config import ConfigError, load_config, parse_config
from web.extensions import db
from web.models import Scan, Schedule
from web.models.base import utcnow

logger = logging.getLogger(__name__)
_start_lock = threading.Lock()  # "at most one run per config": check and insert together


class ScheduleError(ValueError):
    """A schedule that cannot be saved; the message says what to fix."""


def cron_trigger(cron, tz_name):
    """The APScheduler trigger of a 5-field cron in a named time zone; ScheduleError when invalid."""
    try:
        tz = zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"Unknown time zone {tz_name!r}; use an IANA name such as Europe/Berlin or UTC") from None
    if not isinstance(cron, str) or len(cron.split()) != 5:
        raise ScheduleError(f"cron must have 5 fields (minute hour day month weekday), e.g. \"0 3 * * *\"; got {cron!r}")
    try:
        return CronTrigger.from_crontab(cron, timezone=tz)
    except ValueError as exc:
        raise ScheduleError(f"Invalid cron {cron!r}: {exc}") from None


def next_run(schedule):
    """When the schedule fires next (naive UTC), or None when disabled."""
    if not schedule.enabled:
        return None
    fire = cron_trigger(schedule.cron, schedule.timezone).get_next_fire_time(None, datetime.now(timezone.utc))
    return fire.astimezone(timezone.utc).replace(tzinfo=None) if fire else None


def sync_config_schedules():
    """Mirror every config's `schedule:` line into a Schedule row (source "config")."""
    config_dir = Path(current_app.config["SNEAKY_CONFIG_DIR"])
    wanted = {}
    for path in sorted(config_dir.glob("*.y*ml")):
        try:
            config = parse_config(path.read_text(encoding="utf-8"), source=path.name)
        except (ConfigError, OSError, UnicodeDecodeError):
            continue  # a broken config is reported when it is scanned, not here
        if config.schedule:
            wanted[str(path.resolve())] = config.schedule
    existing = {s.config_file: s for s in Schedule.query.filter_by(source="config")}
    for config_file, cron in wanted.items():
        row = existing.pop(config_file, None)
        if row is None:
            db.session.add(Schedule(config_file=config_file, cron=cron, source="config",
                                    timezone=current_app.config["SCHEDULER_TIMEZONE"]))
        elif row.cron != cron:
            row.cron = cron
    for row in existing.values():  # the file lost its schedule line (or is gone)
        db.session.delete(row)
    db.session.commit()


def validated_fields(fields, partial=False):
    """Check config_file, cron, enabled and timezone of a request; returns the clean values."""
    clean = {}
    if "config_file" in fields or not partial:
        path, _ = load_config(current_app.config["SNEAKY_CONFIG_DIR"], fields.get("config_file"))
        clean["config_file"] = str(path)
    if "timezone" in fields:
        clean["timezone"] = fields["timezone"]
    if "cron" in fields or not partial:
        clean["cron"] = fields.get("cron")
    if "enabled" in fields:
        if not isinstance(fields["enabled"], bool):
            raise ScheduleError("enabled must be true or false")
        clean["enabled"] = fields["enabled"]
    tz_name = clean.get("timezone", current_app.config["SCHEDULER_TIMEZONE"])
    if "cron" in clean or "timezone" in clean:
        cron_trigger(clean.get("cron") or "0 0 * * *", tz_name)
    return clean


def run_scheduled_scan(app, schedule_id):
    """Scheduler entry point: start the scan of a schedule unless one of that config is running."""
    from web.scans.service import ScanQueueError, start_scan

    with app.app_context():
        schedule = db.session.get(Schedule, schedule_id)
        if schedule is None or not schedule.enabled:
            return None
        with _start_lock:
            if Scan.query.filter_by(config_file=schedule.config_file, status="running").first():
                logger.info("Schedule %s skipped: a scan of %s is still running", schedule.id, schedule.config_file)
                return None
            schedule.last_run_at = utcnow()
            try:
                scan = start_scan(schedule.config_file, triggered_by="scheduled")
            except (ConfigError, ScanQueueError) as exc:
                schedule.last_error = str(exc)
                db.session.commit()
                logger.error("Schedule %s could not start a scan: %s", schedule.id, exc)
                return None
            schedule.last_scan_id, schedule.last_error = scan.id, None
            db.session.commit()
            return scan.id


def missed_schedules(now=None):
    """Enabled schedules that should have fired since their last run (e.g. while the server was down)."""
    now = now or datetime.now(timezone.utc)
    missed = []
    for schedule in Schedule.query.filter_by(enabled=True):
        since = (schedule.last_run_at or schedule.created_at).replace(tzinfo=timezone.utc)
        fire = cron_trigger(schedule.cron, schedule.timezone).get_next_fire_time(None, since)
        if fire is not None and fire <= now:
            missed.append(schedule)
    return missed
