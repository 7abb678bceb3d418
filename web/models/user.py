"""User accounts."""

from flask_login import UserMixin

from web.extensions import db
from web.models.base import utcnow
from web import passwords


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(320), unique=True, nullable=False, index=True)
    name = db.Column(db.String(200), nullable=False, default="")
    password_hash = db.Column(db.String(200), nullable=False)
    is_admin = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

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
