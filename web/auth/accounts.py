"""Account bootstrap and the password step shared by every login route."""

import logging
import secrets
import sys

from flask import request

from web import passwords
from web.auth import throttle
from web.extensions import db
from web.models import User

logger = logging.getLogger(__name__)

# Checked when the email is unknown, so both failures take the same time.
_DUMMY_HASH = passwords.hash_password("not-a-real-password", 4)


class LoginFailed(Exception):
    """Wrong credentials; deliberately silent about which part was wrong."""


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


def check_password_step(email, password):
    """The user these credentials belong to (a missing email means the first admin).

    Raises throttle.TooManyAttempts when the account or address is locked out, and
    LoginFailed for wrong credentials (after counting the failure).
    """
    user = User.find_by_email(email) if email else User.first_admin()
    account = user.email if user is not None else email
    throttle.check(account, request.remote_addr)
    if user is None:
        passwords.verify_password(password, _DUMMY_HASH)
    elif user.check_password(password):
        throttle.clear_account(account)
        return user
    throttle.record_failure(account, request.remote_addr)
    logger.warning("Failed login for %s from %s", account, request.remote_addr)
    raise LoginFailed()


def count_failed_code(user):
    """Count a wrong MFA code like a failed login."""
    throttle.record_failure(user.email, request.remote_addr)
    logger.warning("Wrong MFA code for %s from %s", user.email, request.remote_addr)
