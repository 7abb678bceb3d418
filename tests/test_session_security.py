"""MFA with real TOTP codes, sessions that end on the server, CSRF, and brute-force limits."""

import time
from datetime import timedelta

import pyotp
import pytest

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, login, make_app
from tests.test_auth import form_token
from web import jobs
from web.extensions import db
from web.models import UserSession
from web.models.base import utcnow


def totp_codes(secret):
    """Codes for the previous, current and next 30 s step (the server accepts each once)."""
    remaining = 30 - time.time() % 30
    if remaining < 2:
        time.sleep(remaining + 0.1)  # don't straddle a step boundary
    totp, now = pyotp.TOTP(secret), time.time()
    return totp.at(now - 30), totp.at(now), totp.at(now + 30)


def enable_mfa(client):
    secret = client.post("/api/auth/mfa/setup", json={}).get_json()["secret"]
    previous, current, following = totp_codes(secret)
    assert client.post("/api/auth/mfa/enable", json={"mfa_token": previous}).get_json() == {"mfa_enabled": True}
    return secret, current, following


def test_mfa_setup_gives_a_secret_and_an_otpauth_uri(auth_client):
    body = auth_client.post("/api/auth/mfa/setup", json={}).get_json()
    assert body["otpauth_uri"].startswith("otpauth://totp/SneakyScanner:")
    assert f"secret={body['secret']}" in body["otpauth_uri"]
    assert auth_client.post("/api/auth/mfa/enable", json={"mfa_token": "000000"}).status_code == 400
    assert auth_client.get("/api/user_info").get_json()["mfa_enabled"] is False


