"""Session login (JSON as in the SneakyScanner seed, or the browser form) and logout."""

import logging
from urllib.parse import urlparse

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import login_user, logout_user

from web.auth import bp
from web.auth.accounts import authenticate
from web.errors import error_response

logger = logging.getLogger(__name__)


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
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return error_response(400, "Invalid JSON body", "Send a JSON object such as {\"password\": \"...\"}")
    else:
        body = request.form
    password = body.get("password")
    email = body.get("email") or None
    if not isinstance(password, str) or not password:
        return error_response(400, "Missing required field: password", "Send the password to log in")
    if email is not None and not isinstance(email, str):
        return error_response(400, "Invalid field: email", "email must be a string")

    user = authenticate(email, password)
    if user is None:
        logger.warning("Failed login for %s from %s", email or "admin", request.remote_addr)
        if request.is_json:
            return error_response(401, "Invalid password", "The email or password is incorrect")
        flash("The email or password is incorrect.", "error")
        return render_template("auth/login.html", next=body.get("next", ""), email=email or ""), 401

    session.clear()
    login_user(user)
    destination = _safe_next(body.get("next")) or url_for("pages.dashboard")
    if request.is_json:
        return {"message": "Login successful", "redirect": destination}
    return redirect(destination)


@bp.get("/logout")
def logout():
    """End the session and go back to the login page."""
    logout_user()
    session.clear()
    return redirect(url_for("auth.login_page"))
