"""Postback deliveries: signed, retried with exponential backoff, logged per owner."""

import json
import logging
import threading
import time
import uuid
from datetime import timedelta

from flask import current_app

from scanner.postback import send
from web import crypto, jobs
from web.extensions import db
from web.models import Delivery, PostbackEndpoint
from web.models.base import utcnow
from web.settings.store import get_setting

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
# Waits up to this long happen in the worker thread; longer ones are left to the periodic job.
IN_THREAD_MAX_WAIT_SECONDS = 60
_in_flight_lock = threading.Lock()


def queue_delivery(user_id, payload):
    """Record a postback for the owner's endpoint and hand it to a worker; None when no endpoint is set."""
    endpoint = db.session.get(PostbackEndpoint, user_id)
    if endpoint is None:
        return None
    delivery = Delivery(id=str(uuid.uuid4()), user_id=user_id, url=endpoint.url,
                        payload=json.dumps(payload, separators=(",", ":")), next_attempt_at=utcnow())
    db.session.add(delivery)
    db.session.commit()
    app = current_app._get_current_object()
    jobs.submit(app, deliver, delivery.id, job_id=f"delivery-{delivery.id}")
    return delivery


def _claim(app, delivery_id):
    """True when this thread may work on the delivery (no other thread of this process is)."""
    with _in_flight_lock:
        in_flight = app.extensions.setdefault("postbacks_in_flight", set())
        if delivery_id in in_flight:
            return False
        in_flight.add(delivery_id)
        return True


def deliver(app, delivery_id):
    """Attempt a delivery until it succeeds, fails for good, or must wait longer than a worker should."""
    if not _claim(app, delivery_id):
        return
    try:
        _deliver(app, delivery_id)
    finally:
        with _in_flight_lock:
            app.extensions["postbacks_in_flight"].discard(delivery_id)


def _deliver(app, delivery_id):
    with app.app_context():
        delivery = db.session.get(Delivery, delivery_id)
        while delivery is not None and delivery.status == "pending":
            endpoint = db.session.get(PostbackEndpoint, delivery.user_id)
            if endpoint is None:
                delivery.status, delivery.last_error = "failed", "The postback URL was removed"
                break
            result = send(delivery.url, delivery.payload.encode(), crypto.decrypt(endpoint.secret) or "",
                          delivery.id, allow_private=get_setting("postback_allow_private"))
            delivery.attempts += 1
            delivery.last_status_code, delivery.last_error = result.status_code, result.error
            if result.delivered:
                delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", utcnow(), None
                break
            if result.refused or delivery.attempts >= MAX_ATTEMPTS:
                delivery.status, delivery.next_attempt_at = "failed", None
                logger.warning("Postback %s failed for good: %s", delivery.id, result.error)
                break
            wait = result.retry_after if result.retry_after is not None else \
                app.config["POSTBACK_BACKOFF_SECONDS"] * 2 ** (delivery.attempts - 1)
            delivery.next_attempt_at = utcnow() + timedelta(seconds=wait)
            db.session.commit()
            if wait > IN_THREAD_MAX_WAIT_SECONDS:
                return
            time.sleep(wait)
            db.session.refresh(delivery)
        db.session.commit()


def deliver_due(app):
    """Periodic job: hand pending deliveries whose next attempt is due to a worker."""
    with app.app_context():
        due = [d.id for d in Delivery.query.filter(Delivery.status == "pending",
                                                   Delivery.next_attempt_at <= utcnow()).all()]
    for delivery_id in due:
        jobs.submit(app, deliver, delivery_id, job_id=f"delivery-{delivery_id}-{uuid.uuid4().hex[:8]}")
