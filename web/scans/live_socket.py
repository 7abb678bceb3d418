"""`WS /ws/scans/{id}`: a scan's progress events, the ones so far first, until it ends."""

import json

from flask import Blueprint, current_app

from web.auth.access import require_login
from web.extensions import db, sock
from web.live import finish_stream, hub, relay
from web.models import Scan
from web.scans.service import scan_topic

bp = Blueprint("scan_socket", __name__)
bp.before_request(require_login)


def _status_event(scan):
    return {"type": "complete", "scan_id": scan.id, "status": scan.status, "error_message": scan.error_message}


@sock.route("/ws/scans/<int:scan_id>", bp=bp)
def scan_events(ws, scan_id):
    """Stream progress; end with a `complete` event carrying the final status."""
    live = hub(current_app._get_current_object())
    topic = scan_topic(scan_id)
    subscriber = live.subscribe(topic)  # before reading the row, so no event falls in between

    def on_idle():
        db.session.expire_all()
        scan = db.session.get(Scan, scan_id)
        if scan is None:
            return True, {"type": "error", "message": "Scan deleted"}
        if scan.status != "running":
            return True, _status_event(scan)
        return False, {"type": "heartbeat", "scan_id": scan_id}

    try:
        scan = db.session.get(Scan, scan_id)
        if scan is None:
            ws.send(json.dumps({"type": "error", "message": f"Scan with ID {scan_id} does not exist"}))
        elif scan.status != "running" and not live.has_history(topic):
            ws.send(json.dumps(_status_event(scan)))
        else:
            relay(ws, subscriber, "complete", on_idle)
    finally:
        live.unsubscribe(topic, subscriber)
        finish_stream(ws)
