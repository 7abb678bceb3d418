"""Background work: the scheduler's thread pool, and recovery of work a crash interrupted."""

import atexit
import logging

from web.extensions import make_scheduler

logger = logging.getLogger(__name__)


def start(app):
    """Mark rows a previous process left running as failed, then start the scheduler."""
    from web.scans.service import fail_interrupted_scans

    with app.app_context():
        interrupted = fail_interrupted_scans()
    if interrupted:
        logger.warning("Marked %d scan(s) left running by a previous process as failed", interrupted)
    scheduler = make_scheduler(app.config["SCAN_WORKERS"])
    scheduler.start()
    app.extensions["scheduler"] = scheduler
    atexit.register(stop, app)
    return scheduler


def stop(app, wait=False):
    """Stop the scheduler, if this app started one."""
    scheduler = app.extensions.pop("scheduler", None)
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=wait)


class JobQueueError(RuntimeError):
    """Work could not be handed to the scheduler."""


def submit(app, func, *args, job_id):
    """Run `func(app, *args)` on a worker thread as soon as one is free."""
    scheduler = app.extensions.get("scheduler")
    if scheduler is None or not scheduler.running:
        raise JobQueueError("the job scheduler is not running in this process")
    scheduler.add_job(func, args=(app, *args), id=job_id, replace_existing=False)
