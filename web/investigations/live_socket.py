"""`WS /ws/investigate/{id}`: module events as they happen; late clients get the ones so far first."""

import json
import queue

from flask import current_app
from flask_login import current_user

from web.extensions import db, sock
from web.investigations import bp
from web.investigations.service import investigation_topic, replay_events
from web.live import finish_stream, hub
from web.models import Investigation

HEARTBEAT_SECONDS = 15
NOT_FOUND = {"type": "error", "error": "investigation not found or already streaming"}


@sock.route("/ws/investigate/<investigation_id>", bp=bp)
def investigation_events(ws, investigation_id):
    """One frame per module event, then `investigation_complete`; an `error` frame for unknown IDs."""
    live = hub(current_app._get_current_object())
    topic = investigation_topic(investigation_id)
    subscriber = live.subscribe(topic)
    try:
        investigation = db.session.get(Investigation, investigation_id)
        if investigation is None or investigation.user_id != current_user.id:
            ws.send(json.dumps(NOT_FOUND))
            return
        if investigation.status in ("complete", "failed") and not live.has_history(topic):
            for event in replay_events(investigation):
                ws.send(json.dumps(event))
            return
        while True:
            try:
                event = subscriber.get(timeout=HEARTBEAT_SECONDS)
            except queue.Empty:
                db.session.expire_all()
                investigation = db.session.get(Investigation, investigation_id)
                if investigation is None:
                    ws.send(json.dumps(NOT_FOUND))
                    return
                if investigation.status in ("complete", "failed"):
                    ws.send(json.dumps(replay_events(investigation)[-1]))
                    return
                continue
            ws.send(json.dumps(event))
            if event["type"] == "investigation_complete":
                return
    finally:
        live.unsubscribe(topic, subscriber)
        finish_stream(ws)
