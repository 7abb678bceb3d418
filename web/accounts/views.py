"""Login for API clients (an API key per device), MFA, user info, API keys and logout."""

import base64
import binascii

from flask import Response, current_app, g, request, url_for
from flask_login import current_user

from web.accounts import bp
from web.accounts.fields import request_fields, required_text
from web.auth import mfa
from web.auth.access import get_owned_or_404
from web.auth.accounts import LoginFailed, check_password_step, count_failed_code
from web.auth.api_keys import create_api_key
from web.auth.sessions import end_session, revoke_user_sessions
from web.auth.throttle import check as check_throttle
from web.errors import ApiError, error_response
from web.extensions import db
from web.models import ApiKey
from web.passwords import password_problem

MAX_PICTURE_BYTES = 512 * 1024
PICTURE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


@bp.post("/auth/login")
def api_login():
    """Check email and password; answer with an API key for `device`, or an mfa_key."""
    fields = request_fields()
    email, password, device = required_text(fields, "email", "password", "device")
    try:
        user = check_password_step(email, password)
    except LoginFailed:
        return error_response(401, "Email or password incorrect", "Check the email and password")
    answer = {"name": user.name, "email": user.email, "mfa_enabled": user.mfa_enabled, "mfa_key": "", "api_key": ""}
    if user.mfa_enabled:
        answer["mfa_key"] = mfa.issue_mfa_key(user)
    else:
        answer["api_key"] = create_api_key(user, device)[1]
    return answer


@bp.post("/auth/mfa")
def api_login_mfa():
    """Second step: a TOTP code and the mfa_key from /api/auth/login give an API key."""
    fields = request_fields()
    code, mfa_key, device = required_text(fields, "mfa_token", "mfa_key", "device", max_length=2000)
    user = mfa.user_for_mfa_key(mfa_key)
    if user is None or not user.mfa_enabled:
        return error_response(400, "Invalid mfa_key", "The mfa_key is wrong or expired: log in again")
    check_throttle(user.email, request.remote_addr)
    if not mfa.verify_code(user, code):
        count_failed_code(user)
        return error_response(400, "Wrong TOTP token", "The code is wrong or was already used; wait for the next one")
    return {"name": user.name, "api_key": create_api_key(user, device)[1], "email": user.email}


@bp.post("/auth/mfa/setup")
def mfa_setup():
    """Start enabling MFA: a new secret and its otpauth:// URI for the authenticator app."""
    try:
        secret, uri = mfa.begin_setup(current_user)
    except mfa.MfaError as exc:
        return error_response(400, str(exc), "Disable MFA with a current code before setting it up again")
    return {"secret": secret, "otpauth_uri": uri}


def _change_mfa(action):
    code = request_fields().get("mfa_token")
    try:
        action(current_user, code)
    except mfa.MfaError as exc:
        return error_response(400, str(exc), "Send mfa_token with the current code from your authenticator app")
    revoke_user_sessions(current_user.id, keep_current=True)
    return {"mfa_enabled": current_user.mfa_enabled}


@bp.post("/auth/mfa/enable")
def mfa_enable():
    """Turn MFA on with a code from the secret of /api/auth/mfa/setup."""
    return _change_mfa(mfa.enable)


@bp.post("/auth/mfa/disable")
def mfa_disable():
    """Turn MFA off with a current code."""
    return _change_mfa(mfa.disable)


@bp.post("/auth/password")
def change_password():
    """Change your own password; every other session of yours ends."""
    fields = request_fields()
    current_password, new_password = required_text(fields, "current_password", "new_password", max_length=1024)
    if not current_user.check_password(current_password):
        return error_response(400, "Current password is incorrect", "Send your current password to change it")
    problem = password_problem(new_password, current_user.email)
    if problem:
        return error_response(400, "Invalid password", problem)
    current_user.set_password(new_password, current_app.config["BCRYPT_ROUNDS"])
    db.session.commit()
    revoke_user_sessions(current_user.id, keep_current=True)
    return {"message": "Password changed"}


def _user_info():
    picture = url_for("accounts.profile_picture") if current_user.profile_picture else None
    return {"name": current_user.name, "is_premium": False, "email": current_user.email, "in_trial": False,
            "profile_picture_url": picture, "is_admin": current_user.is_admin,
            "mfa_enabled": current_user.mfa_enabled}


@bp.get("/user_info")
def get_user_info():
    """Who the key or session belongs to (also a cheap way to validate a key)."""
    return _user_info()


def _decode_picture(value):
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise ApiError(400, "profile_picture must be base64", "Send a base64-encoded PNG or JPEG") from None
    if len(data) > MAX_PICTURE_BYTES:
        raise ApiError(400, "profile_picture is too large", f"At most {MAX_PICTURE_BYTES // 1024} KiB")
    for magic, mimetype in PICTURE_TYPES.items():
        if data.startswith(magic):
            return data, mimetype
    raise ApiError(400, "profile_picture must be a PNG or JPEG image", "Other formats are not accepted")


@bp.patch("/user_info")
def patch_user_info():
    """Update your name or profile picture (null removes it)."""
    fields = request_fields()
    if "name" in fields:
        name = fields["name"]
        if not isinstance(name, str) or len(name) > 200:
            return error_response(400, "name must be a string of at most 200 characters")
        current_user.name = name.strip()
    if "profile_picture" in fields:
        if fields["profile_picture"] is None:
            current_user.profile_picture = current_user.profile_picture_type = None
        else:
            current_user.profile_picture, current_user.profile_picture_type = _decode_picture(fields["profile_picture"])
    db.session.commit()
    return _user_info()


@bp.get("/user_info/profile_picture")
def profile_picture():
    """Your profile picture, served as the image type it was checked to be."""
    if not current_user.profile_picture:
        raise ApiError(404, "No profile picture", "Upload one with PATCH /api/user_info")
    return Response(current_user.profile_picture, mimetype=current_user.profile_picture_type,
                    headers={"X-Content-Type-Options": "nosniff", "Content-Disposition": "inline"})


@bp.post("/api_key")
def new_api_key():
    """Create an API key for a device; the key is shown only in this response."""
    (device,) = required_text(request_fields(), "device", max_length=200)
    return {"api_key": create_api_key(current_user, device)[1]}, 201


@bp.get("/api_keys")
def list_api_keys():
    """Your API keys: device, created, last used; never the key."""
    keys = ApiKey.query.filter_by(user_id=current_user.id).order_by(ApiKey.id).all()
    return {"api_keys": [key.to_dict() for key in keys]}


@bp.delete("/api_keys/<int:key_id>")
def revoke_api_key(key_id):
    """Revoke one of your API keys."""
    key = get_owned_or_404(ApiKey, key_id)
    db.session.delete(key)
    db.session.commit()
    return {"deleted": True}


@bp.get("/logout")
def api_logout():
    """Log out: ends the session, or revokes the API key this request used."""
    if g.get("auth_method") == "api_key":
        db.session.delete(g.api_key)
        db.session.commit()
    else:
        end_session()
    return {"msg": "User is logged out"}
