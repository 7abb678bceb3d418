"""Keeping the leader's scheduler in step with the Schedule rows."""

import logging

from web import jobs
from web.extensions import db
from web.models import Schedule
from web.schedules.service import ScheduleError, cron_trigger, missed_schedules, run_scheduled_scan, \
    sync_config_schedules

logger = logging.getLogger(__name__)
JOB_PREFIX = "schedule-"


def reconcile_schedules(app):
    """Add, replace and remove cron jobs so that they match the enabled Schedule rows (leader only)."""
    if not jobs.is_leader(app):
        return
    with app.app_context():
        sync_config_schedules()
        wanted = {}
        for schedule in Schedule.query.filter_by(enabled=True):
            try:
                wanted[f"{JOB_PREFIX}{schedule.id}"] = (schedule.id, cron_trigger(schedule.cron, schedule.timezone),
                                                        f"{schedule.cron}@{schedule.timezone}")
            except ScheduleError as exc:
                schedule.last_error = str(exc)
        db.session.commit()
    known = app.extensions.setdefault("scheduled_crons", {})
    for job_id, (schedule_id, trigger, signature) in wanted.items():
        if known.get(job_id) != signature or job_id not in jobs.job_ids(app):
            jobs.set_cron_job(app, job_id, run_scheduled_scan, trigger, schedule_id)
            known[job_id] = signature
    for job_id in [j for j in jobs.job_ids(app) if j.startswith(JOB_PREFIX) and j not in wanted]:
        jobs.remove_job(app, job_id)
        known.pop(job_id, None)


def catch_up_missed_runs(app):
    """Start one run (not one per missed time) of each schedule that fired while the server was down."""
    with app.app_context():
        missed = [s.id for s in missed_schedules()]
    for schedule_id in missed:
        logger.info("Schedule %s missed a run while the server was down: running it once now", schedule_id)
        jobs.submit(app, run_scheduled_scan, schedule_id, job_id=f"catch-up-{schedule_id}")
