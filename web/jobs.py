"""Background work: the scheduler's thread pool, periodic jobs, scan schedules, and recovery.

Every process gets a thread pool for the scans it queues. Exactly one process per deployment
(the holder of the scheduler lock: a PostgreSQL advisory lock, or `scheduler.lock` in the data
dir with SQLite) also runs the periodic jobs and the cron schedules, and on taking the lock
marks scans a crash left running as failed.
"""

import atexit
import fcntl
import logging
import os
import time
from pathlib import Path

from apscheduler.jobstores.base import JobLookupError
from sqlalchemy import text

from web.extensions import db, make_scheduler

logger = logging.getLogger(__name__)
LOCK_FILE_NAME = "scheduler.lock"


def _reconcile_schedules(app):
    from web.schedules.jobs import reconcile_schedules

    reconcile_schedules(app)


def _apply_retention(app):
    from web.scans.service import delete_scans_older_than
    from web.settings.store import get_setting

    with app.app_context():
        deleted = delete_scans_older_than(get_setting("retention_days"))
    if deleted:
        logger.info("Retention: deleted %d scan(s) older than the retention period", deleted)


def _fail_stale_scans(app):
    from web.scans.service import fail_stale_scans

    with app.app_context():
        stale = fail_stale_scans()
    if stale:
        logger.warning("Marked %d scan(s) whose process stopped as failed", stale)


def _watchlist_monitoring(app):
    """Run a monitoring pass when watchlist_interval_minutes have passed since the last one."""
    from web.settings.store import get_setting
    from web.watchlist.monitor import run_monitoring_pass

    with app.app_context():
        interval = get_setting("watchlist_interval_minutes") * 60
    last = app.extensions.get("last_monitoring_pass")
    if last is not None and time.monotonic() - last < interval:
        return
    app.extensions["last_monitoring_pass"] = time.monotonic()
    run_monitoring_pass(app)


def _deliver_postbacks(app):
    from web.watchlist.deliveries import deliver_due

    deliver_due(app)


# Periodic jobs are data: the leader reconciles this table with its scheduler at start.
PERIODIC_JOBS = [
    {"id": "reconcile-schedules", "func": _reconcile_schedules, "trigger": "interval", "seconds": 60},
    {"id": "retention", "func": _apply_retention, "trigger": "interval", "hours": 24},
    {"id": "stale-scans", "func": _fail_stale_scans, "trigger": "interval", "minutes": 5},
    {"id": "watchlist-monitoring", "func": _watchlist_monitoring, "trigger": "interval", "minutes": 1},
    {"id": "postback-retries", "func": _deliver_postbacks, "trigger": "interval", "minutes": 1},
]


class _AdvisoryLock:
    """A PostgreSQL session-level advisory lock, held on one connection for the process's lifetime."""

    KEY = 0x5EA4C5  # any constant shared by every SneakyScanner process of one database

    def __init__(self, engine):
        self.connection = engine.connect()
        self.held = bool(self.connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.KEY}).scalar())
        self.connection.commit()
        if not self.held:
            self.connection.close()

    def close(self):
        if self.held:
            self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.KEY})
            self.connection.commit()
            self.connection.close()
            self.held = False


def _take_leadership(app):
    """Become the one scheduler of this deployment; False when another process already is.

    With PostgreSQL the lock lives in the database, so processes on several machines agree;
    with SQLite (one machine) it is a lock file in the data dir.
    """
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        lock = _AdvisoryLock(engine)
        if not lock.held:
            return False
        app.extensions["scheduler_lock"] = lock
        return True
    path = Path(app.config["SNEAKY_DATA_DIR"]) / LOCK_FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return False
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    app.extensions["scheduler_lock"] = handle
    return True


def start(app):
    """Start this process's scheduler; the leader also recovers, runs periodic jobs and schedules."""
    scheduler = make_scheduler(app.config["SCAN_WORKERS"])
    scheduler.start()
    app.extensions["scheduler"] = scheduler
    app.extensions["scheduler_leader"] = _take_leadership(app)
    atexit.register(stop, app)
    if not app.extensions["scheduler_leader"]:
        logger.info("Another process holds the scheduler lock: this one runs only the scans it queues")
        return scheduler

    from web.investigations.service import fail_interrupted_investigations
    from web.scans.service import fail_interrupted_scans
    from web.schedules.jobs import catch_up_missed_runs, reconcile_schedules

    with app.app_context():
        interrupted = fail_interrupted_scans() + fail_interrupted_investigations()
    if interrupted:
        logger.warning("Marked %d scan(s)/investigation(s) left running by a previous process as failed", interrupted)
    for job in PERIODIC_JOBS:
        options = {k: v for k, v in job.items() if k not in ("id", "func", "trigger")}
        scheduler.add_job(job["func"], job["trigger"], args=(app,), id=job["id"], replace_existing=True, **options)
    reconcile_schedules(app)
    catch_up_missed_runs(app)
    return scheduler


def stop(app, wait=False):
    """Stop the scheduler and give up the lock, if this app holds them."""
    scheduler = app.extensions.pop("scheduler", None)
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=wait)
    lock = app.extensions.pop("scheduler_lock", None)
    if lock is not None:
        lock.close()


def is_leader(app):
    """True when this process runs the periodic jobs and schedules."""
    return bool(app.extensions.get("scheduler_leader"))


class JobQueueError(RuntimeError):
    """Work could not be handed to the scheduler."""


def submit(app, func, *args, job_id):
    """Run `func(app, *args)` on a worker thread as soon as one is free."""
    scheduler = app.extensions.get("scheduler")
    if scheduler is None or not scheduler.running:
        raise JobQueueError("the job scheduler is not running in this process")
    scheduler.add_job(func, args=(app, *args), id=job_id, replace_existing=False)


def set_cron_job(app, job_id, func, trigger, *args):
    """Add or replace a cron job on the leader's scheduler."""
    app.extensions["scheduler"].add_job(func, trigger, args=(app, *args), id=job_id, replace_existing=True)


def remove_job(app, job_id):
    """Remove a job from this process's scheduler if it is there."""
    try:
        app.extensions["scheduler"].remove_job(job_id)
    except (JobLookupError, KeyError):
        pass


def job_ids(app):
    """IDs of the jobs this process's scheduler holds."""
    scheduler = app.extensions.get("scheduler")
    return {job.id for job in scheduler.get_jobs()} if scheduler else set()