def test_mfa_login_flow_with_real_codes_and_no_replays(app, auth_client, client):
    secret, current, following = enable_mfa(auth_client)
    first = client.post("/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "device": "phone"})
    body = first.get_json()
    assert body["mfa_enabled"] is True and body["api_key"] == "" and body["mfa_key"]

    wrong = client.post("/api/auth/mfa", json={"mfa_token": "123456", "mfa_key": body["mfa_key"], "device": "phone"})
    assert wrong.status_code == 400 and wrong.get_json()["error"] == "Wrong TOTP token"
    second = client.post("/api/auth/mfa", json={"mfa_token": current, "mfa_key": body["mfa_key"], "device": "phone"})
    assert second.status_code == 200
    assert client.get("/api/user_info", headers={"X-API-Key": second.get_json()["api_key"]}).status_code == 200

    replay = client.post("/api/auth/mfa", json={"mfa_token": current, "mfa_key": body["mfa_key"], "device": "phone"})
    assert replay.status_code == 400
    forged = client.post("/api/auth/mfa", json={"mfa_token": following, "mfa_key": "forged", "device": "phone"})
    assert forged.status_code == 400 and forged.get_json()["error"] == "Invalid mfa_key"

    with app.app_context():
        from web.models import User
        stored = db.session.get(User, 1).mfa_secret
        assert secret not in stored  # encrypted at rest

    assert auth_client.post("/api/auth/mfa/disable", json={"mfa_token": following}).get_json() == {"mfa_enabled": False}


def test_session_login_asks_for_the_code(auth_client, client):
    _, current, following = enable_mfa(auth_client)
    missing = client.post("/auth/login", json={"password": ADMIN_PASSWORD})
    assert missing.status_code == 401 and missing.get_json()["error"] == "MFA required"
    assert client.post("/auth/login", json={"password": ADMIN_PASSWORD, "mfa_token": current}).status_code == 200
    client.get("/auth/logout")
    assert client.post("/auth/login", json={"password": ADMIN_PASSWORD, "mfa_token": current}).status_code == 401

    browser = client.application.test_client()
    step_one = browser.post("/auth/login", data={"password": ADMIN_PASSWORD, "csrf_token": form_token(browser)})
    assert step_one.status_code == 302 and step_one.headers["Location"] == "/auth/mfa"
    assert browser.get("/api/scans").status_code == 401  # the password alone is not a login
    token = form_token(browser, "/auth/mfa")
    step_two = browser.post("/auth/mfa", data={"mfa_token": following, "csrf_token": token})
    assert step_two.status_code == 302 and step_two.headers["Location"] == "/dashboard"
    assert browser.get("/api/scans").status_code == 200


def session_cookie(client):
    return client.get_cookie("session").value


def test_a_cookie_captured_before_logout_is_refused_after(app, client):
    login(client)
    captured = session_cookie(client)
    client.get("/auth/logout")
    attacker = app.test_client()
    attacker.set_cookie("session", captured)
    assert attacker.get("/api/scans").status_code == 401


def test_each_login_gets_a_new_session_identifier(app, client):
    client.get("/auth/login")
    before = session_cookie(client)
    login(client)
    after = session_cookie(client)
    assert before != after
    login(client)
    with app.app_context():
        assert UserSession.query.count() == 2


def test_password_change_ends_the_other_sessions(app, client):
    login(client)
    other = app.test_client()
    login(other)
    response = client.post("/api/auth/password", json={"current_password": ADMIN_PASSWORD,
                                                        "new_password": "a brand new passphrase"})
    assert response.status_code == 200
    assert other.get("/api/scans").status_code == 401
    assert client.get("/api/scans").status_code == 200
    assert client.post("/api/auth/password", json={"current_password": "wrong", "new_password": "whatever else"}
                       ).status_code == 400


@pytest.mark.parametrize("field, age", [("last_seen_at", timedelta(hours=3)), ("created_at", timedelta(hours=25))])
def test_idle_and_absolute_session_lifetimes(app, auth_client, field, age):
    assert auth_client.get("/api/scans").status_code == 200
    with app.app_context():
        row = UserSession.query.one()
        setattr(row, field, utcnow() - age)
        db.session.commit()
    assert auth_client.get("/api/scans").status_code == 401


def test_session_cookie_flags(tmp_path):
    app = make_app(tmp_path, SESSION_COOKIE_SECURE=True)
    jobs.stop(app)
    response = app.test_client().post("/auth/login", json={"password": ADMIN_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie and "Expires=" in cookie


@pytest.mark.parametrize("path, data", [
    ("/api/scans", {"config_file": "example-site.yaml"}),
    ("/api/api_key", {"device": "evil"}),
    ("/api/users", {"email": "evil@example.test", "password": "hostile passphrase"}),
])
def test_cross_site_form_post_with_only_the_cookie_is_refused(app, auth_client, path, data):
    response = auth_client.post(path, data=data, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403 and response.get_json()["error"] == "CSRF check failed"
    as_text = auth_client.post(path, data="x=1", content_type="text/plain")
    assert as_text.status_code == 403
    with app.app_context():
        from web.models import ApiKey, Scan, User
        assert (Scan.query.count(), ApiKey.query.count(), User.query.count()) == (0, 0, 1)


def test_api_key_form_posts_need_no_csrf_token(client):
    login_body = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "device": "script"}
    key = client.post("/api/auth/login", json=login_body).get_json()["api_key"]
    response = client.post("/api/api_key", data={"device": "form-client"}, headers={"api-key": key})
    assert response.status_code == 201


def test_repeated_failures_lock_the_account_with_retry_after(tmp_path):
    app = make_app(tmp_path, LOGIN_MAX_FAILURES_PER_ACCOUNT=3)
    jobs.stop(app)
    client = app.test_client()
    for _ in range(3):
        assert client.post("/auth/login", json={"password": "wrong guess"}).status_code == 401
    locked = client.post("/auth/login", json={"password": ADMIN_PASSWORD})
    assert locked.status_code == 429
    assert 0 < int(locked.headers["Retry-After"]) <= 900
    assert locked.get_json()["error"] == "Too many attempts"
    other_api = client.post("/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "device": "d"})
    assert other_api.status_code == 429  # the same account through the other login route


def test_repeated_failures_lock_the_client_address(tmp_path):
    app = make_app(tmp_path, LOGIN_MAX_FAILURES_PER_ADDRESS=4)
    jobs.stop(app)
    client = app.test_client()
    for index in range(4):
        client.post("/auth/login", json={"email": f"user{index}@example.test", "password": "guess"})
    response = client.post("/auth/login", json={"email": "someone-else@example.test", "password": "guess"})
    assert response.status_code == 429 and "Retry-After" in response.headers


def test_behind_a_trusted_proxy_limits_count_the_real_client(tmp_path):
    app = make_app(tmp_path, TRUSTED_PROXIES=1, LOGIN_MAX_FAILURES_PER_ADDRESS=2, LOGIN_MAX_FAILURES_PER_ACCOUNT=50)
    jobs.stop(app)
    client = app.test_client()
    for index in range(2):
        client.post("/auth/login", json={"email": f"u{index}@example.test", "password": "guess"},
                    headers={"X-Forwarded-For": "203.0.113.7"})
    blocked = client.post("/auth/login", json={"email": "x@example.test", "password": "guess"},
                          headers={"X-Forwarded-For": "203.0.113.7"})
    other = client.post("/auth/login", json={"email": "x@example.test", "password": "guess"},
                        headers={"X-Forwarded-For": "198.51.100.9"})
    assert blocked.status_code == 429 and other.status_code == 401
