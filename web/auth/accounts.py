"""Account bootstrap and password checks shared by the login routes."""

import logging
import secrets
import sys

from web import passwords
from web.extensions import db
from web.models import User

logger = logging.getLogger(__name__)

# Checked when the email is unknown, so both failures take the same time.
_DUMMY_HASH = passwords.hash_password("not-a-real-password", 4)


def ensure_admin(app):
    """Create the first admin when there are no users; print a generated password once."""
    with app.app_context():
        if User.query.first() is not None:
            return None
        password = app.config.get("SNEAKY_ADMIN_PASSWORD")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(15)
        admin = User(email=app.config["SNEAKY_ADMIN_EMAIL"], name="Administrator", is_admin=True)
        admin.set_password(password, app.config["BCRYPT_ROUNDS"])
        db.session.add(admin)
        db.session.commit()
        logger.info("Created admin account %s", admin.email)
        if generated:
            # Printed, not logged: shown once on the console of the first start.
            print(f"\n  SneakyScanner admin: {admin.email}\n  Generated password: {password}\n"
                  "  (shown once; change it with PUT /api/settings/app_password)\n", file=sys.stderr, flush=True)
        return admin


def authenticate(email, password):
    """The user these credentials belong to, or None. A missing email means the first admin."""
    user = User.find_by_email(email) if email else User.first_admin()
    if user is None:
        passwords.verify_password(password, _DUMMY_HASH)
        return None
    return user if user.check_password(password) else None
