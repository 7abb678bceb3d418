"""TOTP second factor: setup, enable, disable, codes that work once, and short-lived mfa_keys."""

from datetime import datetime

import pyotp
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from web import crypto
from web.extensions import db
from web.models import User

ISSUER = "SneakyScanner"
MFA_KEY_MAX_AGE_SECONDS = 300


class MfaError(ValueError):
    """An MFA request that cannot be done; the message says why."""


def _totp(user):
    secret = crypto.decrypt(user.mfa_secret) if user.mfa_secret else None
    if not secret:
        raise MfaError("Two-factor authentication is not set up: call POST /api/auth/mfa/setup first")
    return pyotp.TOTP(secret)


def begin_setup(user):
    """Store a new (not yet enabled) secret; returns (secret, otpauth URI) for the authenticator app."""
    if user.mfa_enabled:
        raise MfaError("Two-factor authentication is already enabled; disable it first")
    secret = pyotp.random_base32()
    user.mfa_secret = crypto.encrypt(secret)
    user.mfa_last_counter = None
    db.session.commit()
    return secret, pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def verify_code(user, code):
    """True for a current code (one step of clock drift allowed) not accepted before."""
    code = str(code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = _totp(user)
    now_counter = totp.timecode(datetime.now())
    for counter in (now_counter - 1, now_counter, now_counter + 1):
        if user.mfa_last_counter is not None and counter <= user.mfa_last_counter:
            continue  # this time step's code was already used: a replay
        if pyotp.utils.strings_equal(totp.generate_otp(counter), code):
            user.mfa_last_counter = counter
            db.session.commit()
            return True
    return False


def enable(user, code):
    """Turn MFA on after proving the authenticator app has the secret."""
    if user.mfa_enabled:
        raise MfaError("Two-factor authentication is already enabled")
    if not verify_code(user, code):
        raise MfaError("Wrong TOTP token")
    user.mfa_enabled = True
    db.session.commit()


def disable(user, code):
    """Turn MFA off with a current code."""
    if not user.mfa_enabled:
        raise MfaError("Two-factor authentication is not enabled")
    if not verify_code(user, code):
        raise MfaError("Wrong TOTP token")
    user.mfa_enabled = False
    user.mfa_secret = None
    user.mfa_last_counter = None
    db.session.commit()


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="mfa-key")


def issue_mfa_key(user):
    """A signed token naming the user who passed the password step, valid for 5 minutes."""
    return _serializer().dumps(user.id)


def user_for_mfa_key(mfa_key):
    """The user an mfa_key was issued to, or None when it is forged or expired."""
    try:
        user_id = _serializer().loads(mfa_key, max_age=MFA_KEY_MAX_AGE_SECONDS)
    except (BadSignature, TypeError):
        return None
    return db.session.get(User, user_id)
