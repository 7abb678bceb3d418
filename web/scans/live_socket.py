"""`WS /ws/scans/{id}`: a scan's progress events, the ones so far first, until it ends."""

import json
import queue

from flask import Blueprint, current_app

from web.auth.access import require_login
from web.extensions import db, sock
from web.live import finish_stream, hub
from web.models import Scan
from web.scans.service import scan_topic

bp = Blueprint("scan_socket", __name__)
bp.before_request(require_login)
HEARTBEAT_SECONDS = 15


def _status_event(scan):
    return {"type": "complete", "scan_id": scan.id, "status": scan.status, "error_message": scan.error_message}


@sock.route("/ws/scans/<int:scan_id>", bp=bp)
def scan_events(ws, scan_id):
    """Stream progress; end with a `complete` event carrying the final status."""
    live = hub(current_app._get_current_object())
    topic = scan_topic(scan_id)
    subscriber = live.subscribe(topic)  # before reading the row, so no event falls in between
    try:
        scan = db.session.get(Scan, scan_id)
        if scan is None:
            ws.send(json.dumps({"type": "error", "message": f"Scan with ID {scan_id} does not exist"}))
            return
        if scan.status != "running" and not live.has_history(topic):
            ws.send(json.dumps(_status_event(scan)))
            return
        while True:
            try:
                event = subscriber.get(timeout=HEARTBEAT_SECONDS)
            except queue.Empty:
                # The scan may run in another process, whose events never reach this hub.
                db.session.expire_all()
                scan = db.session.get(Scan, scan_id)
                if scan is None or scan.status != "running":
                    ws.send(json.dumps(_status_event(scan) if scan else {"type": "error", "message": "Scan deleted"}))
                    return
                ws.send(json.dumps({"type": "heartbeat", "scan_id": scan_id}))
                continue
            ws.send(json.dumps(event))
            if event["type"] == "complete":
                return
    finally:
        live.unsubscribe(topic, subscriber)
        finish_stream(ws)
