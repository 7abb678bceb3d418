"""`WS /ws/investigate/{id}`: module events as they happen; late clients get the ones so far first."""

import json

from flask import current_app
from flask_login import current_user

from web.extensions import db, sock
from web.investigations import bp
from web.investigations.service import investigation_topic, replay_events
from web.live import finish_stream, hub, relay
from web.models import Investigation

NOT_FOUND = {"type": "error", "error": "investigation not found or already streaming"}


@sock.route("/ws/investigate/<investigation_id>", bp=bp)
def investigation_events(ws, investigation_id):
    """One frame per module event, then `investigation_complete`; an `error` frame for unknown IDs."""
    live = hub(current_app._get_current_object())
    topic = investigation_topic(investigation_id)
    subscriber = live.subscribe(topic)

    def on_idle():
        db.session.expire_all()
        investigation = db.session.get(Investigation, investigation_id)
        if investigation is None:
            return True, NOT_FOUND
        if investigation.status in ("complete", "failed"):
            return True, replay_events(investigation)[-1]
        return False, None

    try:
        investigation = db.session.get(Investigation, investigation_id)
        if investigation is None or investigation.user_id != current_user.id:
            ws.send(json.dumps(NOT_FOUND))
        elif investigation.status in ("complete", "failed") and not live.has_history(topic):
            for event in replay_events(investigation):
                ws.send(json.dumps(event))
        else:
            relay(ws, subscriber, "investigation_complete", on_idle)
    finally:
        live.unsubscribe(topic, subscriber)
        finish_stream(ws)
