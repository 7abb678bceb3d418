"""Session login (JSON as in the SneakyScanner seed, or the browser form with its MFA step) and logout."""

import time
from urllib.parse import urlparse

from flask import flash, redirect, render_template, request, session, url_for

from web.auth import bp, mfa
from web.auth.accounts import LoginFailed, check_password_step, count_failed_code
from web.auth.sessions import end_session, start_session
from web.auth.throttle import check as check_throttle
from web.errors import error_response
from web.extensions import db
from web.models import User

MFA_PENDING_KEY = "mfa_pending"
MFA_PENDING_SECONDS = 300


def _safe_next(target):
    """Only same-site relative paths, so login cannot be used to redirect elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target if not urlparse(target).netloc else None


@bp.get("/login")
def login_page():
    """The browser login form."""
    return render_template("auth/login.html", next=request.args.get("next", ""))


@bp.post("/login")
def login():
    """Log in with `{"password"}` (the admin) or `{"email", "password"}`; JSON or form."""
    if not request.is_json:
        return _form_login()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error_response(400, "Invalid JSON body", "Send a JSON object such as {\"password\": \"...\"}")
    password, email = body.get("password"), body.get("email") or None
    if not isinstance(password, str) or not password:
        return error_response(400, "Missing required field: password", "Send the password to log in")
    if email is not None and not isinstance(email, str):
        return error_response(400, "Invalid field: email", "email must be a string")
    try:
        user = check_password_step(email, password)
    except LoginFailed:
        return error_response(401, "Invalid password", "The email or password is incorrect")
    if user.mfa_enabled:
        code = body.get("mfa_token")
        if not code:
            return error_response(401, "MFA required",
                                  "This account uses two-factor authentication: send mfa_token with the current code")
        if not mfa.verify_code(user, code):
            count_failed_code(user)
            return error_response(401, "Wrong TOTP token", "The two-factor code is wrong or was already used")
    start_session(user)
    return {"message": "Login successful", "redirect": _safe_next(body.get("next")) or url_for("pages.dashboard")}


def _form_login():
    form = request.form
    email = form.get("email", "").strip() or None
    try:
        user = check_password_step(email, form.get("password", ""))
    except LoginFailed:
        flash("The email or password is incorrect.", "error")
        return render_template("auth/login.html", next=form.get("next", ""), email=email or ""), 401
    destination = _safe_next(form.get("next")) or url_for("pages.dashboard")
    if user.mfa_enabled:
        session[MFA_PENDING_KEY] = {"user_id": user.id, "at": time.time(), "next": destination}
        return redirect(url_for("auth.mfa_page"))
    start_session(user)
    return redirect(destination)


def _pending_mfa_user():
    pending = session.get(MFA_PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > MFA_PENDING_SECONDS:
        session.pop(MFA_PENDING_KEY, None)
        return None, None
    return db.session.get(User, pending["user_id"]), pending.get("next")


@bp.get("/mfa")
def mfa_page():
    """The second login step: the authenticator code."""
    user, _ = _pending_mfa_user()
    if user is None:
        return redirect(url_for("auth.login_page"))
    return render_template("auth/mfa.html")


@bp.post("/mfa")
def mfa_submit():
    """Check the code of the second step and finish the login."""
    user, destination = _pending_mfa_user()
    if user is None:
        flash("The login step expired; log in again.", "error")
        return redirect(url_for("auth.login_page"))
    check_throttle(user.email, request.remote_addr)
    if not mfa.verify_code(user, request.form.get("mfa_token", "")):
        count_failed_code(user)
        flash("The code is wrong or was already used; wait for the next one.", "error")
        return render_template("auth/mfa.html"), 401
    start_session(user)
    return redirect(destination or url_for("pages.dashboard"))


@bp.get("/logout")
def logout():
    """End the session on the server and go back to the login page."""
    end_session()
    return redirect(url_for("auth.login_page"))
