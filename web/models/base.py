"""Time helpers shared by the models: naive UTC in the database, ISO 8601 UTC on the wire."""

from datetime import datetime, timezone


def utcnow():
    """The current time as a naive UTC datetime, the form every timestamp column stores."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def iso_utc(value):
    """Format a stored naive-UTC datetime as ISO 8601 with a Z suffix; None stays None."""
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")
