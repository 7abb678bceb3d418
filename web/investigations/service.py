"""Investigation lifecycle: validate, start (or reuse a cached result), run modules, score, persist."""

import logging
import re
from datetime import datetime, timedelta

from flask import current_app

from scanner.investigations.engine import run_investigation
from scanner.investigations.identities import build_clusters, build_graph
from scanner.investigations.registry import select_modules
from scanner.investigations.scoring import credential_risk, exposure_score, risk_level
from web import jobs
from web.extensions import db
from web.live import hub
from web.models import Finding, Investigation, ModuleRun
from web.models.base import utcnow
from web.settings.store import all_settings

logger = logging.getLogger(__name__)
EMAIL_PATTERN = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{1,253}$)[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")


FINDINGS_PER_MODULE = 100000


class InvestigationError(ValueError):
    """A request that cannot start an investigation; the message lists what is valid."""


def investigation_topic(investigation_id):
    return f"investigation:{investigation_id}"


def normalize_email(value):
    """The address, trimmed and lower-cased; InvestigationError when it is not an email address."""
    if not isinstance(value, str) or not EMAIL_PATTERN.match(value.strip()):
        raise InvestigationError(f"{value!r} is not a valid email address")
    return value.strip().lower()


def module_settings(app):
    """The settings mapping modules read: keys, base URLs, DNS servers, the corpus lookup."""
    from web.breaches import corpus_lookup

    settings = all_settings()
    settings["breach_corpus_lookup"] = corpus_lookup(app)
    return settings


def cached_investigation(user, email):
    """A complete investigation of `email` by `user` within the cache window, or None."""
    since = utcnow() - timedelta(hours=current_app.config["INVESTIGATION_CACHE_HOURS"])
    return (Investigation.query.filter(Investigation.user_id == user.id, Investigation.email == email,
                                       Investigation.status == "complete", Investigation.created_at >= since)
            .order_by(Investigation.created_at.desc()).first())


def create_investigation(user, email, modules=None, enable_modules=None):
    """Insert a pending investigation; InvestigationError for a bad address or module names."""
    email = normalize_email(email)
    try:
        names = select_modules(modules, enable_modules)
    except ValueError as exc:
        raise InvestigationError(str(exc)) from None
    investigation = Investigation(user_id=user.id, email=email, modules=names, status="pending")
    db.session.add(investigation)
    db.session.commit()
    return investigation


def queue_investigation(investigation):
    app = current_app._get_current_object()
    jobs.submit(app, run_investigation_job, investigation.id, job_id=f"investigation-{investigation.id}")


def run_investigation_job(app, investigation_id):
    """Worker entry point: run the modules, persist every run as it ends, score, publish events."""
    with app.app_context():
        investigation = db.session.get(Investigation, investigation_id)
        if investigation is None:
            return
        live, topic = hub(app), investigation_topic(investigation_id)
        investigation.status = "running"
        for position, name in enumerate(investigation.modules):
            investigation.module_runs.append(ModuleRun(module_name=name, position=position, status="running",
                                                       started_at=utcnow()))
        db.session.commit()
        runs = {run.module_name: run for run in investigation.module_runs}

        def on_event(event):
            if event["type"] in ("module_result", "module_error"):
                run = runs[event["module"]]
                run.status = event["status"]
                run.finished_at = utcnow()
                run.errors = event.get("error")
                for index, data in enumerate(event.get("findings", [])):
                    # Reports list findings in module order, whatever order modules finish in.
                    position = run.position * FINDINGS_PER_MODULE + index
                    investigation.findings.append(Finding(module_name=event["module"], data=data, position=position))
                db.session.commit()
            live.publish(topic, event)

        try:
            results = run_investigation(investigation.email, investigation.modules, module_settings(app), on_event,
                                        timeout=app.config["INVESTIGATION_MODULE_TIMEOUT"])
            for result in results:
                runs[result.module_name].run_metadata = result.run_metadata
            _score(investigation)
            investigation.status = "complete"
        except Exception as exc:  # never leave an investigation running
            logger.exception("Investigation %s crashed", investigation_id)
            db.session.rollback()
            investigation = db.session.get(Investigation, investigation_id)
            investigation.status, investigation.error = "failed", f"Internal error: {exc.__class__.__name__}"
        investigation.completed_at = utcnow()
        db.session.commit()
        live.publish(topic, complete_event(investigation), final=True)


def complete_event(investigation):
    return {"type": "investigation_complete", "exposure_score": investigation.exposure_score,
            "risk_level": investigation.risk_level}


def _score(investigation):
    grouped = investigation.findings_by_module()
    investigation.exposure_score = exposure_score(grouped)
    investigation.risk_level = risk_level(investigation.exposure_score)
    score, band, drivers, actions = credential_risk(grouped)
    investigation.credential_risk_score, investigation.credential_risk_band = score, band
    investigation.score_drivers, investigation.recommended_actions = drivers, actions
    failed = sum(1 for run in investigation.module_runs if run.status == "failed")
    total = len(investigation.module_runs)
    investigation.summary = (f"Ran {total} modules ({total - failed} successful, {failed} failed). "
                             f"Found {len(investigation.findings)} data points.")


def replay_events(investigation):
    """The events of a finished investigation, rebuilt from its rows (for clients that come late)."""
    events = []
    for run in investigation.module_runs:
        events.append({"type": "module_start", "module": run.module_name,
                       "timestamp": run.started_at.isoformat() + "+00:00" if run.started_at else None})
    grouped = investigation.findings_by_module()
    for run in sorted(investigation.module_runs, key=lambda r: r.finished_at or datetime.max):
        if run.status == "success":
            events.append({"type": "module_result", "module": run.module_name,
                           "findings": grouped.get(run.module_name, []), "status": "success"})
        else:
            events.append({"type": "module_error", "module": run.module_name, "error": run.errors, "status": "failed"})
    events.append(complete_event(investigation))
    return events


def clusters_of(investigation):
    return {"clusters": build_clusters(investigation.findings_by_module())}


def graph_of(investigation):
    return build_graph(investigation.email, investigation.findings_by_module())


def fail_interrupted_investigations():
    """Mark investigations a previous process left pending or running as failed."""
    stale = Investigation.query.filter(Investigation.status.in_(("pending", "running"))).all()
    for investigation in stale:
        investigation.status, investigation.error = "failed", "Interrupted by restart"
        investigation.completed_at = utcnow()
    db.session.commit()
    return len(stale)
