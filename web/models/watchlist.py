"""The breach watchlist: emails and domains, the breaches already reported for them, postbacks."""

import secrets

from sqlalchemy.orm import declared_attr

from web.extensions import db
from web.models.base import iso_utc, utcnow


def opaque_id():
    """An opaque 24-hex-digit ID, shaped like Breach Report's."""
    return secrets.token_hex(12)


class WatchlistEntry:
    """The columns every watchlist entry has: owner, monitoring state, and when it was last checked."""

    id = db.Column(db.String(24), primary_key=True, default=opaque_id)
    monitoring = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_checked_at = db.Column(db.DateTime)
    hibp_checked_at = db.Column(db.DateTime)
    hibp_latest_seen = db.Column(db.String(250))  # HIBP's newest breach when this entry was last checked
    last_error = db.Column(db.Text)

    @declared_attr
    def user_id(cls):
        return db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)

    def state(self):
        return {"monitoring": self.monitoring, "createdAt": iso_utc(self.created_at),
                "lastCheckedAt": iso_utc(self.last_checked_at), "lastError": self.last_error}


class WatchedDomain(WatchlistEntry, db.Model):
    __tablename__ = "watched_domains"

    domain = db.Column(db.String(255), nullable=False)

    __table_args__ = (db.UniqueConstraint("user_id", "domain"),)

    def summary(self):
        return {"id": self.id, "domainName": self.domain}

    def to_dict(self):
        return {**self.summary(), **self.state()}


class WatchedEmail(WatchlistEntry, db.Model):
    __tablename__ = "watched_emails"

    email = db.Column(db.String(320), nullable=False)
    domain_id = db.Column(db.String(24), db.ForeignKey("watched_domains.id", ondelete="SET NULL"))

    __table_args__ = (db.UniqueConstraint("user_id", "email"),)

    def summary(self):
        return {"id": self.id, "emailAddress": self.email}

    def to_dict(self):
        return {**self.summary(), "domainId": self.domain_id, **self.state()}


class KnownBreach(db.Model):
    """A breach already recorded (and posted back) for one watchlist entry."""

    __tablename__ = "known_breaches"

    id = db.Column(db.Integer, primary_key=True)
    entry_id = db.Column(db.String(24), nullable=False)  # a WatchedEmail or WatchedDomain ID
    source = db.Column(db.String(20), nullable=False)  # "hibp" or "corpus"
    name = db.Column(db.String(200), nullable=False)
    account = db.Column(db.String(320), nullable=False, default="")  # the address, for domain entries
    details = db.Column(db.JSON)
    first_seen_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    __table_args__ = (db.UniqueConstraint("entry_id", "source", "name", "account"),)


class PostbackEndpoint(db.Model):
    __tablename__ = "postback_endpoints"

    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    url = db.Column(db.String(2000), nullable=False)
    secret = db.Column(db.String(500), nullable=False)  # Fernet-encrypted signing secret
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class Delivery(db.Model):
    """One postback; its ID goes out as X-Delivery-ID on every attempt."""

    __tablename__ = "postback_deliveries"

    id = db.Column(db.String(36), primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    url = db.Column(db.String(2000), nullable=False)
    payload = db.Column(db.Text, nullable=False)
    status = db.Column(db.String(20), nullable=False, default="pending")  # pending, delivered, failed
    attempts = db.Column(db.Integer, nullable=False, default=0)
    last_status_code = db.Column(db.Integer)
    last_error = db.Column(db.Text)
    next_attempt_at = db.Column(db.DateTime, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    delivered_at = db.Column(db.DateTime)

    def to_dict(self):
        return {"id": self.id, "url": self.url, "status": self.status, "attempts": self.attempts,
                "lastStatusCode": self.last_status_code, "lastError": self.last_error,
                "createdAt": iso_utc(self.created_at), "deliveredAt": iso_utc(self.delivered_at),
                "nextAttemptAt": iso_utc(self.next_attempt_at)}
