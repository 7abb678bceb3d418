"""User accounts and how they prove who they are: sessions, API keys, a TOTP second factor."""

import hashlib

from flask_login import UserMixin

from web import passwords
from web.extensions import db
from web.models.base import iso_utc, utcnow


def token_digest(token):
    """SHA-256 hex of a high-entropy token: what we store instead of the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(320), unique=True, nullable=False, index=True)
    name = db.Column(db.String(200), nullable=False, default="")
    password_hash = db.Column(db.String(200), nullable=False)
    is_admin = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    mfa_enabled = db.Column(db.Boolean, nullable=False, default=False)
    mfa_secret = db.Column(db.String(300))  # Fernet-encrypted base32 TOTP secret
    mfa_last_counter = db.Column(db.BigInteger)  # the last accepted TOTP time step: no replays
    profile_picture = db.Column(db.LargeBinary)
    profile_picture_type = db.Column(db.String(40))

    sessions = db.relationship("UserSession", back_populates="user", cascade="all, delete-orphan",
                               passive_deletes=True)
    api_keys = db.relationship("ApiKey", back_populates="user", cascade="all, delete-orphan",
                               passive_deletes=True)

    def set_password(self, password, rounds):
        """Replace the stored hash with a bcrypt hash of `password`."""
        self.password_hash = passwords.hash_password(password, rounds)

    def check_password(self, password):
        """True when `password` matches the stored hash."""
        return passwords.verify_password(password, self.password_hash)

    @classmethod
    def find_by_email(cls, email):
        """The user with this email (case-insensitive), or None."""
        return cls.query.filter(db.func.lower(cls.email) == email.strip().lower()).first()

    @classmethod
    def first_admin(cls):
        """The oldest admin account, the one a bare `{"password"}` login refers to."""
        return cls.query.filter_by(is_admin=True).order_by(cls.id).first()

    def to_dict(self):
        """The user as the admin's user list shows it."""
        return {"id": self.id, "email": self.email, "name": self.name, "is_admin": self.is_admin,
                "mfa_enabled": self.mfa_enabled, "created_at": iso_utc(self.created_at)}


class UserSession(db.Model):
    """A browser login. The cookie holds a random token; only its digest is stored here."""

    __tablename__ = "user_sessions"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    token_digest = db.Column(db.String(64), unique=True, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_seen_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    revoked_at = db.Column(db.DateTime)

    user = db.relationship("User", back_populates="sessions")


class ApiKey(db.Model):
    """An API key made for one device; shown once, stored only as a digest."""

    __tablename__ = "api_keys"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    device = db.Column(db.String(200), nullable=False)
    key_digest = db.Column(db.String(64), unique=True, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_used_at = db.Column(db.DateTime)

    user = db.relationship("User", back_populates="api_keys")
    not_found_message = "API key not found"

    def to_dict(self):
        return {"id": self.id, "device": self.device, "created_at": iso_utc(self.created_at),
                "last_used_at": iso_utc(self.last_used_at)}


class AuthFailure(db.Model):
    """One failed login or code attempt, counted per account and per client address."""

    __tablename__ = "auth_failures"

    id = db.Column(db.Integer, primary_key=True)
    scope = db.Column(db.String(20), nullable=False)  # "account" or "address"
    subject = db.Column(db.String(320), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)

    __table_args__ = (db.Index("ix_auth_failures_scope_subject", "scope", "subject"),)
