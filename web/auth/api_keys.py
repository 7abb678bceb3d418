"""Per-device API keys: random, shown once, stored as a SHA-256 digest."""

import secrets
from datetime import timedelta

from web.extensions import db
from web.models import ApiKey
from web.models.base import utcnow
from web.models.user import token_digest

KEY_PREFIX = "sk_"
_TOUCH_INTERVAL = timedelta(seconds=60)


def create_api_key(user, device):
    """Make a key for `device`; returns (row, plaintext key). The plaintext is not stored."""
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(user_id=user.id, device=device, key_digest=token_digest(plaintext))
    db.session.add(row)
    db.session.commit()
    return row, plaintext


def find_api_key(presented):
    """The ApiKey row for a presented key (noting its use), or None."""
    presented = presented.strip()
    if presented.lower().startswith("bearer "):
        presented = presented[7:].strip()
    if not presented or len(presented) > 200:
        return None
    row = ApiKey.query.filter_by(key_digest=token_digest(presented)).first()
    if row is not None:
        now = utcnow()
        if row.last_used_at is None or now - row.last_used_at > _TOUCH_INTERVAL:
            row.last_used_at = now
            db.session.commit()
    return row
