"""Live events: one small in-process hub that fans events out to WebSocket subscribers.

Each subscriber gets its own queue. A topic keeps the events published so far, so a client
that connects late (or reconnects) first receives them, then the live ones. A finished
topic's history is dropped a while after it ends.
"""

import json
import queue
import threading
import time
from collections import defaultdict

HISTORY_LIMIT = 1000
FINISHED_TOPIC_TTL_SECONDS = 300


class LiveHub:
    def __init__(self):
        self._lock = threading.Lock()
        self._subscribers = defaultdict(set)
        self._history = defaultdict(list)
        self._finished_at = {}

    def publish(self, topic, event, final=False):
        """Send `event` to every subscriber of `topic`; `final` marks the topic's last event."""
        with self._lock:
            self._drop_expired()
            history = self._history[topic]
            if len(history) < HISTORY_LIMIT:
                history.append(event)
            if final:
                self._finished_at[topic] = time.monotonic()
            for subscriber in self._subscribers[topic]:
                subscriber.put(event)

    def subscribe(self, topic):
        """A new queue holding the topic's events so far, then its live ones."""
        subscriber = queue.Queue()
        with self._lock:
            for event in self._history.get(topic, []):
                subscriber.put(event)
            self._subscribers[topic].add(subscriber)
        return subscriber

    def unsubscribe(self, topic, subscriber):
        with self._lock:
            self._subscribers[topic].discard(subscriber)
            if not self._subscribers[topic]:
                del self._subscribers[topic]

    def has_history(self, topic):
        with self._lock:
            return bool(self._history.get(topic))

    def _drop_expired(self):
        now = time.monotonic()
        for topic, finished in list(self._finished_at.items()):
            if now - finished > FINISHED_TOPIC_TTL_SECONDS:
                self._history.pop(topic, None)
                del self._finished_at[topic]


def hub(app):
    """The app's hub (one per app, so that tests do not share events)."""
    return app.extensions.setdefault("live_hub", LiveHub())


def relay(ws, subscriber, final_type, on_idle, heartbeat_seconds=15):
    """Send a subscriber's events to a WebSocket until an event of `final_type`.

    When nothing arrives for `heartbeat_seconds`, `on_idle()` answers (done, event): the event
    (if any) is sent, and the relay ends when `done` (the work may run in another process,
    whose events never reach this hub, so the caller looks at the row instead).
    """
    while True:
        try:
            event = subscriber.get(timeout=heartbeat_seconds)
        except queue.Empty:
            done, event = on_idle()
            if event is not None:
                ws.send(json.dumps(event))
            if done:
                return
            continue
        ws.send(json.dumps(event))
        if event["type"] == final_type:
            return


def finish_stream(ws, timeout=10):
    """After the last event, let the client close first (up to `timeout` seconds).

    Closing from our side right after a send can reset the connection while frames are still
    in flight, and the client would never see the last event.
    """
    from simple_websocket import ConnectionClosed

    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ws.receive(timeout=max(0.1, deadline - time.monotonic()))
    except ConnectionClosed:
        pass
